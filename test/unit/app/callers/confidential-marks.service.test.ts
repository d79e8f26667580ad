import { ConfidentialCallers } from '../../../../src/app/callers/confidential-callers';
import { ConfidentialMarks } from '../../../../src/app/callers/confidential-marks.service';
import type { Actor, CallSubject } from '../../../../src/domain/access';
import { silentLogger } from '../../../../src/shared/logger';
import { MemoryStore } from './memory-store';

const actor = (role: Actor['role'], agentId: string | null = null): Actor => ({ userId: `u-${role}-${agentId ?? ''}`, role, agentId, unitId: role === 'unit_handler' ? 'water' : null, groupId: null });
const AGENT = actor('agent', '1001');
const OTHER_AGENT = actor('agent', '1002');
const BOSS = actor('supervisor');

function setup() {
  const store = new MemoryStore();
  store.calls.set('call-1', '+8613900001111');
  store.calls.set('anonymous-call', 'anonymous');
  const subjects = new Map<string, CallSubject>([
    // Rang 1002 first (missed), answered by 1001.
    ['call-1', { kind: 'call', agentIds: ['1001', '1002'], handlingAgentId: '1001', unitIds: [], handlingUnitIds: [] }],
    ['anonymous-call', { kind: 'call', agentIds: ['1001'], handlingAgentId: '1001', unitIds: [], handlingUnitIds: [] }],
  ]);
  const markedCalls: string[] = [];
  const callers = new ConfidentialCallers(store, silentLogger);
  const marks = new ConfidentialMarks({
    callers,
    records: store,
    calls: { subject: async (id) => subjects.get(id) ?? null, markConfidential: async (id) => void markedCalls.push(id) },
    log: silentLogger,
  });
  return { store, callers, marks, markedCalls };
}

describe('ConfidentialMarks', () => {
  it('the agent who answered marks the caller of the call, and the call; the view and the audit carry the number masked', async () => {
    const { marks, callers, store, markedCalls } = setup();
    const v = await marks.mark(AGENT, { callId: 'call-1', reason: '来电人要求保密' });
    expect(v).toMatchObject({ callerNumber: '139****1111', active: true, sources: ['call:call-1'], withdrawal: null });
    expect(markedCalls).toEqual(['call-1']);
    expect(await callers.isConfidential('13900001111')).toBe(true);
    expect(JSON.stringify([v, store.audit])).not.toContain('13900001111');
    expect(store.audit.map((a) => [a.action, a.by, a.role, a.reason])).toEqual([['marked', AGENT.userId, 'agent', '来电人要求保密']]);
  });

  it('an agent may not mark a number, nor the caller of a call only offered to them or not theirs; a unit handler marks nothing', async () => {
    const { marks, store } = setup();
    await expect(marks.mark(AGENT, { number: '13900002222', reason: 'x' })).rejects.toMatchObject({ httpStatus: 403 });
    await expect(marks.mark(OTHER_AGENT, { callId: 'call-1', reason: 'x' })).rejects.toMatchObject({ httpStatus: 403 });
    await expect(marks.mark(actor('agent', '1003'), { callId: 'call-1', reason: 'x' })).rejects.toMatchObject({ httpStatus: 404 });
    await expect(marks.mark(AGENT, { callId: 'no-such-call', reason: 'x' })).rejects.toMatchObject({ httpStatus: 404 });
    await expect(marks.mark(actor('unit_handler'), { number: '13900002222', reason: 'x' })).rejects.toMatchObject({ httpStatus: 403 });
    await expect(marks.mark(AGENT, { callId: 'anonymous-call', reason: 'x' })).rejects.toMatchObject({ httpStatus: 409 });
    await expect(marks.mark(BOSS, { number: '1234', reason: 'x' })).rejects.toMatchObject({ httpStatus: 400, details: { field: 'body.number' } });
    expect(store.entries.size).toBe(0);
  });

  it('a supervisor marks a number, lists it masked, withdraws it once (409 after), reads who did what', async () => {
    const { marks, callers } = setup();
    const v = await marks.mark(BOSS, { number: '+86 139-0000-3333', reason: '来信要求保密' });
    expect(v.callerNumber).toBe('139****3333');
    expect((await marks.list(BOSS, { state: 'active', number: '13900003333', page: 1, pageSize: 20 })).items.map((i) => i.id)).toEqual([v.id]);
    await expect(marks.list(AGENT, { state: 'active', page: 1, pageSize: 20 })).rejects.toMatchObject({ httpStatus: 403 });
    await expect(marks.withdraw(AGENT, v.id, 'x')).rejects.toMatchObject({ httpStatus: 403 });
    const w = await marks.withdraw(BOSS, v.id, '来电人撤回');
    expect(w).toMatchObject({ active: false, withdrawal: { reason: '来电人撤回' } });
    expect(await callers.isConfidential('13900003333')).toBe(false);
    await expect(marks.withdraw(BOSS, v.id, 'again')).rejects.toMatchObject({ httpStatus: 409 });
    await expect(marks.withdraw(BOSS, 'no-such-mark', 'x')).rejects.toMatchObject({ httpStatus: 404 });
    expect((await marks.list(BOSS, { state: 'active', page: 1, pageSize: 20 })).total).toBe(0);
    expect((await marks.list(BOSS, { state: 'withdrawn', page: 1, pageSize: 20 })).total).toBe(1);
    expect((await marks.auditOf(actor('admin'), v.id)).map((a) => [a.action, a.role, a.reason])).toEqual([
      ['marked', 'supervisor', '来信要求保密'],
      ['withdrawn', 'supervisor', '来电人撤回'],
    ]);
  });
});
