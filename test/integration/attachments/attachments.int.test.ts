/**
 * Evidence files over the REST API against the real database (GridFS on the lab's FerretDB):
 * real files made here (a JPEG with a GPS location, a PDF, a text file named .jpg, an empty file,
 * one over the limit, a name with ../ and Chinese), the order's access rules on download, range
 * requests, the download audit, and the 青浦 return that needs a site photo.
 */
import sharp from 'sharp';
import { GPS_LATITUDE, gpsLatitudeOf, jpegWithGps, pdf } from '../../support/evidence-files';
import { download, upload } from '../../support/upload';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const MiB = 1024 * 1024;
const T0 = new Date('2026-03-02T09:00:00+08:00');

type Order = { id: string; status: string; history: { action: string; attachments: { id: string; name?: string; kind?: string }[] }[] };

describe('work-order evidence files (real database)', () => {
  const clock = new TestClock(T0.getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let water: Login;
  let roads: Login;
  let parks: Login;

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock, { attachments: { maxFileBytes: 1 * MiB, maxOrderBytes: 2 * MiB, maxOrderFiles: 20 } });
    [agent, sup, water, roads, parks] = await Promise.all([
      login(app, 'agent'), login(app, 'supervisor'),
      login(app, 'unit_handler', 'unit-water'), login(app, 'unit_handler', 'unit-roads'), login(app, 'unit_handler', 'unit-parks'),
    ]);
  });
  afterAll(async () => {
    await app.stop();
  });

  async function dispatchedOrder(over: Record<string, unknown> = {}): Promise<Order> {
    const created = await call<Order>(app, 'POST', '/api/work-orders', agent, {
      caller: { name: '王五', phone: '13812345678', callbackConsent: 'granted' }, category: '投诉', urgency: '一般',
      content: '路面塌陷有积水', areaCode: '310118', ...over,
    });
    expect(created.status).toBe(201);
    const d = await call<Order>(app, 'POST', `/api/work-orders/${created.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water', coUnitIds: ['unit-roads'] });
    expect(d.status).toBe(200);
    return d.body;
  }

  it('a photo loses its GPS location; names are sanitised; downloads are attachments, ranged and audited', async () => {
    const o = await dispatchedOrder();
    const photo = await jpegWithGps();
    expect(gpsLatitudeOf(photo)).toEqual(GPS_LATITUDE); // the file really carries a location

    const up = await upload(app, water, o.id, 'return', '../../现场照片 青浦.jpg', photo);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: '现场照片 青浦.jpg', mime: 'image/jpeg', kind: 'photo', step: 'return', metadataStripped: true });

    const got = await download(app, water, o.id, up.body.id);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('现场照片 青浦.jpg')}`);
    expect(got.headers.get('content-type')).toMatch(/^image\/jpeg/);
    expect(got.bytes.length).toBe(up.body.size);
    expect(gpsLatitudeOf(got.bytes)).toBeNull();
    const meta = await sharp(got.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    expect(meta.exif).toBeUndefined();

    const part = await download(app, sup, o.id, up.body.id, 'bytes=10-99');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-99/${up.body.size}`);
    expect(part.bytes.equals(got.bytes.subarray(10, 100))).toBe(true);
    const tail = await download(app, water, o.id, up.body.id, `bytes=${up.body.size - 5}-`);
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(got.bytes.subarray(up.body.size - 5))).toBe(true);
    expect((await download(app, water, o.id, up.body.id, `bytes=${up.body.size + 10}-`)).status).toBe(416);

    const audit = await app.module.attachmentStore.downloadsOf(up.body.id);
    expect(audit.map((a) => [a.userId, a.range])).toEqual([
      [water.id, null], [sup.id, { start: 10, end: 99 }], [water.id, { start: up.body.size - 5, end: up.body.size - 1 }],
    ]);
  });

  it('a PDF is kept byte for byte; a non-image named .jpg, an empty file and one over the limits are refused and leave nothing', async () => {
    const o = await dispatchedOrder();
    const doc = pdf(50_000);
    const up = await upload(app, water, o.id, 'reply', '答复意见.pdf', doc);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: '答复意见.pdf', mime: 'application/pdf', kind: 'document', size: doc.length, metadataStripped: false });
    expect((await download(app, water, o.id, up.body.id)).bytes.equals(doc)).toBe(true);

    const fake = await upload(app, water, o.id, 'return', 'photo.jpg', Buffer.concat([Buffer.from('MZ this is a program, not a picture'), Buffer.alloc(600_000, 65)]));
    expect(fake.status).toBe(415);
    expect(fake.body.reasonCode).toBe('ATTACHMENT.TYPE_NOT_ALLOWED');
    const empty = await upload(app, water, o.id, 'return', 'empty.pdf', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.reasonCode).toBe('ATTACHMENT.EMPTY');
    const big = await upload(app, water, o.id, 'return', 'big.pdf', pdf(1.5 * MiB));
    expect(big.status).toBe(413);
    expect(big.body.reasonCode).toBe('ATTACHMENT.TOO_LARGE');
    // A decodable-looking JPEG header over garbage: refused as unreadable, not stored.
    const broken = await upload(app, water, o.id, 'return', 'broken.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 7)]));
    expect(broken.status).toBe(400);

    // Per order: 2 MiB in all.
    expect((await upload(app, water, o.id, 'completion', 'a.pdf', pdf(0.9 * MiB))).status).toBe(201);
    expect((await upload(app, water, o.id, 'completion', 'b.pdf', pdf(0.9 * MiB))).status).toBe(201);
    const full = await upload(app, water, o.id, 'completion', 'c.pdf', pdf(0.9 * MiB));
    expect(full.status).toBe(413);
    expect(full.body.reasonCode).toBe('ATTACHMENT.ORDER_FULL');

    const list = await call<{ name: string }[]>(app, 'GET', `/api/work-orders/${o.id}/attachments`, water);
    expect(list.body.map((f) => f.name)).toEqual(['答复意见.pdf', 'a.pdf', 'b.pdf']);
    const files = await app.db.connection.collection('attachments.files').countDocuments({ 'metadata.orderId': o.id });
    expect(files).toBe(3);
    const ids = (await app.db.connection.collection('attachments.files').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d['_id']);
    expect(await app.db.connection.collection('attachments.chunks').countDocuments({ files_id: { $nin: ids } })).toBe(0); // no orphan chunks
  });

  it('access follows the order: another unit gets 404; a confidential order\'s files only for its handlers; bad input 4xx', async () => {
    const o = await dispatchedOrder();
    const up = await upload(app, water, o.id, 'intake', 'x.pdf', pdf());
    expect(up.status).toBe(201);
    expect((await download(app, parks, o.id, up.body.id)).status).toBe(404);
    expect((await call(app, 'GET', `/api/work-orders/${o.id}/attachments`, parks)).status).toBe(404);
    expect((await upload(app, parks, o.id, 'intake', 'y.pdf', pdf())).status).toBe(404);
    expect((await download(app, roads, o.id, up.body.id)).status).toBe(200); // co-unit of an open case
    expect((await upload(app, null, o.id, 'intake', 'y.pdf', pdf())).status).toBe(401);
    const badStep = await upload(app, water, o.id, 'whatever', 'y.pdf', pdf());
    expect(badStep.status).toBe(400);
    expect(badStep.body.field).toBe('query.step');
    const notMultipart = await call(app, 'POST', `/api/work-orders/${o.id}/attachments?step=intake`, water, { file: 'x' });
    expect(notMultipart.status).toBe(400);
    expect((await download(app, water, o.id, '0123456789abcdef01234567')).status).toBe(404);

    const secret = await dispatchedOrder({ caller: { name: '赵六', phone: '13712345678', confidential: true, callbackConsent: 'granted' } });
    const s = await upload(app, water, secret.id, 'intake', 'secret.pdf', pdf());
    expect(s.status).toBe(201);
    expect((await download(app, water, secret.id, s.body.id)).status).toBe(200);
    expect((await download(app, agent, secret.id, s.body.id)).status).toBe(200); // the agent who took the call
    expect((await download(app, roads, secret.id, s.body.id)).status).toBe(404);
    expect((await download(app, sup, secret.id, s.body.id)).status).toBe(404);
    expect((await call(app, 'GET', `/api/work-orders/${secret.id}/attachments`, roads)).status).toBe(404);

    const fakeRef = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, water, {
      type: 'requestReturn', reason: 'notOurDuty', explanation: '不属于本单位', evidence: [{ id: 'att-1', kind: 'photo' }],
    });
    expect(fakeRef.status).toBe(400);
    expect(fakeRef.body['field']).toBe('body.evidence');
  });

  it('青浦: a return without a site photo is refused, with one accepted', async () => {
    const qp = await startWorkOrderApp(await workOrderDbUri(`${__filename}-qingpu`), clock, { defaultPresetId: 'qingpu-2020' });
    try {
      const [a, s, w] = await Promise.all([login(qp, 'agent'), login(qp, 'supervisor'), login(qp, 'unit_handler', 'unit-water')]);
      const created = await call<Order>(qp, 'POST', '/api/work-orders', a, {
        caller: { name: '钱七', phone: '13612345678', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '井盖缺失', areaCode: '310118',
      });
      const id = created.body.id;
      expect((await call(qp, 'POST', `/api/work-orders/${id}/actions`, s, { type: 'dispatch', leadUnitId: 'unit-water' })).status).toBe(200);
      const basis = await upload(qp, w, id, 'return', '退单依据.pdf', pdf());
      const ret = (evidence: unknown[]) => call<Order & { reasonCode?: string }>(qp, 'POST', `/api/work-orders/${id}/actions`, w, {
        type: 'requestReturn', reason: 'notOurDuty', explanation: '属于物业管理范围', evidence,
      });
      const none = await ret([]);
      expect(none.status).toBe(409);
      expect(none.body.reasonCode).toBe('WORK_ORDER.RETURN_EVIDENCE_MISSING');
      // A PDF claimed to be a photo is still a PDF: the kind comes from the stored file.
      const noPhoto = await ret([{ id: basis.body.id, kind: 'photo' }]);
      expect(noPhoto.status).toBe(409);
      expect(noPhoto.body.reasonCode).toBe('WORK_ORDER.RETURN_EVIDENCE_MISSING');
      expect((await call<Order>(qp, 'GET', `/api/work-orders/${id}`, s)).body.status).toBe('PENDING_SIGN');

      const photo = await upload(qp, w, id, 'return', 'IMG_0001.JPG', await jpegWithGps());
      expect(photo.status).toBe(201);
      const ok = await ret([{ id: basis.body.id }, { id: photo.body.id }]);
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('RETURN_REQUESTED');
      expect(ok.body.history.at(-1)?.attachments).toEqual([
        { id: basis.body.id, name: '退单依据.pdf', kind: 'document' },
        { id: photo.body.id, name: 'IMG_0001.jpg', kind: 'photo' },
      ]);
    } finally {
      await qp.stop();
    }
  });
});
