/**
 * The automated callback survey (回访) with real SIP: the survey job originates through the lab's
 * trunk to a sipp "citizen" at TRUNK_CONTACT, plays the prompts, reads RFC 2833 keys, and records
 * the result on the order with the call's id. Answered with keys, busy (486), never answered, hung
 * up mid-survey: each gives its record and its next attempt; the last unanswered attempt closes the
 * order as unreachable; two instances running the job at once call each citizen once; an attempt
 * claimed by an instance that died before recording it is taken over after the claim's lease, by one
 * of two instances, and the citizen is called once.
 */
import { AriConnection } from '../../../src/adapters/ari/ari-connection';
import { AriSurveyDialer } from '../../../src/adapters/ari/ari-survey-dialer';
import { DEFAULT_SURVEY_JOB_OPTIONS, surveyAttempts, surveyClaimKey } from '../../../src/app/work-orders/lifecycle/survey-job';
import { MongoSurveyClaims } from '../../../src/adapters/db/repositories/survey-claim.repository';
import { planSurveyAttempt, type SurveyPolicy } from '../../../src/domain/work-order';
import type { Actor } from '../../../src/domain/access';
import { silentLogger } from '../../../src/shared/logger';
import { ensureAsterisk } from '../../support/asterisk';
import { startCitizenPhone, stopAllSipp } from '../../support/sipp';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

type Order = {
  id: string; status: string;
  callbacks: { result: string; level?: string; resolution?: string; surveyCallId?: string; at: string }[];
  closure?: { kind: string; result?: string };
};

const MIN = 60_000;

