/**
 * A restart of the app does not cut live calls (issue 28 item 2). The app goes away as after a
 * kill -9 (its ARI and database connections vanish; Asterisk keeps the calls up) and a new instance
 * starts on the same database and Asterisk. It takes the calls over from their stored events and
 * Asterisk's channels and bridge:
 * - a bridged call stays bridged, and the caller rates by keypad after the agent hangs up;
 * - waiting calls stay in the queue at their original places and are answered when the agent is ready;
 * - a ring goes on with its original timing and is answered after the restart;
 * - a stop that hands calls over (a deploy) leaves a bridged call to the next instance;
 * - a call whose state cannot be rebuilt (its stored events lost) hears the goodbye prompt and its
 *   record says why.
 * Each call keeps exactly one complete record, its events numbered without a gap across the restart.
 * Real SIP (sipp caller and agent phone), real Asterisk, real database.
 */
import mongoose from 'mongoose';
import { asAgentId, asCallId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const A1 = asAgentId('agent-1001');

describe('calls live across a restart of the app are taken over', () => {
  const systems: RunningSystem[] = [];
  let phone: AgentPhone | null = null;

  afterEach(async () => {
    await phone?.stop();
    phone = null;
    await stopAllSipp();
    // Vanished instances still hold timers and a listening port.
    for (const s of systems.splice(0).reverse()) await s.stop(0);
  });

  async function start(name: string, env: Record<string, string> = {}): Promise<RunningSystem> {
    const s = await startSystem(name, { WRAPUP_MS: '1000', ...env });
    systems.push(s);
    return s;
  }

  /** The app goes away as after kill -9: no stop steps, its Asterisk and database connections just end. */
  async function vanish(s: RunningSystem): Promise<void> {
    await s.ari.stop();
    await s.db.stop();
  }

  function sessionOf(s: RunningSystem, callerNumber: string) {
    return s.callPath.registry.all().find((x) => x.snapshot().core.callerNumber === callerNumber);
  }

  async function storedStage(s: RunningSystem, callerNumber: string): Promise<string | undefined> {
    const d = await s.callStore.records.findOne({ callerNumber }).lean();
    return (d?.detail as { stage?: string } | undefined)?.stage;
  }

  it('a bridged call stays bridged across the restart; after the agent hangs up the caller rates it', async () => {
    const first = await start('adopt_bridged', { RATING_TIMEOUT_MS: '15000' });
    await addAgents(first, [1001]);
    // The agent talks ~30 s, long after the restart; the caller's digit comes during the rating prompt.
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, hangupAfterMs: 30_000 });
    await eventually(() => first.callPath.agents.get(A1)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: '13700000601', dtmfDigit: 1, dtmfAfterMs: 44_000, timeoutMs: 90_000 });
    const before = await eventually(() => (sessionOf(first, '13700000601')?.snapshot().type === 'talking' ? sessionOf(first, '13700000601') : null), 30_000, 50);
    await eventually(async () => (await storedStage(first, '13700000601')) === 'talking', 10_000, 50);
    const callId = before.callId;

    await vanish(first);
    const second = await start('adopt_bridged', { MONGODB_URI: first.config.mongodb.uri, RATING_TIMEOUT_MS: '15000' });
    const after = await eventually(() => second.callPath.registry.get(callId), 30_000, 50);
    // Still bridged: caller and agent leg in the call's bridge, no hang-up.
    expect(after.snapshot().type).toBe('talking');
    const bridge = await second.ari.current().bridges.get({ bridgeId: `bridge-${callId}` });
    expect([...bridge.channels].sort()).toEqual([callId, `ring-${callId}-1`].sort());
    expect(second.callPath.agents.get(A1)?.status).toEqual({ type: 'on-call', callId: asCallId(callId) });

    // The agent hangs up: the caller is asked for the rating and presses 1.
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(second, '13700000601', 30_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'completed', rating: { digit: '1' } });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'rated', satisfied: true } });
    expect(rec.detail.talkMs).toBeGreaterThan(20_000);
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'talking' } })]);
    expect(rec.detail.timeline.map((e) => e.type)).not.toContain('CallNotRebuilt');
    await eventually(() => second.callPath.agents.get(A1)?.status.type === 'ready', 30_000);
  }, 180_000);

  it('a deploy: a stop that hands live calls over (SHUTDOWN_LIVE_CALLS=hand-over) leaves a bridged call up; the next instance takes it over and the caller rates', async () => {
    const env = { RATING_TIMEOUT_MS: '15000', SHUTDOWN_LIVE_CALLS: 'hand-over' };
    const first = await start('adopt_deploy', env);
    await addAgents(first, [1001]);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, hangupAfterMs: 30_000 });
    await eventually(() => first.callPath.agents.get(A1)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: '13700000631', dtmfDigit: 2, dtmfAfterMs: 44_000, timeoutMs: 90_000 });
    const before = await eventually(() => (sessionOf(first, '13700000631')?.snapshot().type === 'talking' ? sessionOf(first, '13700000631') : null), 30_000, 50);
    const callId = before.callId;

    // The old version stops the way a deploy stops it (SIGTERM → stop), without waiting for calls.
    await first.stop(0);
    systems.splice(systems.indexOf(first), 1);
    const second = await start('adopt_deploy', { ...env, MONGODB_URI: first.config.mongodb.uri });
    const after = await eventually(() => second.callPath.registry.get(callId), 30_000, 50);
    expect(after.snapshot().type).toBe('talking');

    expect((await call.result).success).toBe(true);
    const rec = await completedCall(second, '13700000631', 30_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'completed', rating: { digit: '2' } });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'rated', satisfied: false } });
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'talking' } })]);
  }, 180_000);

  it('waiting calls stay in the queue at their original places and are answered when the agent is ready', async () => {
    const first = await start('adopt_waiting', { RATING_TIMEOUT_MS: '2000' });
    await addAgents(first, [1001], false);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, hangupAfterMs: 2000 });
    const a = await startCall({ callerNumber: '13700000611', timeoutMs: 150_000 });
    await eventually(async () => (await storedStage(first, '13700000611')) === 'queued', 30_000, 50);
    // The second caller gives up long after the first one is served.
    const b = await startCall({ callerNumber: '13700000612', hangupAfterMs: 45_000, timeoutMs: 150_000 });
    await eventually(async () => (await storedStage(first, '13700000612')) === 'queued', 30_000, 50);
    const idA = sessionOf(first, '13700000611')!.callId;
    const idB = sessionOf(first, '13700000612')!.callId;
    expect([first.callPath.acd.positionOf(idA), first.callPath.acd.positionOf(idB)]).toEqual([1, 2]);
    const queuedAt = (await first.callStore.records.findOne({ callerNumber: '13700000611' }).lean())?.detail as { times: { queuedAt: number } };

    await vanish(first);
    const restartAt = Date.now();
    const second = await start('adopt_waiting', { MONGODB_URI: first.config.mongodb.uri, RATING_TIMEOUT_MS: '2000' });
    await eventually(() => second.callPath.registry.get(idA)?.snapshot().type === 'queued' && second.callPath.registry.get(idB)?.snapshot().type === 'queued', 30_000, 50);
    expect([second.callPath.acd.positionOf(idA), second.callPath.acd.positionOf(idB)]).toEqual([1, 2]);
    // The agent came back not ready, as it was; now it takes calls.
    expect(second.callPath.agents.get(A1)?.status.type).toBe('not-ready');
    await eventually(() => second.callPath.agents.get(A1)?.reachable === true, 30_000);
    second.callPath.agents.setReady(A1);

    expect((await a.result).success).toBe(true);
    const recA = await completedCall(second, '13700000611', 30_000);
    expect(recA).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
    // Waited from its first queueing, before the restart.
    expect(recA.detail.times.queuedAt).toBe(queuedAt.times.queuedAt);
    expect(recA.detail.times.queuedAt).toBeLessThan(restartAt);
    expect(recA.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'queued' } })]);
    expect(recA.detail.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'answered' })]);

    // The second caller was not offered before the first (one agent, first come first served).
    const offeredB = await second.callStore.events.findOne({ callId: idB, type: 'AgentOffered' }).lean();
    const answeredA = await second.callStore.events.findOne({ callId: idA, type: 'AgentAnswered' }).lean();
    if (offeredB) expect(new Date(offeredB.at).getTime()).toBeGreaterThan(new Date(answeredA!.at).getTime());
    await b.result;
    const recB = await completedCall(second, '13700000612', 60_000);
    expect(recB.detail.timeline.filter((e) => e.type === 'CallAdopted')).toHaveLength(1);
  }, 240_000);

  it('a ring goes on across the restart with its original timing; the agent answers it after the restart', async () => {
    // A 20-s ring limit: the phone answers 12 s into the ring, after the new instance took over.
    const env = { RING_TIMEOUT_MS: '20000', RATING_TIMEOUT_MS: '2000' };
    const first = await start('adopt_ringing', env);
    await addAgents(first, [1001]);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 12_000, hangupAfterMs: 8000 });
    await eventually(() => first.callPath.agents.get(A1)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: '13700000641', timeoutMs: 90_000 });
    const before = await eventually(() => (sessionOf(first, '13700000641')?.snapshot().type === 'ringing' ? sessionOf(first, '13700000641') : null), 30_000, 20);
    await eventually(async () => (await storedStage(first, '13700000641')) === 'ringing', 10_000, 20);
    const callId = before.callId;

    await vanish(first);
    const second = await start('adopt_ringing', { ...env, MONGODB_URI: first.config.mongodb.uri });
    const after = await eventually(() => second.callPath.registry.get(callId), 30_000, 20);
    // Still ringing the same leg, the agent bound to it (unless the phone answered in between).
    expect(['ringing', 'connecting', 'talking']).toContain(after.snapshot().type);
    await eventually(() => after.snapshot().type === 'talking', 30_000, 50);

    expect((await call.result).success).toBe(true);
    const rec = await completedCall(second, '13700000641', 30_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
    expect(rec.detail.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'answered' })]);
    // Counted from the offer before the restart: the phone's 12 s, not the time since the restart.
    expect(rec.detail.attempts[0]!.ringMs).toBeGreaterThanOrEqual(12_000);
    expect(rec.detail.attempts[0]!.ringMs).toBeLessThan(20_000);
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'ringing' } })]);
  }, 180_000);

  it('a call whose state cannot be rebuilt (its stored events lost) hears the goodbye prompt and its record says so', async () => {
    const first = await start('adopt_lost');
    await addAgents(first, [1001], false);
    const call = await startCall({ callerNumber: '13700000621', timeoutMs: 90_000 });
    await eventually(async () => (await storedStage(first, '13700000621')) === 'queued', 30_000, 50);
    const callId = sessionOf(first, '13700000621')!.callId;

    await vanish(first);
    // Everything stored of the call is gone.
    const uri = first.config.mongodb.uri;
    const conn = await mongoose.createConnection(uri).asPromise();
    try {
      await conn.collection('call_events').deleteMany({ callId });
      await conn.collection('calls').deleteMany({ callId });
    } finally {
      await conn.close();
    }
    const second = await start('adopt_lost', { MONGODB_URI: uri });

    // The caller gets the goodbye prompt, then the BYE.
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(second, '13700000621', 30_000);
    expect(rec).toMatchObject({ callId, outcome: 'lost', endReason: 'not-rebuilt', hungUpBy: 'system' });
    const types = rec.detail.timeline.map((e) => e.type);
    expect(types).toEqual(['CallEntered', 'CallNotRebuilt', 'CallEnded']);
    expect(rec.detail.timeline[1]?.data).toMatchObject({ why: 'no stored events for an answered call' });
    // The goodbye prompt played to its end before the hang-up (it lasts over a second).
    const [, notRebuilt, ended] = rec.detail.timeline;
    expect(ended!.at - notRebuilt!.at).toBeGreaterThan(1000);
  }, 120_000);
});
