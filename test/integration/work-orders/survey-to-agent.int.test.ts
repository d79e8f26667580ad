/**
 * 转人工 in the automated callback survey (回访), wired as in production (src/main.ts buildSystem, its
 * scheduled survey job, real Asterisk, real database): a sipp citizen answers the survey call and
 * presses 0 (RFC 2833); the call is moved into the inbound application and queued like any caller
 * (no greeting); under the 10-second rule the first agent's phone, which never answers, is given
 * up after 10 s and the next agent's phone answers. The order's
 * callback records the handover with the agent; the call's record names the order, and so does the
 * screen pop on the answering agent's console (Socket.IO) and the call as that agent reads it over
 * REST; the agent then records the citizen's answer over REST. A citizen who presses 0 and hangs up before an agent answers
 * leaves an unreachable attempt (with the handover) and the next attempt planned.
 */
import { DateTime } from 'luxon';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../src/adapters/realtime/socket.events';
import type { ScreenPop } from '../../../src/app/live/live.ports';
import { asUserId } from '../../../src/shared/ids';
import type { AnyBusMessage } from '../../../src/app/events/event-bus';
import { surveyAttempts } from '../../../src/app/work-orders/lifecycle/survey-job';
import type { Actor } from '../../../src/domain/access';
import { planSurveyAttempt, type SurveyPolicy, type WorkOrder } from '../../../src/domain/work-order';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCitizenPhone, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

const actor = (role: Actor['role'], extra: Partial<Actor> = {}): Actor => ({ userId: `survey-to-agent-${role}`, role, agentId: null, unitId: null, groupId: null, ...extra });
const admin = actor('admin');
const sup = actor('supervisor');
const water = actor('unit_handler', { unitId: 'unit-water' });
const bootstrap = { ...admin, userId: asUserId('bootstrap') } as Actor;

