/**
 * The personal-data retention (docs/adr/0025) over the real database, as main.ts wires it: calls are
 * driven through the call machine and stored by the call path's own persistence (events, record,
 * caller index, callback request), four years ago and now; then the job runs, from the scheduler
 * (through the job lease) and at the same moment directly, as a second instance whose lease ran out.
 * - every old call loses the citizen's number and name (record, timeline, folded detail, events),
 *   keeps its times, outcome, queue, agents and rating; new calls are untouched, byte for byte;
 * - the caller index keeps only the new calls: a number with only old calls is gone, hint and all;
 * - old callback requests lose the number and the agent's note; an open one is closed `unreachable`;
 * - the KPIs and the ratings over the old period, and its call count, are the same before and after;
 * - each removal is counted once in the audit, though two runs met; a later run finds nothing;
 * - confidential callers' marks stay (they protect the citizen while the archive keeps orders).
 */
import { asAgentId, asCallId } from '../../../src/shared/ids';
import type { Actor } from '../../../src/domain/access';
import { startCall, transition } from '../../../src/domain/call/call.machine';
import { makeCallPathSettings } from '../../../src/domain/call/call.settings';
import type { CallEffect } from '../../../src/domain/call/call.effects';
import type { CallEvent } from '../../../src/domain/call/call.events';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import type { CallState } from '../../../src/domain/call/call.state';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { MongoCallPersistence } from '../../../src/adapters/db/call-persistence';
import { CALL_HISTORY_COLLECTION } from '../../../src/adapters/db/call-history';
import { PERSONAL_DATA_RETENTION_JOB } from '../../../src/composition/personal-data.module';
import { addAgents, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: 'bootstrap', role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const DAY = 86_400_000;
const settings = makeCallPathSettings({});

/** Citizens: A called four years ago and now; B and C only four years ago; D only now. */
const A = '13900000001';
const B = '13900000002';
const C = '13900000004';
const D = '13900000005';

/** A call driven through the call machine from `t0`, keeping its events and effects. */
class Call {
  state: CallState;
  now: number;
  readonly events: CallEvent[] = [];
  readonly effects: CallEffect[] = [];

  constructor(
    readonly callId: string,
    callerNumber: string,
    private readonly t0: number,
  ) {
    this.now = t0;
    const t = startCall({ callId: asCallId(callId), channelId: callId, callerNumber, calledNumber: '12345' }, this.ctx());
    this.state = t.state;
    this.events.push(...t.events);
    this.effects.push(...t.effects);
  }

  private ctx() {
    return { now: this.now, settings, queuePosition: 1 };
  }

  at(ms: number, input: CallInput): this {
    this.now = this.t0 + ms;
    const t = transition(this.state, input, this.ctx());
    this.state = t.state;
    this.events.push(...t.events);
    this.effects.push(...t.effects);
    return this;
  }

  finishPlayback(ms: number): this {
    const s = this.state as { playbackId?: string | null; announcePlaybackId?: string | null };
    const playbackId = s.playbackId ?? s.announcePlaybackId;
    if (!playbackId) throw new Error(`nothing plays in ${this.state.type}`);
    return this.at(ms, { type: 'PlaybackFinished', playbackId });
  }

  token(name: string): string {
    const t = this.effects.filter((e): e is Extract<CallEffect, { type: 'StartTimer' }> => e.type === 'StartTimer' && e.name === name).pop();
    if (!t) throw new Error(`no timer ${name}`);
    return t.token;
  }
}

/** Greeted, offered to `agentId`, answered after 3 s, 60 s of talk, rated with `digit`. */
function answered(callId: string, number: string, t0: number, agentId: string, digit: string): Call {
  const c = new Call(callId, number, t0).at(100, { type: 'Answered' }).finishPlayback(3000);
  c.at(5000, { type: 'AgentOffered', agentId: asAgentId(agentId), agentNumber: agentId.slice(-4), endpoint: `PJSIP/agent${agentId.slice(-4)}` });
  c.at(8000, { type: 'AgentAnswered', attempt: 1 }).finishPlayback(10_000).at(70_000, { type: 'AgentHungUp', attempt: 1 });
  return c.at(72_000, { type: 'Dtmf', digit }).finishPlayback(73_000);
}

/** Greeted, queued until the longest wait, then the caller presses 1 to be called back. */
function callbackLeft(callId: string, number: string, t0: number): Call {
  const c = new Call(callId, number, t0).at(100, { type: 'Answered' }).finishPlayback(3000);
  c.at(303_000, { type: 'MaxWaitTimeout', token: c.token('maxWait') }).at(305_000, { type: 'Dtmf', digit: '1' });
  return c.finishPlayback(308_000);
}

describe('personal data leaves call data after the retention period; the reports stay', () => {
  let sut: RunningSystem;
  let boss: string;
  const now = Date.now();
  // Four years ago, at a whole hour: the old period is one day from there.
  const tOld = Math.floor((now - 4 * 365 * DAY) / 3_600_000) * 3_600_000;
  const oldPeriod = `from=${tOld - 3_600_000}&to=${tOld + DAY}`;
  const oldCalls = ['old-1', 'old-2', 'old-3', 'old-4'];
  const newCalls = ['new-1', 'new-2'];

  async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sut.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${boss}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  const collection = (name: string) => sut.db.connection.collection(name);
  const calls = () => collection('calls');
  const requests = () => collection('callback_requests');
  /** Every document of the call data, as text, to look for a number anywhere in it. */
  async function callDataText(): Promise<string> {
    const all = await Promise.all(['calls', 'call_events', CALL_HISTORY_COLLECTION, 'callback_requests'].map((n) => collection(n).find({}).toArray()));
    return JSON.stringify(all);
  }

  beforeAll(async () => {
    sut = await startSystem('personal-data');
    // Requests are assigned to agents the call path knows.
    await addAgents(sut, [1001], false);
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
    const login = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss', password: 'supervisor-password' }) });
    boss = ((await login.json()) as { accessToken: string }).accessToken;

    // Stored as the call path stores them: events, then the folded record (which lists the call in the caller index), then the request.
    const persistence = new MongoCallPersistence(sut.callStore);
    const driven = [
      answered('old-1', A, tOld, 'agent-1001', '1'),
      callbackLeft('old-2', A, tOld + 3_600_000),
      answered('old-3', B, tOld + 2 * 3_600_000, 'agent-1002', '2'),
      callbackLeft('old-4', C, tOld + 3 * 3_600_000),
      answered('new-1', A, now - 60_000, 'agent-1001', '1'),
      callbackLeft('new-2', D, now - 30_000),
    ];
    for (const c of driven) {
      expect(c.state.type).toBe('ended');
      await persistence.append(c.events);
      await persistence.upsert(buildCallRecord(c.events));
      for (const e of c.effects) if (e.type === 'PersistCallbackRequest') await persistence.save(e.request);
    }
    // The work-order side names a caller on the call's record when an order gives the name.
    await calls().updateOne({ _id: 'old-1' } as never, { $set: { callerName: '张三' } });
    // Old-4's request was assigned and closed with the agent's note.
    const old4 = await requests().findOne({ callId: 'old-4' });
    expect((await api('POST', `/api/callbacks/${String(old4?._id)}/assign`, { agentId: 'agent-1001' })).status).toBe(200);
    expect((await api('POST', `/api/callbacks/${String(old4?._id)}/close`, { result: 'reached', note: '张女士说下午在家' })).status).toBe(200);
    // B asked for confidentiality four years ago.
    await collection('confidential_callers').insertOne({ _id: B, since: new Date(tOld), sources: ['order:wo-old'] } as never);
  }, 120_000);

  afterAll(async () => {
    await sut?.stop();
  });

  it('removes the citizens\' numbers and names from the old calls only, keeping what the reports count', async () => {
    expect(sut.config.personalData.retentionDays).toBe(1096);
    const text = await callDataText();
    for (const n of [A, B, C, D]) expect(text).toContain(n);
    const before = {
      kpi: await api('GET', `/api/kpi/calls?${oldPeriod}`),
      ratings: await api('GET', `/api/ratings/summary?${oldPeriod}`),
      list: await api<{ total: number }>('GET', `/api/calls?${oldPeriod}`),
      oldRecords: await calls().find({ _id: { $in: oldCalls } } as never).sort({ _id: 1 }).toArray(),
      newRecords: await calls().find({ _id: { $in: newCalls } } as never).sort({ _id: 1 }).toArray(),
      oldEvents: await collection('call_events').find({ callId: { $in: oldCalls } }).sort({ callId: 1, seq: 1 }).toArray(),
      newEvents: await collection('call_events').find({ callId: { $in: newCalls } }).sort({ callId: 1, seq: 1 }).toArray(),
      newRequest: await requests().findOne({ callId: 'new-2' }),
    };
    expect(before.kpi.status).toBe(200);
    expect(before.list.body.total).toBe(4);
    expect(before.kpi.body).toMatchObject({ answered: 2 });
    // Before: the screen pop of A's new call lists A's two old calls.
    const historyBefore = await api<{ calls: { callId: string }[] }>('GET', '/api/calls/new-1/caller-history');
    expect(historyBefore.body.calls.map((c) => c.callId).sort()).toEqual(['old-1', 'old-2']);
    expect(before.oldEvents.filter((e) => (e['data'] as Record<string, unknown>)['callerNumber'] !== undefined).map((e) => e['type']).sort())
      .toEqual(['CallEntered', 'CallEntered', 'CallEntered', 'CallEntered', 'CallbackRequested', 'CallbackRequested']);

    // The scheduler's run (lease taken) and a second one at once, as an instance whose lease ran out would.
    const [scheduled] = await Promise.all([sut.workOrders.scheduler?.runNow(PERSONAL_DATA_RETENTION_JOB), sut.personalData.retention.run()]);
    expect(scheduled).toBe('ran');

    // Old records: no number or name anywhere; everything else as it was.
    const oldRecords = await calls().find({ _id: { $in: oldCalls } } as never).sort({ _id: 1 }).toArray();
    oldRecords.forEach((r, i) => {
      const was = before.oldRecords[i] as Record<string, unknown>;
      expect(r).toMatchObject({ callerNumber: '', callerName: null, personalDataRemovedAt: expect.any(Date) });
      const kept = (d: Record<string, unknown>) => {
        const { callerNumber: _n, callerName: _c, timeline: _t, detail: _d, personalDataRemovedAt: _p, ...rest } = d;
        return rest;
      };
      expect(kept(r)).toEqual(kept(was));
      const detail = r['detail'] as Record<string, unknown>;
      const { callerNumber: _dn, timeline: _dt, ...detailRest } = was['detail'] as Record<string, unknown>;
      expect(detail).toMatchObject({ ...detailRest, callerNumber: '' });
      expect((r['timeline'] as unknown[]).length).toBe((was['timeline'] as unknown[]).length);
    });
    expect(JSON.stringify(oldRecords)).not.toMatch(/1390000000\d|张三/);
    // New records untouched.
    expect(await calls().find({ _id: { $in: newCalls } } as never).sort({ _id: 1 }).toArray()).toEqual(before.newRecords);

    // Events: the same events, without the number; the new calls' untouched.
    const oldEvents = await collection('call_events').find({ callId: { $in: oldCalls } }).sort({ callId: 1, seq: 1 }).toArray();
    expect(oldEvents.map((e) => [e['callId'], e['seq'], e['type'], e['at']])).toEqual(before.oldEvents.map((e) => [e['callId'], e['seq'], e['type'], e['at']]));
    expect(JSON.stringify(oldEvents)).not.toMatch(/1390000000\d/);
    expect(await collection('call_events').find({ callId: { $in: newCalls } }).sort({ callId: 1, seq: 1 }).toArray()).toEqual(before.newEvents);

    // Caller index: A keeps its new call only; B and C are gone, hint and all.
    const index = await collection(CALL_HISTORY_COLLECTION).find({}).toArray();
    expect(index.map((d) => String(d['_id'])).filter((id) => id.startsWith('s|')).sort()).toEqual([expect.stringMatching(new RegExp(`^s\\|${A}\\|`)), expect.stringMatching(new RegExp(`^s\\|${D}\\|`))]);
    expect(index.filter((d) => String(d['_id']).startsWith('s|')).map((d) => (d['v'] as { callId: string }).callId).sort()).toEqual(['new-1', 'new-2']);
    expect(JSON.stringify(index)).not.toContain(B);
    expect(JSON.stringify(index)).not.toContain(C);
    // The screen pop's history of A's new call lists no old call, and a new call of A is listed after the trim.
    const history = await api<{ calls: { callId: string }[] }>('GET', '/api/calls/new-1/caller-history');
    expect(history.status).toBe(200);
    expect(history.body.calls).toEqual([]);

    // Callback requests: numbers and note gone; the open one closed unreachable; the new one untouched.
    const old2 = await requests().findOne({ callId: 'old-2' });
    expect(old2).toMatchObject({ callerNumber: '', status: 'closed', result: 'unreachable', closedBy: 'personal-data-retention', personalDataRemovedAt: expect.any(Date) });
    const old4 = await requests().findOne({ callId: 'old-4' });
    expect(old4).toMatchObject({ callerNumber: '', note: null, status: 'closed', result: 'reached', closedBy: expect.any(String), personalDataRemovedAt: expect.any(Date) });
    expect(old4?.['closedBy']).not.toBe('personal-data-retention');
    expect(await requests().findOne({ callId: 'new-2' })).toEqual(before.newRequest);

    // Nowhere in the call data: B and C (old only); A and D only in new calls.
    const after = await callDataText();
    expect(after).not.toContain(B);
    expect(after).not.toContain(C);
    expect(after).toContain(A);
    expect(after).toContain(D);

    // The reports over the old period add up as before.
    expect(await api('GET', `/api/kpi/calls?${oldPeriod}`)).toEqual(before.kpi);
    expect(await api('GET', `/api/ratings/summary?${oldPeriod}`)).toEqual(before.ratings);
    expect((await api<{ total: number }>('GET', `/api/calls?${oldPeriod}`)).body.total).toBe(4);
    // Searching the old calls by number finds nothing any more.
    expect((await api<{ total: number }>('GET', `/api/calls?${oldPeriod}&caller=${A}`)).body.total).toBe(0);

    // Audited: each call and request counted once, whichever run removed it.
    const runs = await collection('personal_data_removals').find({}).toArray();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const sum = (f: string) => runs.reduce((s, r) => s + Number(r[f]), 0);
    expect(sum('calls')).toBe(4);
    expect(sum('callbacks')).toBe(2);
    for (const r of runs) expect(r).toMatchObject({ by: 'personal-data-retention', retentionDays: 1096, at: expect.any(Date), before: expect.any(Date) });

    // A confidential caller's mark stays.
    expect(await collection('confidential_callers').findOne({ _id: B } as never)).not.toBeNull();

    // Nothing more to do: no new audit entry.
    expect(await sut.personalData.retention.run()).toEqual({ calls: 0, events: 0, callerIndexEntries: 0, callbacks: 0 });
    expect(await collection('personal_data_removals').countDocuments()).toBe(runs.length);
  }, 60_000);

  it('a new call of a caller whose old calls were trimmed is listed in the index and read back', async () => {
    const persistence = new MongoCallPersistence(sut.callStore);
    const c = answered('new-3', A, Date.now() - 10_000, 'agent-1002', '1');
    await persistence.append(c.events);
    await persistence.upsert(buildCallRecord(c.events));
    const history = await api<{ calls: { callId: string }[] }>('GET', '/api/calls/new-3/caller-history');
    expect(history.body.calls.map((x) => x.callId)).toEqual(['new-1']);
  });
});
