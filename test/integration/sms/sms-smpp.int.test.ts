/**
 * Text messages to citizens over SMPP against a real protocol peer: an SMSC built on the `smpp`
 * package's server side, over TCP on loopback, taking `submit_sm`, answering and sending delivery
 * receipts. The work-order module runs against the real database (FerretDB) with the production
 * SMPP adapter. Covered: the notices of an order's life (received with its number, reply, the
 * callback the sweep announces, filing, the 北京 never-reached SMS that counts as first contact), Chinese text as UCS-2, receipts recorded
 * on the order, a confidential caller masked for non-handlers, and the failures: the SMSC down (an
 * outage: the message waits and goes once it is back), a refusing SMSC (retried, then failed), an
 * SMSC that never answers (a timeout, retried), an undeliverable receipt.
 */
import { SmppGateway } from '../../../src/adapters/sms/smpp-gateway';
import type { SmsMessage } from '../../../src/app/sms/sms.ports';
import { silentLogger } from '../../../src/shared/logger';
import { eventually } from '../../support/eventually';
import { TestSmsc } from '../../support/smsc';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

/** 09:00 on a Monday in Shanghai: within the sending hours. */
const T0 = new Date('2026-03-02T09:00:00+08:00');

/** The test's time runs on from T0 at the real pace (back-off waits are real, short ones). */
class RunningClock extends TestClock {
  private readonly started = Date.now();
  override now = (): number => this.ms + (Date.now() - this.started);
}

type SmsRow = Omit<SmsMessage, 'nextAttemptAt' | 'text'> & { nextAttemptAt: string | null; masked: boolean; text: string | null };

