import { can, callScope, requirePermission, type Actor, type CallSubject, type Permission, ROLES, PERMISSIONS, roleHas } from '../../../src/domain/access';
import { ForbiddenError, NotFoundError } from '../../../src/shared/errors';

const actor = (role: Actor['role'], extra: Partial<Actor> = {}): Actor => ({
  userId: `u-${role}`,
  role,
  agentId: role === 'agent' ? '1001' : null,
  unitId: role === 'unit_handler' ? 'water' : null,
  groupId: null,
  ...extra,
});

const call = (agentIds: string[], unitIds: string[] = [], handlingAgentId: string | null = agentIds.at(-1) ?? null): CallSubject => ({
  kind: 'call',
  agentIds,
  unitIds,
  handlingAgentId,
  handlingUnitIds: unitIds.slice(0, 1),
});

describe('access policy', () => {
  const expected: Record<Actor['role'], Permission[]> = {
    agent: ['calls:read', 'calls:control', 'callers:history', 'callers:mark', 'ratings:read', 'agents:control', 'queues:read', 'complaints:record', 'callbacks:read', 'callbacks:place'],
    supervisor: [
      'calls:read', 'calls:control', 'calls:monitor', 'callers:history', 'callers:mark', 'callers:confidential', 'ratings:read', 'kpi:read', 'dashboard:view', 'workorders:watch', 'agents:control', 'agents:read', 'queues:read', 'settings:read',
      'complaints:record', 'complaints:read', 'complaints:judge', 'callbacks:read', 'callbacks:assign',
    ],
    unit_handler: ['calls:read', 'callers:history'],
    admin: [...PERMISSIONS],
  };
  for (const role of ROLES) {
    for (const p of PERMISSIONS) {
      const allowed = expected[role].includes(p);
      it(`${role} × ${p} → ${allowed ? 'allowed' : 'denied'}`, () => {
        expect(roleHas(role, p)).toBe(allowed);
        expect(can(actor(role), p)).toBe(allowed);
      });
    }
  }

  it('agent reads a call offered to them (missed or answered) but not another agent\'s', () => {
    const sut = actor('agent');
    expect(can(sut, 'calls:read', call(['1001']))).toBe(true);
    expect(can(sut, 'calls:read', call(['1001', '1002']))).toBe(true);
    expect(can(sut, 'calls:read', call(['1002']))).toBe(false);
  });

  it('unit handler reads only calls that produced work for their unit', () => {
    const sut = actor('unit_handler');
    expect(can(sut, 'calls:read', call(['1001'], ['water']))).toBe(true);
    expect(can(sut, 'calls:read', call(['1001'], ['power']))).toBe(false);
  });

  it('supervisor and admin read any call and control any agent', () => {
    for (const role of ['supervisor', 'admin'] as const) {
      expect(can(actor(role), 'calls:read', call(['9']))).toBe(true);
      expect(can(actor(role), 'agents:control', { kind: 'agent', agentId: '9' })).toBe(true);
    }
  });

  it('agent controls only their own state', () => {
    expect(can(actor('agent'), 'agents:control', { kind: 'agent', agentId: '1001' })).toBe(true);
    expect(can(actor('agent'), 'agents:control', { kind: 'agent', agentId: '1002' })).toBe(false);
  });

  it('an agent account without an agent id owns nothing', () => {
    expect(can(actor('agent', { agentId: null }), 'calls:read', call(['1001']))).toBe(false);
    expect(callScope(actor('agent', { agentId: null }))).toBeNull();
  });

  it('requirePermission: 403 for a missing permission, 404 for someone else\'s resource', () => {
    expect(() => requirePermission(actor('unit_handler'), 'dashboard:view')).toThrow(ForbiddenError);
    expect(() => requirePermission(actor('agent'), 'calls:read', call(['1002']), 'call')).toThrow(NotFoundError);
    expect(() => requirePermission(actor('agent'), 'calls:read', call(['1001']), 'call')).not.toThrow();
  });

  it('callScope narrows listings by role', () => {
    expect(callScope(actor('admin'))).toEqual({ kind: 'all' });
    expect(callScope(actor('supervisor'))).toEqual({ kind: 'all' });
    expect(callScope(actor('agent'))).toEqual({ kind: 'agent', agentId: '1001' });
    expect(callScope(actor('unit_handler'))).toEqual({ kind: 'unit', unitId: 'water' });
  });
});
