import { asCallId } from '../../../src/shared/ids';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { agentsReady, flush, lastPlayback, world, type World } from './fakes';

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

  it('unknown caller channel in Stasis → hung up and a complete record written', async () => {
    const w = world();
    w.tel.addCaller('orphan', '13900000000', '12345');
    const report = await w.recovery.reconcile();
    expect(report.unknownCallsEnded).toEqual([asCallId('orphan')]);
    expect(w.tel.calls).toContainEqual(['hangup', 'orphan']);
    expect(w.recs.records.get(asCallId('orphan'))).toMatchObject({
      complete: true,
      callerNumber: '13900000000',
      outcome: 'lost',
      endReason: 'recovered',
      hungUpBy: 'system',
    });
  });

  it('unknown caller channel with stored events (the app restarted mid-call) → record completed from them, seq continues', async () => {
    const before = world();
    agentsReady(before, 1);
    const s = await ringingCall(before, 'ch7');
    // A new process: same database and Asterisk, no sessions.
    const after = world();
    for (const [id, m] of before.store.byCall) after.store.byCall.set(id, m);
    for (const [id, c] of before.tel.channels) after.tel.channels.set(id, c);
    const report = await after.recovery.reconcile();
    expect(report.unknownCallsEnded).toEqual([s.callId]);
    expect(report.strayChannelsHungUp).toEqual(['ring-ch7-1']);
    const stored = await after.store.load(s.callId);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(after.recs.records.get(s.callId)).toMatchObject({ complete: true, attempts: [{ outcome: 'cancelled' }] });
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
    const second = await w.recovery.reconcile();
    expect(second).toEqual({ sessionsClosed: [], agentLegsUpdated: [], strayChannelsHungUp: [], strayBridgesDestroyed: [], unknownCallsEnded: [], storedCallsClosed: [] });
  });
});