describe('automated callback survey over the trunk (real Asterisk, sipp citizen)', () => {
  const clock = new TestClock(new Date('2026-04-06T10:00:00+08:00').getTime());
  const conns: AriConnection[] = [];
  let app: WorkOrderApp;
  let app2: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let admin: Login;
  let water: Login;
  let policy: SurveyPolicy;
  let maxAttempts: number;

  async function dialer(app: string): Promise<AriSurveyDialer> {
    const lab = await ensureAsterisk();
    const conn = new AriConnection({ url: lab.ariUrl, username: lab.ariUsername, password: lab.ariPassword, app, maxSockets: 8 }, silentLogger);
    conns.push(conn);
    await conn.start();
    return new AriSurveyDialer(conn, { app, ringSeconds: 4, keyTimeoutMs: 4000 }, silentLogger);
  }

  beforeAll(async () => {
    const dbUri = await workOrderDbUri(__filename);
    app = await startWorkOrderApp(dbUri, clock, { survey: { dialer: await dialer(`survey-a-${process.pid}`), concurrency: 2 } });
    app2 = await startWorkOrderApp(dbUri, clock, { survey: { dialer: await dialer(`survey-b-${process.pid}`), concurrency: 2 } });
    [agent, sup, admin, water] = await Promise.all([login(app, 'agent'), login(app, 'supervisor'), login(app, 'admin'), login(app, 'unit_handler', 'unit-water')]);
    const preset = (await call<Record<string, unknown> & { version: number; survey: SurveyPolicy; callback: { maxAttempts: number } }>(app, 'GET', '/api/presets/beijing-2023', admin)).body;
    policy = { ...preset.survey, enabled: true };
    maxAttempts = preset.callback.maxAttempts;
    const put = await call(app, 'PUT', '/api/presets/beijing-2023', admin, { ...preset, version: preset.version + 1, survey: policy });
    expect(put.status).toBe(200);
    await Promise.all([app.module.regulation.load(), app2.module.regulation.load()]);
  }, 300_000);
  afterAll(async () => {
    await stopAllSipp();
    await Promise.all(conns.map((c) => c.stop()));
    await app2?.stop({ drop: false });
    await app?.stop();
  });

  let phoneSeq = 0;
  async function act(id: string, who: Login, body: Record<string, unknown>): Promise<Order> {
    const res = await call<Order>(app, 'POST', `/api/work-orders/${id}/actions`, who, body);
    if (res.status !== 200) throw new Error(`${String(body['type'])}: ${res.status} ${res.text}`);
    return res.body;
  }
  async function awaitingCallback(): Promise<Order> {
    phoneSeq += 1;
    const res = await call<Order>(app, 'POST', '/api/work-orders', agent, {
      caller: { name: '王五', phone: `1391000${String(1000 + phoneSeq)}`, callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: `路灯不亮 ${phoneSeq}`, areaCode: '110105',
    });
    expect(res.status).toBe(201);
    const o = res.body;
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    await act(o.id, water, { type: 'sign' });
    await act(o.id, water, { type: 'complete', summary: '已修复' });
    await act(o.id, sup, { type: 'passReview' });
    const done = await act(o.id, water, { type: 'recordFeedback', channel: 'phone' });
    expect(done.status).toBe('PENDING_CALLBACK');
    return done;
  }
  const read = async (id: string): Promise<Order> => (await call<Order>(app, 'GET', `/api/work-orders/${id}`, sup)).body;
  const supervisor: Actor = { userId: 'survey-test-supervisor', role: 'supervisor', agentId: null, unitId: null, groupId: null };
  /** When the next attempt is planned, from the order as stored. */
  async function nextAttempt(id: string): Promise<ReturnType<typeof planSurveyAttempt>> {
    const order = await app.module.orders.get(supervisor, id);
    return planSurveyAttempt(order, policy, maxAttempts, surveyAttempts(order), new Date(clock.now()));
  }
  /** Closes every other order awaiting a callback (each test surveys only its own). */
  async function only(keep: readonly string[]): Promise<void> {
    const { items } = await app.module.orders.list(supervisor, { status: ['PENDING_CALLBACK'] }, 1, 100);
    for (const o of items) if (!keep.includes(o.id)) await app.module.orders.actAsSystem(o.id, { type: 'recordCallback', result: 'declined' });
  }

  it('the citizen answers and presses 1 (solved) and 2 (满意): recorded with the call id, the order closes', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    const citizen = await startCitizenPhone({ mode: 'answer', digits: [{ digit: '1', atMs: 1500 }, { digit: '2', atMs: 3500 }] });
    const r = await app.module.survey!.run();
    expect(r).toMatchObject({ due: 1, placed: 1, answered: 1, unreachable: 0 });
    const after = await read(o.id);
    expect(after.callbacks).toHaveLength(1);
    expect(after.callbacks[0]).toMatchObject({ result: 'satisfied', level: '满意', resolution: 'resolved' });
    expect(after.callbacks[0]?.surveyCallId).toMatch(/^survey-/);
    expect(after.status).toBe('CLOSED');
    const phone = await citizen.exited;
    expect(phone.success).toBe(true);
    expect(phone.stats?.successfulCalls).toBe(1);
  });

  it('busy (486): an unreachable attempt, the next one after retryAfterMinutes; the last closes the order as unreachable', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    const citizen = await startCitizenPhone({ mode: 'busy' });
    const first = await app.module.survey!.run();
    expect(first).toMatchObject({ placed: 1, unreachable: 1 });
    let after = await read(o.id);
    expect(after.callbacks.map((c) => c.result)).toEqual(['unreachable']);
    expect(after.callbacks[0]?.surveyCallId).toMatch(/^survey-/);
    expect(after.status).toBe('PENDING_CALLBACK');
    const plan = await nextAttempt(o.id);
    // Attempts are spread over `overDays`: the 2nd comes overDays/maxAttempts after the 1st (10:00, inside the hours).
    const spread = (policy.overDays * 24 * 60 * MIN) / maxAttempts;
    expect(spread).toBeGreaterThan(policy.retryAfterMinutes * MIN);
    expect(plan).toEqual({ kind: 'call', at: new Date(new Date(after.callbacks[0]!.at).getTime() + spread) });
    // Not due yet: nobody is called.
    expect(await app.module.survey!.run()).toMatchObject({ due: 0, placed: 0 });
    for (let k = 2; k <= maxAttempts; k += 1) {
      const p = await nextAttempt(o.id);
      if (p.kind !== 'call') throw new Error(`attempt ${k} not planned`);
      clock.set(p.at);
      expect(await app.module.survey!.run()).toMatchObject({ placed: 1, unreachable: 1 });
    }
    after = await read(o.id);
    expect(after.callbacks.map((c) => c.result)).toEqual(Array.from({ length: maxAttempts }, () => 'unreachable'));
    expect(after.status).toBe('CLOSED');
    expect(after.closure).toEqual({ kind: 'callback', result: 'unreachable' });
    const phone = await citizen.stop();
    expect(phone.stats?.successfulCalls).toBe(maxAttempts);
    clock.set(new Date('2026-04-07T10:00:00+08:00'));
  });

  it('never answered: the ring limit ends the call, an unreachable attempt with its next one planned', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    const citizen = await startCitizenPhone({ mode: 'never' });
    expect(await app.module.survey!.run()).toMatchObject({ placed: 1, unreachable: 1, answered: 0 });
    const after = await read(o.id);
    expect(after.callbacks.map((c) => c.result)).toEqual(['unreachable']);
    expect(after.status).toBe('PENDING_CALLBACK');
    expect((await nextAttempt(o.id)).kind).toBe('call');
    const phone = await citizen.stop();
    // It rang, and the survey cancelled it (CANCEL → 200, 487 → ACK: the scenario's end).
    expect(phone.stats?.successfulCalls).toBe(1);
    clock.set(new Date('2026-04-08T10:00:00+08:00'));
  });

  it('hung up after the first answer: no result, an unreachable attempt, the next one planned', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    const citizen = await startCitizenPhone({ mode: 'answer', digits: [{ digit: '1', atMs: 1500 }], hangupAfterMs: 2500 });
    expect(await app.module.survey!.run()).toMatchObject({ placed: 1, answered: 0, unreachable: 1 });
    const after = await read(o.id);
    expect(after.callbacks).toHaveLength(1);
    expect(after.callbacks[0]).toMatchObject({ result: 'unreachable' });
    expect(after.callbacks[0]?.level).toBeUndefined();
    expect(after.status).toBe('PENDING_CALLBACK');
    expect((await nextAttempt(o.id)).kind).toBe('call');
    expect((await citizen.exited).success).toBe(true);
    clock.set(new Date('2026-04-09T10:00:00+08:00'));
  });

  it('outside the calling hours nobody is called', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    clock.set(new Date('2026-04-09T20:30:00+08:00'));
    expect(await app.module.survey!.run()).toMatchObject({ due: 0, placed: 0 });
    expect((await read(o.id)).callbacks).toHaveLength(0);
    clock.set(new Date('2026-04-10T10:00:00+08:00'));
  });

  it('two instances running the job at once call each citizen once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await awaitingCallback()).id);
    await only(ids);
    const citizen = await startCitizenPhone({ mode: 'busy' });
    const [a, b] = await Promise.all([app.module.survey!.run(), app2.module.survey!.run()]);
    expect(a.placed + b.placed).toBe(ids.length);
    // Each run placed or found taken every order it planned; an order the other run had already
    // recorded before this one planned is not due any more (how many depends on the machine's load).
    expect(a.placed + a.taken).toBe(a.due);
    expect(b.placed + b.taken).toBe(b.due);
    expect(a.taken + b.taken).toBeLessThanOrEqual(ids.length);
    for (const id of ids) expect((await read(id)).callbacks).toHaveLength(1);
    const phone = await citizen.stop();
    expect(phone.stats?.successfulCalls).toBe(ids.length);
  });

  it('an instance that died mid-attempt: its claim blocks the attempt until the lease ends, then one of two instances takes it over and calls once', async () => {
    const o = await awaitingCallback();
    await only([o.id]);
    const order = await app.module.orders.get(supervisor, o.id);
    const lease = DEFAULT_SURVEY_JOB_OPTIONS.claimLeaseMs;
    // Another instance claimed attempt 1 and died before recording it: no renewal, never finished.
    const dead = new MongoSurveyClaims(app.db.connection);
    expect(await dead.claim(surveyClaimKey(order, 1), o.id, 'dead-instance', new Date(clock.now()), lease)).toBe(true);
    const citizen = await startCitizenPhone({ mode: 'busy' });
    expect(await app2.module.survey!.run()).toMatchObject({ due: 1, placed: 0, taken: 1 });
    clock.advance(lease - 1000);
    expect(await app.module.survey!.run()).toMatchObject({ due: 1, placed: 0, taken: 1 });
    clock.advance(1000);
    const [a, b] = await Promise.all([app.module.survey!.run(), app2.module.survey!.run()]);
    expect(a.placed + b.placed).toBe(1);
    expect(a.taken + b.taken).toBe(1);
    const after = await read(o.id);
    expect(after.callbacks.map((c) => c.result)).toEqual(['unreachable']);
    const claim = await app.db.connection.collection<{ _id: string }>('survey_claims').findOne({ _id: surveyClaimKey(order, 1) });
    expect(claim).toMatchObject({ takeovers: 1, finishedAt: new Date(clock.now()) });
    expect((claim as unknown as { owner: string }).owner).not.toBe('dead-instance');
    // Attempt 2 is a new claim, planned from the recorded attempt as usual.
    expect((await nextAttempt(o.id)).kind).toBe('call');
    const phone = await citizen.stop();
    expect(phone.stats?.successfulCalls).toBe(1);
  });
});