describe('SMS to citizens over SMPP (real SMPP peer, real database)', () => {
  const clock = new RunningClock(T0.getTime());
  const smsc = new TestSmsc('hotline', 'smpp-secret');
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let water: Login;

  beforeAll(async () => {
    await smsc.start();
    const gateway = new SmppGateway({ ...smsc.address, systemId: 'hotline', password: 'smpp-secret', sourceAddr: '12345', timeoutMs: 1500, enquireLinkMs: 0 }, silentLogger);
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock, {
      sms: {
        gateway, hotlineName: '12345热线', dispatchIntervalMs: 100, leaseMs: 10_000, maxPerMinute: 6000,
        retry: { maxAttempts: 4, baseDelayMs: 300, maxDelayMs: 1200 },
      },
    });
    [agent, sup, water] = await Promise.all([login(app, 'agent'), login(app, 'supervisor'), login(app, 'unit_handler', 'unit-water')]);
  });
  afterAll(async () => {
    await app.stop();
    await smsc.stop();
  });

  async function create(phone: string, over: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
    const r = await call<{ id: string; number: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { name: '王五', phone, callbackConsent: 'granted', ...over }, category: '投诉', urgency: '一般', content: '小区路灯不亮', areaCode: '110105',
    });
    expect(r.status).toBe(201);
    return r.body;
  }

  async function act(id: string, who: Login, action: Record<string, unknown>): Promise<void> {
    const r = await call(app, 'POST', `/api/work-orders/${id}/actions`, who, action);
    expect([action['type'], r.status, r.status === 200 ? '' : r.text.slice(0, 300)]).toEqual([action['type'], 200, '']);
  }

  async function smsOf(id: string, who: Login = sup): Promise<SmsRow[]> {
    const r = await call<SmsRow[]>(app, 'GET', `/api/work-orders/${id}/sms`, who);
    expect(r.status).toBe(200);
    return r.body;
  }

  const submissionsTo = (phone: string) => smsc.submissions.filter((s) => s.to === phone);

  it('an order taken: the citizen gets its number in Chinese (UCS-2) and the receipt is recorded on the order', async () => {
    const o = await create('13800000001');
    const [m] = await eventually(async () => {
      const rows = await smsOf(o.id);
      return rows.length === 1 && rows[0]?.status === 'delivered' ? rows : null;
    });
    expect(m).toMatchObject({ kind: 'received', to: '13800000001', status: 'delivered', attempts: 1, masked: false });
    expect(m?.text).toBe(`【12345热线】您反映的投诉事项已受理，工单号${o.number}，我们将按时限办理并答复您。`);
    const [s] = submissionsTo('13800000001');
    expect(s).toMatchObject({ systemId: 'hotline', from: '12345', dataCoding: 8, registeredDelivery: 1, answer: 'accepted', text: m?.text });
    expect(m?.gatewayMessageId).toBe(s?.messageId);
    expect(smsc.binds.every((b) => b.ok)).toBe(true);
    // A draft is not taken yet: its citizen is told when it is submitted.
    const draft = await call<{ id: string; number: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { phone: '13800000009', callbackConsent: 'granted' }, category: '咨询', urgency: '一般', content: '咨询办事时间', areaCode: '110105', submit: false,
    });
    expect(draft.status).toBe(201);
    await app.module.sms.dispatch();
    expect(await smsOf(draft.body.id)).toEqual([]);
    await act(draft.body.id, agent, { type: 'accept' });
    await eventually(async () => (await smsOf(draft.body.id))[0]?.status === 'delivered');
    expect(submissionsTo('13800000009').map((x) => x.text)).toEqual([`【12345热线】您反映的咨询事项已受理，工单号${draft.body.number}，我们将按时限办理并答复您。`]);
    // Asked again (a second event for the same notice): still one message.
    expect(await app.module.sms.notify(o.id, 'received')).toBe(false);
    expect(submissionsTo('13800000001')).toHaveLength(1);
  });

  it('the reply and the filing go out as the order moves on; a confidential caller is masked for non-handlers', async () => {
    const o = await create('13800000002', { confidential: true });
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    await act(o.id, water, { type: 'sign' });
    await act(o.id, water, { type: 'complete', summary: '已修复路灯' });
    await act(o.id, sup, { type: 'passReview' });
    await act(o.id, agent, { type: 'recordFeedback', channel: 'phone' });
    // The sweep announces the callback now due: the citizen is told to expect the call.
    await app.module.sweep.run();
    await eventually(async () => (await smsOf(o.id, water)).some((m) => m.kind === 'callback'));
    await act(o.id, agent, { type: 'recordCallback', result: 'satisfied', level: '满意' });
    const rows = await eventually(async () => {
      const r = await smsOf(o.id, water); // the lead unit handles the order: sees it all
      return r.length === 4 && r.every((m) => m.status === 'delivered') ? r : null;
    }, 20_000);
    expect(rows.map((m) => m.kind)).toEqual(['received', 'replied', 'callback', 'closed']);
    expect(rows[2]?.text).toBe(`【12345热线】我们将就工单${o.number}的办理情况对您回访，请留意来电。`);
    // A confidential caller's text names no matter, only the order number.
    expect(rows[0]?.text).toBe(`【12345热线】您的诉求已受理，工单号${o.number}，我们将按时限办理并答复您。`);
    expect(rows[1]?.text).toContain(`工单${o.number}已办理完毕`);
    expect(rows.every((m) => m.to === '13800000002' && !m.masked)).toBe(true);
    expect(rows.map((m) => m.text).join('')).not.toContain('投诉');
    const masked = await smsOf(o.id, sup); // supervisors do not handle the case
    expect(masked.every((m) => m.to === '138****0002' && m.text === null && m.masked)).toBe(true);
    // Another unit does not see the order at all.
    const roads = await login(app, 'unit_handler', 'unit-roads');
    expect((await call(app, 'GET', `/api/work-orders/${o.id}/sms`, roads)).status).toBe(404);
  });

  it('北京: a failed call before first contact sends the never-reached SMS, which the order records as its first contact', async () => {
    const o = await create('13800000003');
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    await act(o.id, water, { type: 'sign' });
    await act(o.id, water, { type: 'recordContactAttempt', channel: 'phone', reached: false, note: '无人接听' });
    const order = await eventually(async () => {
      const r = await call<{ firstContactAt?: string; contactAttempts: { channel: string; note?: string }[] }>(app, 'GET', `/api/work-orders/${o.id}`, water);
      return r.body.firstContactAt ? r.body : null;
    }, 20_000);
    expect(order.contactAttempts.map((a) => a.channel)).toEqual(['phone', 'sms']);
    const rows = await smsOf(o.id);
    const never = rows.find((m) => m.kind === 'neverReached');
    expect(never?.text).toBe(`【12345热线】承办单位多次致电未能联系到您，请就工单${o.number}致电本热线。`);
    expect(order.contactAttempts[1]?.note).toContain(never?.gatewayMessageId ?? 'none');
  });

  it('the SMSC down: the message waits (retried with back-off) and goes out once it is back; nothing is lost', async () => {
    await smsc.stop();
    const o = await create('13800000004');
    const waiting = await eventually(async () => {
      const [m] = await smsOf(o.id);
      return m && m.status === 'queued' && m.attempts >= 2 ? m : null;
    }, 20_000);
    expect(waiting.lastError).toMatch(/cannot reach the SMSC|no connection|closed/);
    expect(submissionsTo('13800000004')).toHaveLength(0);
    await smsc.start(); // the same port
    const [m] = await eventually(async () => {
      const rows = await smsOf(o.id);
      return rows[0]?.status === 'delivered' ? rows : null;
    }, 20_000);
    expect(m?.attempts).toBeGreaterThanOrEqual(3);
    expect(m?.lastError).toBeNull();
    expect(submissionsTo('13800000004')).toHaveLength(1);
  });

  it('an SMSC that refuses every time: retried up to the limit, then recorded failed', async () => {
    smsc.mode = 'refuse';
    try {
      const o = await create('13800000005');
      const [m] = await eventually(async () => {
        const rows = await smsOf(o.id);
        return rows[0]?.status === 'failed' ? rows : null;
      }, 20_000);
      expect(m).toMatchObject({ status: 'failed', attempts: 4 });
      expect(m?.lastError).toContain('command_status 0x0008');
      expect(submissionsTo('13800000005').map((s) => s.answer)).toEqual(['refused', 'refused', 'refused', 'refused']);
    } finally {
      smsc.mode = 'accept';
    }
  });

  it('an SMSC that does not answer: the try times out, the next one goes through', async () => {
    smsc.modeQueue.push('silent');
    const o = await create('13800000006');
    const [m] = await eventually(async () => {
      const rows = await smsOf(o.id);
      return rows[0]?.status === 'delivered' ? rows : null;
    }, 20_000);
    expect(m?.attempts).toBe(2);
    expect(submissionsTo('13800000006').map((s) => s.answer)).toEqual(['silent', 'accepted']);
  });

  it('an undeliverable receipt is recorded as failed with the gateway\'s reason', async () => {
    smsc.receiptStat.set('13800000007', 'UNDELIV');
    const o = await create('13800000007');
    const [m] = await eventually(async () => {
      const rows = await smsOf(o.id);
      return rows[0]?.status === 'failed' ? rows : null;
    });
    expect(m).toMatchObject({ status: 'failed', attempts: 1 });
    expect(m?.lastError).toContain('stat:UNDELIV');
  });

  it('no SMS at night: an order taken at 22:00 is told at 08:00 the next morning', async () => {
    clock.set(new Date('2026-03-02T22:00:00+08:00'));
    const o = await create('13800000008');
    const [waiting] = await smsOf(o.id);
    expect(waiting).toMatchObject({ kind: 'received', status: 'queued', attempts: 0 });
    expect(new Date(String(waiting?.nextAttemptAt)).toISOString()).toBe(new Date('2026-03-03T08:00:00+08:00').toISOString());
    // Several dispatcher runs pass at night: nothing is submitted.
    await app.module.sms.dispatch();
    expect(submissionsTo('13800000008')).toHaveLength(0);
    clock.set(new Date('2026-03-03T08:00:01+08:00'));
    const [m] = await eventually(async () => {
      const rows = await smsOf(o.id);
      return rows[0]?.status === 'delivered' ? rows : null;
    });
    expect(m?.attempts).toBe(1);
    expect(submissionsTo('13800000008')).toHaveLength(1);
  });
});
