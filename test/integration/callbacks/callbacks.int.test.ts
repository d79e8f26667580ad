/**
 * Callback requests (回拨) placed by an agent, and calls' recordings, with real SIP: the product as
 * main.ts wires it (RECORD_CALLS on) against the lab's Asterisk; the agent's phone and the citizen
 * (at the trunk's contact) are sipp.
 * - a supervisor assigns a request left on overflow; the agent places it from the console's API: the
 *   agent's phone rings first, then the citizen's through the trunk; the two talk, the citizen hangs up;
 *   the placed call is recorded on the request (its own call id, times, outcome, the recording's name);
 * - the recording is streamed to the agent (whole, a byte range, 416 past the end), never to another
 *   agent; every access is audited; the request is closed with its result;
 * - the inbound call's case is confidential: the number is masked for the supervisor, who no longer
 *   hears the recording; the assigned agent still does;
 * - a busy citizen: the call ends citizen-busy, nothing recorded, the agent's leg hung up;
 * - past the retention period the recording is deleted from Asterisk, the deletion audited, the call
 *   forgets it;
 * - a call left in progress by an instance that died is settled once Asterisk shows its legs gone, the
 *   one being placed here is not; a stop hangs up the calls being placed and records their ends.
 */
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asUserId } from '../../../src/shared/ids';
import { callbackRequestModel } from '../../../src/adapters/db/models/callback-request.model';
import { callRecordModel } from '../../../src/adapters/db/models/call-record.model';
import { ensureAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCitizenPhone, stopAllSipp } from '../../support/sipp';
import { addAgents, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CITIZEN = '13987650001';

type Call = { callId: string; agentId: string; placedAt: number; agentAnsweredAt: number | null; citizenAnsweredAt: number | null; endedAt: number | null; outcome: string; recording: string | null; talkMs: number | null };
type Callback = { id: string; callId: string; callerNumber: string; status: string; assignedAgentId: string | null; result: string | null; calls: Call[]; masked: boolean };

describe('callbacks placed by an agent over the trunk, and their recordings (real SIP)', () => {
  let sut: RunningSystem;
  const t = {} as Record<'agent' | 'other' | 'boss', string>;

  async function login(username: string, password: string): Promise<string> {
    const res = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  async function api<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sut.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function listen(token: string, callId: string, range?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${sut.baseUrl}/api/calls/${callId}/recording`, { headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  let seq = 0;
  /** A request as the call path stores it on overflow, from the inbound call `callId`; assigned to agent-1001. */
  async function assignedRequest(callerNumber: string): Promise<Callback> {
    seq += 1;
    const requestedAt = new Date();
    const d = await callbackRequestModel(sut.db.connection).create({
      callId: `overflow-${seq}-${process.pid}`, callerNumber, calledNumber: '12345', queueId: 'general', requestedAt, dayKey: requestedAt.toISOString().slice(0, 10),
    });
    const assigned = await api<Callback>(t.boss, 'POST', `/api/callbacks/${String(d._id)}/assign`, { agentId: 'agent-1001' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', assignedAgentId: 'agent-1001', calls: [] });
    return assigned.body;
  }

  /** The request once its placed call has ended. */
  function ended(id: string): Promise<Callback> {
    return eventually(async () => {
      const r = await api<Callback>(t.agent, 'GET', `/api/callbacks/${id}`);
      return r.body.calls.length > 0 && r.body.calls.every((c) => c.outcome !== 'in-progress') ? r.body : null;
    }, 60_000, 200);
  }

  beforeAll(async () => {
    sut = await startSystem('callbacks', { RECORD_CALLS: 'true', CALLBACK_RING_SECONDS: '8' });
    await eventually(() => sut.ari.isConnected(), 30_000);
    // Logged in, not ready (示忙): the agent takes no inbound call while calling back.
    await addAgents(sut, [1001], false);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
    t.agent = await login('agent1001', 'agent-password-1');
    t.other = await login('agent1002', 'agent-password-2');
    t.boss = await login('boss', 'supervisor-password');
    // Agent 1001's phone answers after 300 ms (stopped in afterAll).
    await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000, 200);
  }, 120_000);

  afterAll(async () => {
    await stopAllSipp();
    await sut?.stop();
  });

  let placed: Call;
  let request: Callback;

  it('the agent places an assigned request: agent leg first, then the citizen; the call is recorded on the request', async () => {
    request = await assignedRequest(CITIZEN);
    // Not the other agent's to place (404), and a supervisor has no phone (403).
    expect((await api(t.other, 'POST', `/api/callbacks/${request.id}/call`)).status).toBe(404);
    expect((await api(t.boss, 'POST', `/api/callbacks/${request.id}/call`)).status).toBe(403);
    // A Ready agent would be offered inbound calls meanwhile: refused until not ready.
    sut.callPath.agents.setReady(asAgentId('agent-1001'));
    const refused = await api(t.agent, 'POST', `/api/callbacks/${request.id}/call`);
    expect(refused.status).toBe(409);
    sut.callPath.agents.setNotReady(asAgentId('agent-1001'), '回拨');

    const citizen = await startCitizenPhone({ mode: 'answer', answerAfterMs: 500, hangupAfterMs: 4000, maxCalls: 1 });
    const res = await api<Call>(t.agent, 'POST', `/api/callbacks/${request.id}/call`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ agentId: 'agent-1001', outcome: 'in-progress' });
    expect(res.body.callId).toMatch(/^callback-/);
    // One call at a time.
    expect((await api(t.agent, 'POST', `/api/callbacks/${request.id}/call`)).status).toBe(409);

    const done = await ended(request.id);
    const citizenRun = await citizen.exited;
    expect(citizenRun.stats?.successfulCalls).toBe(1);
    expect(done.calls).toHaveLength(1);
    placed = done.calls[0] as Call;
    expect(placed).toMatchObject({ callId: res.body.callId, outcome: 'answered', recording: `callback-${res.body.callId}` });
    // The agent answered before the citizen was called; the talk runs from the citizen's answer to the hang-up.
    expect(placed.agentAnsweredAt).not.toBeNull();
    expect(placed.citizenAnsweredAt as number).toBeGreaterThanOrEqual(placed.agentAnsweredAt as number);
    expect(placed.talkMs).toBe((placed.endedAt as number) - (placed.citizenAnsweredAt as number));
    expect(placed.talkMs as number).toBeGreaterThan(0);
    expect(done.status).toBe('assigned');
  }, 120_000);

  it('the recording streams to the agent (whole and by range), not to another agent; every access is audited', async () => {
    const whole = await eventually(async () => {
      const r = await listen(t.agent, placed.callId);
      return r.status === 200 ? r : null;
    }, 20_000, 250);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(whole.headers.get('content-length'))).toBe(whole.bytes.length);
    expect(whole.bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(whole.bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
    // Several seconds of 8 kHz 16-bit audio.
    expect(whole.bytes.length).toBeGreaterThan(16_000);

    const part = await listen(t.agent, placed.callId, 'bytes=100-1123');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1123/${whole.bytes.length}`);
    expect(part.bytes.equals(whole.bytes.subarray(100, 1124))).toBe(true);
    const past = await listen(t.agent, placed.callId, `bytes=${whole.bytes.length}-`);
    expect(past.status).toBe(416);

    expect((await listen(t.other, placed.callId)).status).toBe(404);
    expect((await listen(t.boss, placed.callId)).status).toBe(200);

    const access = await api<{ items: { userId: string; role: string; range: { start: number; end: number } | null }[] }>(t.boss, 'GET', `/api/calls/${placed.callId}/recording/access`);
    expect(access.status).toBe(200);
    // Whole, then the range, then the supervisor: refused requests are not listens.
    expect(access.body.items.map((e) => [e.role, e.range])).toEqual([
      ['agent', null], ['agent', { start: 100, end: 1123 }], ['supervisor', null],
    ]);
    expect((await api(t.agent, 'GET', `/api/calls/${placed.callId}/recording/access`)).status).toBe(403);
  }, 60_000);

  it('a confidential case: the number masked for the supervisor, who no longer hears it; the assigned agent does', async () => {
    // A confidential order was made from the inbound call (the work-order side marks the call's record).
    await callRecordModel(sut.db.connection).collection.updateOne({ _id: request.callId } as never, { $set: { confidential: true } }, { upsert: true });
    const boss = await api<Callback>(t.boss, 'GET', `/api/callbacks/${request.id}`);
    expect(boss.body).toMatchObject({ callerNumber: '139****0001', masked: true });
    const list = await api<{ items: Callback[] }>(t.boss, 'GET', '/api/callbacks');
    expect(list.body.items.find((c) => c.id === request.id)).toMatchObject({ callerNumber: '139****0001', masked: true });
    expect((await api<Callback>(t.agent, 'GET', `/api/callbacks/${request.id}`)).body).toMatchObject({ callerNumber: CITIZEN, masked: false });
    expect((await listen(t.boss, placed.callId)).status).toBe(404);
    expect((await listen(t.agent, placed.callId)).status).toBe(200);
  });

  it('a caller marked confidential in the directory (no order, the call itself unmarked): the number masked for the supervisor, not for the assigned agent', async () => {
    const caller = '13900000077';
    const r = await assignedRequest(caller);
    expect((await api<Callback>(t.boss, 'GET', `/api/callbacks/${r.id}`)).body).toMatchObject({ callerNumber: caller, masked: false });
    const marked = await api(t.boss, 'POST', '/api/callers/confidential', { number: caller, reason: '来电人要求保密' });
    expect(marked.status).toBe(201);
    const boss = await eventually(async () => {
      const one = await api<Callback>(t.boss, 'GET', `/api/callbacks/${r.id}`);
      return one.body.masked ? one.body : null;
    }, 10_000, 100);
    expect(boss).toMatchObject({ callerNumber: '139****0077', masked: true });
    const list = await api<{ items: Callback[] }>(t.boss, 'GET', '/api/callbacks');
    expect(list.body.items.find((c) => c.id === r.id)).toMatchObject({ callerNumber: '139****0077', masked: true });
    expect(JSON.stringify(list.body)).not.toContain(caller);
    expect((await api<Callback>(t.agent, 'GET', `/api/callbacks/${r.id}`)).body).toMatchObject({ callerNumber: caller, masked: false });
    expect((await api(t.agent, 'POST', `/api/callbacks/${r.id}/close`, { result: 'unreachable' })).status).toBe(200);
  });

  it('closed with its result; a closed request cannot be placed again', async () => {
    const closed = await api<Callback>(t.agent, 'POST', `/api/callbacks/${request.id}/close`, { result: 'reached', note: '已回拨，市民表示问题已解决' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', result: 'reached' });
    expect((await api(t.agent, 'POST', `/api/callbacks/${request.id}/call`)).status).toBe(409);
    expect((await api(t.agent, 'POST', `/api/callbacks/${request.id}/close`, { result: 'reached' })).status).toBe(409);
  });

  it('a busy citizen: the call ends citizen-busy, nothing recorded', async () => {
    const r = await assignedRequest('13987650002');
    const citizen = await startCitizenPhone({ mode: 'busy', maxCalls: 1 });
    expect((await api(t.agent, 'POST', `/api/callbacks/${r.id}/call`)).status).toBe(202);
    const done = await ended(r.id);
    expect(done.calls[0]).toMatchObject({ outcome: 'citizen-busy', citizenAnsweredAt: null, recording: null, talkMs: null });
    expect(done.calls[0]?.agentAnsweredAt).not.toBeNull();
    await citizen.exited;
    // Both legs are gone from Asterisk.
    const ari = (await ensureAsterisk());
    const channels = (await (await fetch(`${ari.ariUrl}/ari/channels`, { headers: { authorization: `Basic ${Buffer.from(`${ari.ariUsername}:${ari.ariPassword}`).toString('base64')}` } })).json()) as { id: string }[];
    expect(channels.filter((c) => c.id.startsWith(done.calls[0]?.callId ?? '-'))).toEqual([]);
  }, 60_000);

  it('past the retention period the recording is deleted from Asterisk, audited, and forgotten by the call', async () => {
    const lab = await ensureAsterisk();
    const stored = (name: string) =>
      fetch(`${lab.ariUrl}/ari/recordings/stored/${name}`, { headers: { authorization: `Basic ${Buffer.from(`${lab.ariUsername}:${lab.ariPassword}`).toString('base64')}` } }).then((r) => r.status);
    expect(await stored(placed.recording as string)).toBe(200);
    // Nothing is due yet: the call was made just now.
    expect(await sut.callbacks.retention.run()).toEqual({ deleted: 0 });
    expect(await stored(placed.recording as string)).toBe(200);
    // The call is made four years older than it is (RECORDING_RETENTION_DAYS: 3 years by default).
    expect(sut.config.recordings.retentionDays).toBeGreaterThanOrEqual(3 * 365);
    const fourYears = 4 * 365 * 86_400_000;
    await callbackRequestModel(sut.db.connection).updateOne({ 'calls.callId': placed.callId }, { $set: { 'calls.$.placedAt': new Date(placed.placedAt - fourYears) } });
    expect(await sut.callbacks.retention.run()).toEqual({ deleted: 1 });
    expect(await stored(placed.recording as string)).toBe(404);
    const audit = await sut.db.connection.collection('recording_deletions').find({ callId: placed.callId }).toArray();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ recording: placed.recording, by: 'recording-retention', retentionDays: sut.config.recordings.retentionDays });
    expect((await api<Callback>(t.agent, 'GET', `/api/callbacks/${request.id}`)).body.calls[0]?.recording).toBeNull();
    expect((await listen(t.agent, placed.callId)).status).toBe(404);
    // A second run finds nothing more.
    expect(await sut.callbacks.retention.run()).toEqual({ deleted: 0 });
  });

  it('a call an instance left in progress is settled once its legs are gone, not the one being placed here; a stop ends the calls being placed', async () => {
    // Left by an instance that died ten minutes ago (never recorded its end; Asterisk has no leg of it).
    const requestedAt = new Date();
    const orphan = await callbackRequestModel(sut.db.connection).create({
      callId: `overflow-orphan-${process.pid}`, callerNumber: '13987650003', calledNumber: '12345', queueId: 'general', requestedAt, dayKey: requestedAt.toISOString().slice(0, 10),
      status: 'assigned', assignedAgentId: 'agent-1001',
      calls: [{ callId: 'callback-orphan', agentId: 'agent-1001', placedAt: new Date(Date.now() - 10 * 60_000), placedBy: 'u', agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: null, outcome: 'in-progress', recording: null, talkMs: null }],
    });
    // And a call placed now whose citizen talks until hung up.
    const live = await assignedRequest('13987650004');
    const citizen = await startCitizenPhone({ mode: 'answer', answerAfterMs: 300, maxCalls: 1 });
    const placedLive = await api<Call>(t.agent, 'POST', `/api/callbacks/${live.id}/call`);
    expect(placedLive.status).toBe(202);
    const current = async () => (await api<Callback>(t.agent, 'GET', `/api/callbacks/${live.id}`)).body.calls[0];
    // Asterisk has no leg of the orphan (asked over ARI): settled; the call being placed here is left alone.
    expect(await sut.callbacks.callbacks.settleStale()).toBe(1);
    expect(await current()).toMatchObject({ outcome: 'in-progress' });
    const settled = await callbackRequestModel(sut.db.connection).findById(orphan._id).lean();
    expect(settled?.calls?.[0]).toMatchObject({ outcome: 'failed' });
    expect(settled?.calls?.[0]?.endedAt).toBeTruthy();
    // Both legs up (the citizen answered): a stop hangs them up and records the end.
    // Both legs answered (the channels exist: the citizen's is up once the citizen phone has answered).
    const lab = await ensureAsterisk();
    const channels = async () => ((await (await fetch(`${lab.ariUrl}/ari/channels`, { headers: { authorization: `Basic ${Buffer.from(`${lab.ariUsername}:${lab.ariPassword}`).toString('base64')}` } })).json()) as { id: string; state: string }[])
      .filter((c) => c.id.startsWith(placedLive.body.callId));
    await eventually(async () => (await channels()).filter((c) => c.state === 'Up').length === 2, 30_000, 200);
    expect(await current()).toMatchObject({ outcome: 'in-progress' });
    await sut.callbacks.stop();
    const after = await current();
    expect(after).toMatchObject({ outcome: 'answered' });
    expect(after?.endedAt).not.toBeNull();
    expect(await channels()).toEqual([]);
    expect((await citizen.exited).stats?.successfulCalls).toBe(1);
  }, 90_000);
});
