/** CallControlService over a session with fake ports: who may control a call, 409s, the Asterisk requests. */
import type { Actor } from '../../../src/domain/access';
import { CallControlService, type CallControlRelay } from '../../../src/app/calls/call-controls.service';
import { CallRegistry } from '../../../src/app/calls/call-registry';
import type { CallSession } from '../../../src/app/calls/call-session';
import { asAgentId, asCallId } from '../../../src/shared/ids';
import { agentsReady, flush, lastPlayback, RecordingLogger, T0, world, type World } from './fakes';

const CH = '1749000000.7';
const CALL = asCallId(CH);
const actor = (role: Actor['role'], agentId: string | null = null): Actor => ({ userId: `u-${role}-${agentId ?? ''}`, role, agentId, unitId: role === 'unit_handler' ? 'water' : null, groupId: null });

async function talking(w: World): Promise<CallSession> {
  agentsReady(w, 1);
  w.tel.addCaller(CH);
  const s = w.calls.startCall({ channelId: CH, callerNumber: '13800000000', calledNumber: '12345' });
  await flush();
  w.calls.deliver(CALL, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
  await flush();
  w.clock.t = T0 + 5000;
  w.calls.deliver(CALL, { type: 'AgentAnswered', attempt: 1 });
  await flush();
  w.calls.deliver(CALL, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
  await flush();
  expect(s.snapshot().type).toBe('talking');
  return s;
}

describe('CallControlService', () => {
  it('the handling agent holds and resumes: caller out of the bridge with music, then back', async () => {
    const w = world();
    const s = await talking(w);
    const svc = new CallControlService(w.registry, new RecordingLogger());
    expect(await svc.control(actor('agent', 'a1001'), CH, { type: 'hold' })).toEqual({ callId: CH, control: 'hold', state: 'talking' });
    await flush();
    expect(s.snapshot().type).toBe('held');
    expect(w.tel.bridges.get(`bridge-${CH}`)).toEqual([`ring-${CH}-1`]);
    expect(w.tel.calls.slice(-2)).toEqual([
      ['removeChannel', `bridge-${CH}`, CH],
      ['startMoh', CH],
    ]);
    await svc.control(actor('agent', 'a1001'), CH, { type: 'resume' });
    await flush();
    expect(s.snapshot().type).toBe('talking');
    expect(w.tel.bridges.get(`bridge-${CH}`)).toEqual([`ring-${CH}-1`, CH]);
  });

  it('another agent: 404; a unit handler: 403; unknown call: 404; resume while talking: 409; a supervisor may', async () => {
    const w = world();
    await talking(w);
    const svc = new CallControlService(w.registry, new RecordingLogger());
    await expect(svc.control(actor('agent', 'a1002'), CH, { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 404 }));
    await expect(svc.control(actor('unit_handler'), CH, { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 403 }));
    await expect(svc.control(actor('agent', 'a1001'), 'nope', { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 404 }));
    await expect(svc.control(actor('agent', 'a1001'), CH, { type: 'resume' })).rejects.toThrow(expect.objectContaining({ httpStatus: 409 }));
    expect((await svc.control(actor('supervisor'), CH, { type: 'hold' })).control).toBe('hold');
  });

  it('emergency transfer: dialled out through the trunk; the leg answers → agent leg hung up, agent in wrap-up, caller and line bridged', async () => {
    const w = world({ emergency: { numbers: { '110': '110', '119': '119', '120': '0433120', '122': '122' } } });
    const s = await talking(w);
    const svc = new CallControlService(w.registry, new RecordingLogger());
    await svc.control(actor('agent', 'a1001'), CH, { type: 'emergency-transfer', line: '120' });
    await flush();
    expect(s.snapshot().type).toBe('transferring');
    expect(w.tel.calls.find((c) => c[0] === 'dialOut')).toEqual([
      'dialOut',
      { channelId: `xfer-${CH}-1`, number: '0433120', trunk: 'trunk', callerId: '13800000000', timeoutMs: 30000 },
    ]);
    await expect(svc.control(actor('agent', 'a1001'), CH, { type: 'emergency-transfer', line: '120' })).rejects.toThrow(expect.objectContaining({ httpStatus: 409 }));
    w.calls.deliver(CALL, { type: 'TransferLegAnswered', n: 1 });
    await flush();
    expect(s.snapshot().type).toBe('transferred');
    expect(w.agents.get(asAgentId('a1001'))?.status.type).toBe('wrap-up');
    expect(w.tel.channels.has(`ring-${CH}-1`)).toBe(false);
    // (The fake keeps a hung-up channel in its bridge; Asterisk takes it out.)
    expect(w.tel.bridges.get(`bridge-${CH}`)).toEqual(expect.arrayContaining([CH, `xfer-${CH}-1`]));
    // The agent is not in control of the call any more.
    await expect(svc.control(actor('agent', 'a1001'), CH, { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 404 }));
    w.calls.deliver(CALL, { type: 'TransferLegHungUp', n: 1 });
    const rec = await s.done;
    expect(rec).toMatchObject({ endReason: 'emergency-transferred', emergencyTransferredTo: '120' });
  });

  it('the dial-out request fails → the caller is back with the agent at once', async () => {
    const w = world();
    const s = await talking(w);
    w.tel.failures.push({ method: 'dialOut', error: new Error('Allocation failed') });
    await new CallControlService(w.registry, new RecordingLogger()).control(actor('agent', 'a1001'), CH, { type: 'emergency-transfer', line: '110' });
    await flush();
    await flush();
    expect(s.snapshot().type).toBe('talking');
    expect(w.tel.bridges.get(`bridge-${CH}`)?.sort()).toEqual([CH, `ring-${CH}-1`].sort());
  });

  it('a call live on another instance: the request goes there with who asks and comes back as that instance decided', async () => {
    const w = world();
    const s = await talking(w);
    const owner = new CallControlService(w.registry, new RecordingLogger());
    const forwarded: unknown[] = [];
    const relay: CallControlRelay = {
      forward: (who, req) => {
        forwarded.push([who.userId, req]);
        return Promise.resolve(owner.runHere(who, req));
      },
    };
    // This instance runs no call at all.
    const here = new CallControlService(new CallRegistry(), new RecordingLogger(), () => null, () => true, relay);
    expect(await here.control(actor('agent', 'a1001'), CH, { type: 'hold' })).toEqual({ callId: CH, control: 'hold', state: 'talking' });
    await flush();
    expect(s.snapshot().type).toBe('held');
    expect(forwarded).toEqual([['u-agent-a1001', { kind: 'control', callId: CH, control: { type: 'hold' } }]]);
    // The owner's refusals travel back as they are; a role refusal is decided here, before any relay.
    await expect(here.control(actor('agent', 'a1002'), CH, { type: 'resume' })).rejects.toThrow(expect.objectContaining({ httpStatus: 404, code: 'NOT_FOUND' }));
    await expect(here.control(actor('agent', 'a1001'), CH, { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 409, code: 'CONFLICT.STATE' }));
    await expect(here.monitor(actor('supervisor'), CH, 'listen')).rejects.toThrow(expect.objectContaining({ httpStatus: 409 }));
    const before = forwarded.length;
    await expect(here.control(actor('unit_handler'), CH, { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 403 }));
    expect(forwarded).toHaveLength(before);
    // Nobody has the call: 404.
    await expect(here.control(actor('supervisor'), 'nope', { type: 'hold' })).rejects.toThrow(expect.objectContaining({ httpStatus: 404 }));
  });
});
