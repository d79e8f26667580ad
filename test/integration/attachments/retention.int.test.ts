/**
 * Retention of evidence files on the real database (GridFS on FerretDB): the retention job, run by
 * the job scheduler (Background helper, database lease) every second here, deletes the files of an
 * order closed longer than the retention period, each with an audit entry, and leaves alone the files
 * of an order still open and of one closed more recently.
 */
import mongoose from 'mongoose';
import { pdf } from '../../support/evidence-files';
import { eventually } from '../../support/eventually';
import { download, upload } from '../../support/upload';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const DAY = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00+08:00');
const NEVER = '0 0 1 1 *';

describe('attachment retention (real database, the scheduled job)', () => {
  const clock = new TestClock(T0.getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock, {
      jobs: { sweepCron: NEVER, reportCron: NEVER, foldCron: NEVER },
      attachments: { retentionDays: 30, retentionCron: '* * * * * *' },
    });
    [agent, sup] = await Promise.all([login(app, 'agent'), login(app, 'supervisor')]);
  });
  afterAll(async () => {
    await app.stop();
  });

  async function orderWithFiles(n: number): Promise<{ id: string; files: string[] }> {
    const c = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { phone: '13900000000', callbackConsent: 'granted' }, category: '咨询', urgency: '一般', content: `诉求 ${n}`, areaCode: '110105',
    });
    expect(c.status).toBe(201);
    const files: string[] = [];
    for (const name of ['核查报告.pdf', '补充材料.pdf']) {
      const up = await upload(app, agent, c.body.id, 'intake', name, pdf());
      expect(up.status).toBe(201);
      files.push(up.body.id);
    }
    return { id: c.body.id, files };
  }

  const invalidate = async (id: string): Promise<void> => {
    const r = await call(app, 'POST', `/api/work-orders/${id}/actions`, sup, { type: 'invalidate', reason: '重复来电' });
    expect(r.status).toBe(200);
  };
  const filesOf = async (id: string): Promise<string[]> => (await call<{ id: string }[]>(app, 'GET', `/api/work-orders/${id}/attachments`, sup)).body.map((f) => f.id);

  it('deletes the files of an order closed longer than the period, audited; keeps the others', async () => {
    const old = await orderWithFiles(1);
    const open = await orderWithFiles(2);
    await invalidate(old.id); // closed at T0
    clock.set(new Date(T0.getTime() + 20 * DAY));
    const recent = await orderWithFiles(3);
    await invalidate(recent.id); // closed at T0 + 20 days

    // Day 29 after the first close: within the period, everything stays (the job has run meanwhile).
    clock.set(new Date(T0.getTime() + 29 * DAY));
    const before = await app.module.retention.run();
    expect(before).toMatchObject({ filesDeleted: 0 });
    expect(before.examined).toBeGreaterThanOrEqual(3);

    // Past 30 days: the scheduled job deletes the old order's files.
    clock.set(new Date(T0.getTime() + 31 * DAY));
    await eventually(async () => (await filesOf(old.id)).length === 0, 20_000);
    expect(await filesOf(open.id)).toEqual(open.files);
    expect(await filesOf(recent.id)).toEqual(recent.files);
    expect((await download(app, sup, old.id, old.files[0] as string)).status).toBe(404);

    const audit = await app.module.attachmentStore.deletionsOf(old.id);
    expect(audit.map((a) => a.attachmentId).sort()).toEqual([...old.files].sort());
    for (const a of audit) {
      expect(a).toMatchObject({ orderId: old.id, reason: 'retention', retentionDays: 30, by: 'attachment-retention', kind: 'document' });
      expect(a.orderClosedAt.toISOString()).toBe(T0.toISOString());
      expect(a.name).toMatch(/\.pdf$/);
      expect(a.size).toBeGreaterThan(0);
    }
    // The bytes are gone too, not only the listing.
    const chunks = await app.db.connection.collection('attachments.chunks').countDocuments({ files_id: { $in: old.files.map((f) => new mongoose.mongo.ObjectId(f)) } });
    expect(chunks).toBe(0);
    expect(await app.module.attachmentStore.deletionsOf(open.id)).toEqual([]);

    // The recent one goes once its own period is over.
    clock.set(new Date(T0.getTime() + 51 * DAY));
    await eventually(async () => (await filesOf(recent.id)).length === 0, 20_000);
    expect(await filesOf(open.id)).toEqual(open.files);
  });
});