async function login(sut: RunningSystem, username: string, password: string): Promise<string> {
  const res = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function api<T>(sut: RunningSystem, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sut.baseUrl}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('pressing 0 in the automated survey reaches an agent (real Asterisk, sipp citizen and agent phone)', () => {
  let sut: RunningSystem;
  let policy: SurveyPolicy;
  let maxAttempts: number;
  const messages: AnyBusMessage[] = [];
  let phones: AgentPhone[] = [];
  let console1002: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  const pops: ScreenPop[] = [];
  let token1002 = '';

  beforeAll(async () => {
    sut = await startSystem('survey_to_agent', { WRAPUP_MS: '1000', SURVEY_RING_SECONDS: '10' });
    await addAgents(sut, [1001, 1002]);
    sut.bus.subscribeAll((m) => messages.push(m));
    const regulation = sut.workOrders.regulation;
    const preset = regulation.activePreset();
    // The system runs on the real clock: calling hours are the whole day here, so the scheduled run calls at once.
    policy = { ...preset.survey, enabled: true, hoursFrom: '00:00', hoursTo: '23:59' };
    maxAttempts = preset.callback.maxAttempts;
    await regulation.putPreset(admin, preset.id, { ...preset, version: preset.version + 1, survey: policy });
    await regulation.load();
    // Agent 1002's console: a user with that agent id, logged in over HTTP, connected over Socket.IO.
    await sut.users.create(bootstrap, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    token1002 = await login(sut, 'agent1002', 'agent-password-2');
    console1002 = io(sut.baseUrl, { auth: { token: token1002 }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      console1002!.once('connect', () => resolve());
      console1002!.once('connect_error', reject);
    });
    console1002.on('call:ringing', (p) => pops.push(p));
  }, 300_000);

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    console1002?.disconnect();
    await sut?.stop(5000);
  });

  let seq = 0;
  async function awaitingCallback(): Promise<WorkOrder> {
    seq += 1;
    const orders = sut.workOrders.orders;
    const o = await orders.create(actor('agent', { agentId: 'agent-1002' }), {
      caller: { name: '赵六', phone: `1392000${String(1000 + seq)}`, callbackConsent: 'granted' },
      category: '投诉', urgency: '一般', content: `小区路灯不亮 ${seq}`, areaCode: '110105',
    });
    await orders.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-water' });
    await orders.act(water, o.id, { type: 'sign' });
    await orders.act(water, o.id, { type: 'complete', summary: '已修复' });
    await orders.act(sup, o.id, { type: 'passReview' });
    const done = await orders.act(water, o.id, { type: 'recordFeedback', channel: 'phone' });
    expect(done.status).toBe('PENDING_CALLBACK');
    return done;
  }
  const read = (id: string): Promise<WorkOrder> => sut.workOrders.orders.get(sup, id);
  /** The survey job runs every minute on its own: waits for its record of this order's attempt. */
  const surveyed = (id: string): Promise<WorkOrder> =>
    eventually(async () => {
      const o = await read(id);
      return o.callbacks.length > 0 ? o : null;
    }, 150_000, 500);

  it('the citizen presses 0: the call is queued like any caller, the 10-second rule passes it from an agent who does not answer to one who does; the order records the handover, the call names the order', async () => {
    // Wait until no minute boundary is near, so this order is surveyed by one scheduled run (not at 23:59).
    const local = DateTime.now().setZone('Asia/Shanghai');
    if (local.hour === 23 && local.minute === 59) await new Promise((r) => setTimeout(r, 61_000));
    await setAgentStates(sut, { ready: [1001, 1002] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 800, hangupAfterMs: 6000 }));
    const citizen = await startCitizenPhone({ mode: 'answer', digits: [{ digit: '0', atMs: 1500 }], timeoutMs: 240_000 });
    const o = await awaitingCallback();

    const after = await surveyed(o.id);
    expect(after.callbacks).toHaveLength(1);
    const cb = after.callbacks[0]!;
    expect(cb).toMatchObject({ result: 'toAgent', handover: { agentId: 'agent-1002' } });
    expect(cb.surveyCallId).toMatch(/^survey-/);
    // The agent owns the callback now: the order waits for the agent's result and is not called again.
    expect(after.status).toBe('PENDING_CALLBACK');
    const plan = planSurveyAttempt(after, policy, maxAttempts, surveyAttempts(after), new Date());
    expect(plan.kind).toBe('call'); // the schedule alone would call again …
    expect(sut.workOrders.survey).not.toBeNull();
    expect((await sut.workOrders.survey!.plan(new Date())).due.map((d) => d.order.id)).not.toContain(o.id); // … but the order is the agent's

    // The call path's record of the handed-over call: the same call id, the citizen's number, the order, the ring rule.
    const rec = await completedCall(sut, o.caller.phone!, 60_000);
    expect(rec.callId).toBe(cb.surveyCallId);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1002' });
    expect(rec.detail.surveyOrder).toEqual({ orderId: o.id, orderNumber: o.number });
    expect(rec.detail.times.greetedAt).toBeNull();
    const [first, second] = rec.attempts;
    expect(rec.attempts).toHaveLength(2);
    expect(first).toMatchObject({ attempt: 1, agentId: 'agent-1001', outcome: 'no-answer' });
    // Rung for the whole ring limit (a timer may fire a few ms before the wall clock says so), then given up.
    expect(first?.ringMs).toBeGreaterThanOrEqual(10_000 - 50);
    expect(second).toMatchObject({ attempt: 2, agentId: 'agent-1002', outcome: 'answered' });
    const entered = messages.find((m) => m.topic === 'call' && m.event.callId === rec.callId && m.event.type === 'CallEntered');
    expect(entered?.event).toMatchObject({ surveyOrder: { orderId: o.id, orderNumber: o.number } });

    // The answering agent's console was told which order the call is about when it rang, and so is the call over REST.
    expect(pops.find((p) => p.callId === rec.callId)).toMatchObject({ callerNumber: o.caller.phone, masked: false, surveyOrder: { orderId: o.id, orderNumber: o.number } });
    const seen = await api<{ surveyOrder: unknown }>(sut, token1002, 'GET', `/api/calls/${encodeURIComponent(rec.callId)}`);
    expect(seen.status).toBe(200);
    expect(seen.body.surveyOrder).toEqual({ orderId: o.id, orderNumber: o.number });

    // The agent records what the citizen said on the phone: the callback closes the order.
    const closed = await api<WorkOrder & { status: string }>(sut, token1002, 'POST', `/api/work-orders/${o.id}/actions`, { type: 'recordCallback', level: '满意', resolution: 'resolved' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('CLOSED');
    expect(closed.body.callbacks.map((c) => c.result)).toEqual(['toAgent', 'satisfied']);

    const phone = await citizen.exited;
    expect(phone.success).toBe(true);
  }, 300_000);

  it('the citizen presses 0 and hangs up before an agent answers: an unreachable attempt with the handover, the next attempt planned', async () => {
    await setAgentStates(sut, { notReady: [1001, 1002] });
    const citizen = await startCitizenPhone({ mode: 'answer', digits: [{ digit: '0', atMs: 1500 }], hangupAfterMs: 5000, timeoutMs: 240_000 });
    const o = await awaitingCallback();

    const after = await surveyed(o.id);
    expect(after.callbacks).toHaveLength(1);
    expect(after.callbacks[0]).toMatchObject({ result: 'unreachable', handover: { agentId: null } });
    expect(after.status).toBe('PENDING_CALLBACK');
    expect(planSurveyAttempt(after, policy, maxAttempts, surveyAttempts(after), new Date()).kind).toBe('call');

    const rec = await completedCall(sut, o.caller.phone!, 60_000);
    expect(rec.callId).toBe(after.callbacks[0]!.surveyCallId);
    expect(rec).toMatchObject({ outcome: 'abandoned', agentId: null });
    expect(rec.detail.surveyOrder).toEqual({ orderId: o.id, orderNumber: o.number });
    expect((await citizen.exited).success).toBe(true);
  }, 300_000);
});
