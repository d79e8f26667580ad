import { asAgentId, asCallId } from '../../../src/shared/ids';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { promptMedia } from '../../../src/domain/call/call.settings';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import { Q, agentsReady, flush, lastPlayback, lastPlayedMedia, world, type World } from './fakes';

/** A new process after `ms`: the same database and Asterisk, no sessions, nobody logged in yet. */
function restarted(before: World, ms: number): World {
  const after = world();
  after.clock.t = before.clock.t + ms;
  for (const [id, m] of before.store.byCall) after.store.byCall.set(id, m);
  for (const [id, c] of before.tel.channels) after.tel.channels.set(id, c);
  for (const [id, b] of before.tel.bridges) after.tel.bridges.set(id, b);
  return after;
}

/** Agent a1001 logged in, not ready: calls wait in the queue. */
function agentNotReady(w: World): void {
  w.agents.register({ agentId: asAgentId('a1001'), agentNumber: '1001', name: 'Agent 1', endpoint: 'PJSIP/agent1001', queues: [Q] });
  w.agents.login(asAgentId('a1001'), { ready: false });
}

/** A call waiting in the queue. */
async function waitingCall(w: World, ch: string) {
  w.tel.addCaller(ch);
  const s = w.calls.startCall({ channelId: ch, callerNumber: '13800000000', calledNumber: '12345' });
  await flush();
  w.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
  await flush();
  expect(s.snapshot().type).toBe('queued');
  return s;
}

async function ringingCall(w: World, ch: string) {
  w.tel.addCaller(ch);
  const s = w.calls.startCall({ channelId: ch, callerNumber: '13800000000', calledNumber: '12345' });
  await flush();
  w.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
  await flush();
  return s;
}

