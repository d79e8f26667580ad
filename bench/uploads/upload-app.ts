/**
 * The app side of the uploads benchmark, in its own process so its memory is its own: the
 * work-order module (REST + GridFS attachments, as src/composition wires it) on an ephemeral port,
 * with one supervisor and `orders` dispatched orders. Prints one JSON line: base URL, token, order ids.
 */
import { call, login, startWorkOrderApp, TestClock } from '../../test/support/work-order-harness';

async function main(): Promise<void> {
  const [dbUri, ordersArg] = process.argv.slice(2);
  if (!dbUri) throw new Error('usage: upload-app.ts <mongodb-uri> <orders>');
  const clock = new TestClock(Date.now());
  const app = await startWorkOrderApp(dbUri, clock, {});
  const [agent, sup] = await Promise.all([login(app, 'agent'), login(app, 'supervisor')]);
  const orderIds: string[] = [];
  for (let i = 0; i < Number(ordersArg ?? '5'); i += 1) {
    const o = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { name: '测试', phone: '13800000000', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '上传压测', areaCode: '310118',
    });
    await call(app, 'POST', `/api/work-orders/${o.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    orderIds.push(o.body.id);
  }
  process.stdout.write(`${JSON.stringify({ baseUrl: app.baseUrl, token: sup.token, orderIds, pid: process.pid })}\n`);
  const stop = async (): Promise<void> => {
    await app.stop({ drop: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