describe('call recovery', () => {
  it('caller channel vanished while the app was disconnected → ChannelGone, complete record, agent freed', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await ringingCall(w, 'ch1');
    w.tel.channels.delete('ch1');
    const report = await w.recovery.reconcile();
    expect(report.sessionsClosed).toEqual([s.callId]);
    const rec = await s.done;
    expect(rec).toMatchObject({ complete: true, outcome: 'lost', hungUpBy: 'network' });
    expect(w.agents.get(rec.attempts[0]!.agentId)?.status.type).toBe('ready');
  });

  it('ringing agent leg answered while disconnected (state Up) → AgentAnswered', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await ringingCall(w, 'ch1');
    w.tel.channels.set('ring-ch1-1', { id: 'ring-ch1-1', state: 'Up', callerNumber: '', calledNumber: '' });
    const report = await w.recovery.reconcile();
    await flush();
    expect(report.agentLegsUpdated).toEqual([s.callId]);
    expect(s.snapshot().type).toBe('connecting');
  });

  it('ringing agent leg gone → AgentLegFailed unreachable → back in the queue', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await ringingCall(w, 'ch1');
    w.tel.channels.delete('ring-ch1-1');
    await w.recovery.reconcile();
    await flush();
    expect(buildCallRecord(await w.store.load(s.callId)).attempts[0]?.outcome).toBe('unreachable');
  });

  it('outbound, supervisor and snoop channels and monitor bridges nobody owns are hung up / destroyed, never taken for callers', async () => {
    const w = world();
    for (const id of ['xfer-gone-1', 'sup-gone-1', 'snoop-gone-1']) w.tel.channels.set(id, { id, state: 'Up', callerNumber: '110', calledNumber: '' });
    w.tel.bridges.set('spy-gone-1', []);
    const report = await w.recovery.reconcile();
    expect(report.strayChannelsHungUp.sort()).toEqual(['snoop-gone-1', 'sup-gone-1', 'xfer-gone-1']);
    expect(report.strayBridgesDestroyed).toEqual(['spy-gone-1']);
    expect(report.unknownCallsEnded).toEqual([]);
  });

  it('a transferred call whose outbound leg vanished while disconnected → the line hung up, the call ends emergency-transferred', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await ringingCall(w, 'ch1');
    w.calls.deliver(s.callId, { type: 'AgentAnswered', attempt: 1 });
    await flush();
    w.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
    await flush();
    w.calls.deliver(s.callId, { type: 'EmergencyTransferRequested', line: '110' });
    await flush();
    w.tel.channels.set('xfer-ch1-1', { id: 'xfer-ch1-1', state: 'Up', callerNumber: '', calledNumber: '' });
    await w.recovery.reconcile();
    await flush();
    expect(s.snapshot().type).toBe('transferred');
    w.tel.channels.delete('xfer-ch1-1');
    await w.recovery.reconcile();
    const rec = await s.done;
    expect(rec).toMatchObject({ endReason: 'emergency-transferred', hungUpBy: 'far-end' });
  });

  it('caller channel in Stasis with nothing stored, not answered yet → started as a new call', async () => {
    const w = world();
    w.tel.addCaller('fresh', '13900000000', '12345');
    const report = await w.recovery.reconcile();
    await flush();
    expect(report.adopted).toEqual([asCallId('fresh')]);
    expect(w.tel.calls).toContainEqual(['answer', 'fresh']);
    expect(w.registry.get(asCallId('fresh'))?.snapshot().type).toBe('greeting');
  });

  it('answered caller channel in Stasis with nothing stored → not rebuilt: goodbye prompt, then a complete record saying so', async () => {
    const w = world();
    w.tel.addCaller('orphan', '13900000000', '12345');
    w.tel.channels.set('orphan', { ...w.tel.channels.get('orphan')!, state: 'Up' });
    const report = await w.recovery.reconcile();
    await flush();
    expect(report.notRebuilt).toEqual([asCallId('orphan')]);
    expect(lastPlayedMedia(w.tel)).toEqual([promptMedia(w.settings, 'goodbye')]);
    w.calls.deliver(asCallId('orphan'), { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) });
    await flush();
    expect(w.tel.calls).toContainEqual(['hangup', 'orphan']);
    const rec = w.recs.records.get(asCallId('orphan'));
    expect(rec).toMatchObject({ complete: true, callerNumber: '13900000000', outcome: 'lost', endReason: 'not-rebuilt', hungUpBy: 'system' });
    expect(rec?.timeline.map((e) => e.type)).toEqual(['CallEntered', 'CallNotRebuilt', 'CallEnded']);
  });

  it('a ringing call found after a restart → taken over: the ring goes on and ends at its original limit, the call waits again', async () => {
    const before = world();
    agentsReady(before, 1);
    const s = await ringingCall(before, 'ch7');
    const offeredAt = before.clock.t;
    // A new process 4 s later: same database and Asterisk, no sessions, the agent restored.
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot().type).toBe('ringing');
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'ringing', callId: s.callId });
    expect(after.acd.positionOf(s.callId)).toBe(1);
    // The limit counts from the offer before the restart: 6 s left, not 10.
    await after.scheduler.advance(offeredAt + after.settings.ringTimeoutMs - after.clock.t - 1);
    await flush();
    expect(adopted.snapshot().type).toBe('ringing');
    await after.scheduler.advance(1);
    await flush();
    const stored = await after.store.load(s.callId);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const rec = buildCallRecord(stored);
    expect(rec.timeline.map((e) => e.type)).toContain('CallAdopted');
    expect(rec.attempts[0]).toMatchObject({ outcome: 'no-answer', ringMs: after.settings.ringTimeoutMs });
    expect(['queued', 'ringing']).toContain(adopted.snapshot().type);
  });

  it('a bridged call found after a restart stays bridged; the agent hangs up → rating, one complete record', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch9', []);
    expect(s.snapshot().type).toBe('talking');
    const after = restarted(before, 3000);
    agentsReady(after, 1);
    const report = await after.recovery.reconcile();
    await flush();
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayBridgesDestroyed).toEqual([]);
    expect(report.strayChannelsHungUp).toEqual([]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot().type).toBe('talking');
    expect(after.tel.methods()).not.toContain('hangup');
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'on-call', callId: s.callId });
    // The new process never saw the answer: the agent's hang-up comes as the leg's end.
    after.calls.deliver(s.callId, { type: 'AgentLegFailed', attempt: 1, cause: 'unreachable' });
    await flush();
    expect(adopted.snapshot().type).toBe('rating');
    expect(after.agents.get(asAgentId('a1001'))?.status.type).toBe('wrap-up');
    after.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(after.tel) });
    await flush();
    after.calls.deliver(s.callId, { type: 'Dtmf', digit: '1' });
    await flush();
    after.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(after.tel) });
    const rec = await adopted.done;
    expect(rec).toMatchObject({ complete: true, outcome: 'answered', endReason: 'completed', conversationEndedBy: 'agent', rating: { status: 'rated', digit: '1' } });
    const stored = await after.store.load(s.callId);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.filter((e) => e.type === 'CallEnded')).toHaveLength(1);
  });

  it('a bridged call whose bridge no longer holds the caller → not rebuilt: agent leg hung up, bridge destroyed, goodbye, record says why', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch5', []);
    before.tel.bridges.set('bridge-ch5', ['ring-ch5-1']);
    const after = restarted(before, 3000);
    agentsReady(after, 1);
    const report = await after.recovery.reconcile();
    await flush();
    expect(report.notRebuilt).toEqual([s.callId]);
    expect(after.tel.calls).toContainEqual(['hangup', 'ring-ch5-1']);
    expect(after.tel.calls).toContainEqual(['destroyBridge', 'bridge-ch5']);
    expect(lastPlayedMedia(after.tel)).toEqual([promptMedia(after.settings, 'goodbye')]);
    after.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(after.tel) });
    await flush();
    const rec = after.recs.records.get(s.callId);
    expect(rec).toMatchObject({ complete: true, outcome: 'answered', endReason: 'not-rebuilt', hungUpBy: 'system', conversationEndedBy: 'system' });
    expect(rec?.timeline.find((e) => e.type === 'CallNotRebuilt')?.data).toEqual({ stage: 'talking', why: 'the caller is not in the call bridge' });
    // The agent was never bound here: it stays free.
    expect(after.agents.get(asAgentId('a1001'))?.status.type).toBe('ready');
  });

  /** A call talking with agent a1001 (its leg up), then `inputs` (in-call controls). */
  async function controlledCall(before: World, ch: string, inputs: CallInput[]) {
    agentsReady(before, 1);
    const s = await ringingCall(before, ch);
    before.calls.deliver(s.callId, { type: 'AgentAnswered', attempt: 1 });
    await flush();
    before.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(before.tel) });
    await flush();
    before.tel.channels.set(`ring-${ch}-1`, { ...before.tel.channels.get(`ring-${ch}-1`)!, state: 'Up' });
    for (const i of inputs) {
      before.calls.deliver(s.callId, i);
      await flush();
    }
    return s;
  }

  /** A new process 4 s later with agent a1001 ready, after its first reconciliation. */
  async function takenOver(before: World) {
    const after = restarted(before, 4000);
    agentsReady(after, 1);
    const report = await after.recovery.reconcile();
    await flush();
    return { after, report };
  }

  const up = (w: World, id: string) => w.tel.channels.set(id, { id, state: 'Up', callerNumber: '', calledNumber: '' });

  it('a call on hold found after a restart stays on hold (music again, agent on it); resume puts the caller back', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch21', [{ type: 'HoldRequested' }]);
    expect(s.snapshot().type).toBe('held');
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot()).toMatchObject({ type: 'held', heldAt: before.clock.t });
    expect(after.tel.calls).toContainEqual(['startMoh', 'ch21']);
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'on-call', callId: s.callId });
    after.clock.t += 1000;
    after.calls.deliver(s.callId, { type: 'ResumeRequested' });
    await flush();
    expect(adopted.snapshot().type).toBe('talking');
    expect(after.tel.bridges.get('bridge-ch21')).toEqual(['ring-ch21-1', 'ch21']);
    after.calls.deliver(s.callId, { type: 'CallerHungUp' });
    const rec = await adopted.done;
    expect(rec.complete).toBe(true);
    expect(rec.holdMs).toBeGreaterThanOrEqual(5000);
    expect(rec.holds).toHaveLength(1);
  });

  /** A supervisor joined with `mode` on the call of `ch` (the supervisor's phone answered). */
  async function monitored(w: World, ch: string, mode: 'listen' | 'whisper' | 'barge') {
    w.calls.deliver(asCallId(ch), { type: 'MonitorRequested', mode, userId: 'boss', endpoint: 'PJSIP/agent1002' });
    await flush();
    up(w, `sup-${ch}-1`);
    w.calls.deliver(asCallId(ch), { type: 'MonitorLegAnswered', n: 1 });
    await flush();
  }

  it.each(['listen', 'whisper', 'barge'] as const)('a supervisor on the call (%s) found after a restart stays on it: legs, snoop and bridge kept; stopping it later cleans them', async (mode) => {
    const before = world();
    const ch = `chm-${mode}`;
    const s = await controlledCall(before, ch, []);
    await monitored(before, ch, mode);
    expect(s.snapshot().core.monitor).toMatchObject({ n: 1, mode, joinedAt: expect.any(Number) });
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    expect(report.strayBridgesDestroyed).toEqual([]);
    expect(after.tel.methods()).not.toContain('hangup');
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot()).toMatchObject({ type: 'talking', core: { monitor: { n: 1, mode, userId: 'boss', channelId: `sup-${ch}-1`, joinedAt: expect.any(Number) } } });
    after.calls.deliver(s.callId, { type: 'MonitorStopRequested' });
    await flush();
    expect(after.tel.calls).toContainEqual(['hangup', `sup-${ch}-1`]);
    if (mode !== 'barge') expect(after.tel.calls).toContainEqual(['destroyBridge', `spy-${ch}-1`]);
    after.calls.deliver(s.callId, { type: 'CallerHungUp' });
    const rec = await adopted.done;
    expect(rec.monitors).toEqual([expect.objectContaining({ n: 1, mode, joinedAt: expect.any(Number), leftAt: expect.any(Number) })]);
    expect(rec.timeline.filter((e) => e.type === 'SupervisorLeft').map((e) => e.data['reason'])).toEqual(['stopped']);
  });

  it('a supervisor on a held call stays on it after a restart', async () => {
    const before = world();
    const s = await controlledCall(before, 'chmh', []);
    await monitored(before, 'chmh', 'listen');
    before.calls.deliver(s.callId, { type: 'HoldRequested' });
    await flush();
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    expect(after.registry.get(s.callId)!.snapshot()).toMatchObject({ type: 'held', core: { monitor: { n: 1, mode: 'listen' } } });
  });

  it('a supervisor whose phone hung up during the outage has left; one whose snoop is gone is let go; a new one is numbered past the old', async () => {
    const before = world();
    const s = await controlledCall(before, 'chm2', []);
    await monitored(before, 'chm2', 'listen');
    before.tel.channels.delete('sup-chm2-1');
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot().core.monitor).toBeNull();
    // What was left of it (the snoop, the bridge) is cleaned up.
    expect(after.tel.channels.has('snoop-chm2-1')).toBe(false);
    expect(after.tel.bridges.has('spy-chm2-1')).toBe(false);
    after.calls.deliver(s.callId, { type: 'MonitorRequested', mode: 'barge', userId: 'boss', endpoint: 'PJSIP/agent1002' });
    await flush();
    expect(adopted.snapshot().core.monitor?.n).toBeGreaterThan(1);

    const b2 = world();
    const s2 = await controlledCall(b2, 'chm3', []);
    await monitored(b2, 'chm3', 'whisper');
    b2.tel.channels.delete('snoop-chm3-1');
    const t2 = await takenOver(b2);
    expect(t2.after.registry.get(s2.callId)!.snapshot().core.monitor).toBeNull();
    expect(t2.after.tel.calls).toContainEqual(['hangup', 'sup-chm3-1']);
    const left = (await t2.after.store.load(s2.callId)).filter((e) => e.type === 'SupervisorLeft');
    expect(left).toHaveLength(1);
  });

  it('a call on hold whose caller is in the bridge does not fit: not rebuilt, as before', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch22', [{ type: 'HoldRequested' }]);
    before.tel.bridges.set('bridge-ch22', ['ring-ch22-1', 'ch22']);
    const { after, report } = await takenOver(before);
    expect(report.notRebuilt).toEqual([s.callId]);
    expect(after.recs.records.get(s.callId)?.timeline.find((e) => e.type === 'CallNotRebuilt')?.data).toEqual({ stage: 'held', why: 'the caller on hold is in the call bridge' });
  });

  it('a call handed to an emergency line found after a restart stays with the line; the line hanging up ends it emergency-transferred', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch23', [{ type: 'EmergencyTransferRequested', line: '110' }]);
    up(before, 'xfer-ch23-1');
    before.calls.deliver(s.callId, { type: 'TransferLegAnswered', n: 1 });
    await flush();
    expect(s.snapshot().type).toBe('transferred');
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot()).toMatchObject({ type: 'transferred', leg: { n: 1, line: '110', channelId: 'xfer-ch23-1' } });
    // The agent was released before the restart: not bound again.
    expect(after.agents.get(asAgentId('a1001'))?.status.type).toBe('ready');
    after.calls.deliver(s.callId, { type: 'TransferLegHungUp', n: 1 });
    const rec = await adopted.done;
    expect(rec).toMatchObject({ complete: true, endReason: 'emergency-transferred', hungUpBy: 'far-end', emergencyTransferredTo: '110' });
  });

  it('an emergency line still ringing after a restart: the ringing tone again; the line answered during the outage hands the caller over', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch24', [{ type: 'EmergencyTransferRequested', line: '119' }]);
    expect(s.snapshot().type).toBe('transferring');
    up(before, 'xfer-ch24-1');
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    const adopted = after.registry.get(s.callId)!;
    expect(after.tel.calls).toContainEqual(['startRingback', 'ch24']);
    expect(adopted.snapshot().type).toBe('transferred');
    expect(after.tel.calls).toContainEqual(['hangup', 'ring-ch24-1']);
    expect(after.tel.bridges.get('bridge-ch24')).toEqual(expect.arrayContaining(['ch24', 'xfer-ch24-1']));
  });

  it('an emergency line that stopped ringing during the outage gives the caller back to the agent', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch25', [{ type: 'EmergencyTransferRequested', line: '120' }]);
    before.tel.channels.delete('xfer-ch25-1');
    const { after } = await takenOver(before);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot().type).toBe('talking');
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'on-call', callId: s.callId });
    expect(after.tel.bridges.get('bridge-ch25')).toEqual(expect.arrayContaining(['ch25', 'ring-ch25-1']));
  });

  it('a three-way call found after a restart keeps its three parties; the agent leaving leaves caller and unit', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch26', [{ type: 'ThreeWayRequested', number: '12319' }]);
    up(before, 'xfer-ch26-1');
    before.calls.deliver(s.callId, { type: 'TransferLegAnswered', n: 1 });
    await flush();
    expect(before.tel.bridges.get('bridge-ch26')).toHaveLength(3);
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual([]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot()).toMatchObject({ type: 'threeWay', joinedAt: expect.any(Number), agent: { agentId: 'a1001' } });
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'on-call', callId: s.callId });
    after.tel.channels.delete('ring-ch26-1');
    after.calls.deliver(s.callId, { type: 'AgentHungUp', attempt: 1 });
    await flush();
    expect(adopted.snapshot()).toMatchObject({ type: 'threeWay', agent: null });
    // A second reconciliation keeps the unit's leg: the call owns it.
    expect((await after.recovery.reconcile()).strayChannelsHungUp).toEqual([]);
  });

  it('a consultation found after a restart: the caller on hold, agent and unit talking; complete hands the caller over', async () => {
    const before = world();
    const s = await controlledCall(before, 'ch27', [{ type: 'TransferRequested', number: '12319', mode: 'consult' }]);
    up(before, 'xfer-ch27-1');
    before.calls.deliver(s.callId, { type: 'TransferLegAnswered', n: 1 });
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'consulting', joinedAt: expect.any(Number) });
    const { after, report } = await takenOver(before);
    expect(report.adopted).toEqual([s.callId]);
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot()).toMatchObject({ type: 'consulting', joinedAt: expect.any(Number) });
    expect(after.tel.calls).toContainEqual(['startMoh', 'ch27']);
    after.calls.deliver(s.callId, { type: 'TransferCompleteRequested' });
    await flush();
    expect(adopted.snapshot().type).toBe('transferred');
    expect(after.tel.bridges.get('bridge-ch27')).toEqual(expect.arrayContaining(['ch27', 'xfer-ch27-1']));
    expect(after.agents.get(asAgentId('a1001'))?.status.type).toBe('wrap-up');
  });

  it('a call found in the rating after a restart is asked again and can rate', async () => {
    const before = world();
    agentsReady(before, 1);
    const s = await ringingCall(before, 'ch6');
    before.calls.deliver(s.callId, { type: 'AgentAnswered', attempt: 1 });
    await flush();
    before.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(before.tel) });
    await flush();
    before.calls.deliver(s.callId, { type: 'AgentHungUp', attempt: 1 });
    await flush();
    expect(s.snapshot().type).toBe('rating');
    before.tel.channels.delete('ring-ch6-1');
    const after = restarted(before, 2000);
    await after.recovery.reconcile();
    await flush();
    const adopted = after.registry.get(s.callId)!;
    expect(adopted.snapshot().type).toBe('rating');
    const prompt = lastPlayback(after.tel);
    expect(prompt).not.toBe(lastPlayback(before.tel));
    after.calls.deliver(s.callId, { type: 'Dtmf', digit: '2' });
    await flush();
    after.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(after.tel) });
    const rec = await adopted.done;
    expect(rec).toMatchObject({ complete: true, endReason: 'completed', rating: { status: 'rated', digit: '2' } });
  });

  it('an agent on a call found after a restart is not offered a waiting call found with it, even one that entered earlier', async () => {
    // An urgent line (higher class) got the agent although the other caller came first.
    const settings = { lines: { '12399': { queueId: Q, priority: 5 } } };
    const before = world(settings);
    agentNotReady(before);
    const waiting = await waitingCall(before, 'chW');
    before.clock.t += 1000;
    before.tel.addCaller('chT');
    const urgent = before.calls.startCall({ channelId: 'chT', callerNumber: '13800000009', calledNumber: '12399' });
    await flush();
    before.calls.deliver(urgent.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(before.tel) });
    await flush();
    before.agents.setReady(asAgentId('a1001'));
    await flush();
    expect(urgent.snapshot().type).toBe('ringing');
    before.calls.deliver(urgent.callId, { type: 'AgentAnswered', attempt: 1 });
    await flush();
    before.calls.deliver(urgent.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(before.tel) });
    await flush();
    expect(urgent.snapshot().type).toBe('talking');
    before.tel.channels.set('ring-chT-1', { ...before.tel.channels.get('ring-chT-1')!, state: 'Up' });
    const after = world(settings);
    after.clock.t = before.clock.t + 2000;
    for (const [id, m] of before.store.byCall) after.store.byCall.set(id, m);
    for (const [id, c] of before.tel.channels) after.tel.channels.set(id, c);
    for (const [id, b] of before.tel.bridges) after.tel.bridges.set(id, b);
    agentsReady(after, 1);
    await after.recovery.reconcile();
    await flush();
    expect(after.agents.get(asAgentId('a1001'))?.status).toEqual({ type: 'on-call', callId: urgent.callId });
    expect(after.registry.get(waiting.callId)?.snapshot().type).toBe('queued');
    expect(after.registry.get(urgent.callId)?.snapshot().type).toBe('talking');
  });

  it('waiting calls found after a restart go back to their original places', async () => {
    const before = world();
    agentNotReady(before);
    const first = await waitingCall(before, 'chA');
    before.clock.t += 1000;
    const second = await waitingCall(before, 'chB');
    const after = restarted(before, 2000);
    agentNotReady(after);
    // A call that entered the new process before the old ones were taken over.
    after.tel.addCaller('chC');
    const third = after.calls.startCall({ channelId: 'chC', callerNumber: '13800000003', calledNumber: '12345' });
    await flush();
    after.calls.deliver(third.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(after.tel) });
    await flush();
    // Taken over in whatever order Asterisk lists them.
    const channels = [...after.tel.channels.entries()].reverse();
    after.tel.channels.clear();
    for (const [id, c] of channels) after.tel.channels.set(id, c);
    const report = await after.recovery.reconcile();
    await flush();
    expect(report.adopted.sort()).toEqual([first.callId, second.callId].sort());
    expect([first.callId, second.callId, third.callId].map((id) => after.acd.positionOf(id))).toEqual([1, 2, 3]);
    after.agents.setReady(asAgentId('a1001'));
    await flush();
    expect(after.registry.get(first.callId)?.snapshot().type).toBe('ringing');
  });

  it('open stored call with no channel and no session → closed; stray bridge destroyed', async () => {
    const before = world();
    agentsReady(before, 1);
    const s = await ringingCall(before, 'ch8');
    before.calls.deliver(s.callId, { type: 'AgentAnswered', attempt: 1 });
    await flush();
    before.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: lastPlayback(before.tel) });
    await flush();
    const after = world();
    for (const [id, m] of before.store.byCall) after.store.byCall.set(id, m);
    after.tel.bridges.set('bridge-ch8', []);
    const report = await after.recovery.reconcile();
    expect(report.storedCallsClosed).toEqual([s.callId]);
    expect(report.strayBridgesDestroyed).toEqual(['bridge-ch8']);
    expect(after.recs.records.get(s.callId)).toMatchObject({ complete: true, outcome: 'answered', conversationEndedBy: 'network' });
  });

  it('reconcile twice → nothing more to do the second time', async () => {
    const w = world();
    w.tel.addCaller('orphan');
    await w.recovery.reconcile();
    await flush();
    const second = await w.recovery.reconcile();
    expect(second).toEqual({
      sessionsClosed: [],
      agentLegsUpdated: [],
      strayChannelsHungUp: [],
      strayBridgesDestroyed: [],
      adopted: [],
      notRebuilt: [],
      unknownCallsEnded: [],
      storedCallsClosed: [],
    });
  });
});
