/**
 * Knowledge base and reports against the real database: Chinese search without $text, the article
 * that answered a consultation recorded on the order, monthly KPI report as JSON and CSV with
 * hot topics, and concurrent writers on one order.
 */
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const T0 = new Date('2026-05-11T09:00:00+08:00');
const H = 3_600_000;

describe('knowledge base and reports (real database)', () => {
  const clock = new TestClock(T0.getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let water: Login;
  let roads: Login;
  /** Which unit won the race in the concurrent-actions test: its dispatch counts in May's report. */
  let raceWinner: string | undefined;

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock);
    [agent, sup, water, roads] = await Promise.all([
      login(app, 'agent'), login(app, 'supervisor'), login(app, 'unit_handler', 'unit-water'), login(app, 'unit_handler', 'unit-roads'),
    ]);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('finds Chinese articles by meaning-bearing bigrams and records the answering article on the order', async () => {
    const article = {
      title: '社会保障卡（社保卡）补办流程', body: '社保卡遗失后可携带身份证到就近社保经办网点办理挂失和补办，一般10个工作日内制卡完成。',
      category: '咨询', keywords: ['社保卡', '补办', '挂失'], ownerUnitId: 'unit-social',
    };
    const created = await call<{ id: string; rev: number }>(app, 'POST', '/api/knowledge/articles', sup, article);
    expect(created.status).toBe(201);
    await call(app, 'POST', '/api/knowledge/articles', sup, {
      title: '居住证办理', body: '居住证可在居住地派出所申领。', category: '咨询', keywords: ['居住证'], ownerUnitId: null,
    });
    await call(app, 'POST', '/api/knowledge/articles', sup, {
      title: '旧版社保卡补办（已废止）', body: '旧流程', category: '咨询', keywords: ['社保卡'], ownerUnitId: null,
      validFrom: '2020-01-01T00:00:00Z', validTo: '2021-01-01T00:00:00Z',
    });
    expect((await call(app, 'POST', '/api/knowledge/articles', agent, article)).status).toBe(403);
    expect((await call(app, 'POST', '/api/knowledge/articles', water, {
      title: '停水通知查询', body: '计划停水信息可在自来水集团网站查询。', category: '咨询', keywords: ['停水'], ownerUnitId: 'unit-water',
    })).status).toBe(201);
    expect((await call(app, 'POST', '/api/knowledge/articles', water, { ...article, ownerUnitId: 'unit-social' })).status).toBe(403);
    expect((await call(app, 'POST', '/api/knowledge/articles', sup, { ...article, views: 3 })).body).toMatchObject({ field: 'body.views' });

    const hits = await call<{ items: { article: { id: string; title: string }; score: number }[] }>(
      app, 'GET', `/api/knowledge/search?q=${encodeURIComponent('社保卡丢了怎么补办')}`, agent,
    );
    expect(hits.status).toBe(200);
    expect(hits.body.items[0]?.article.id).toBe(created.body.id);
    expect(hits.body.items.map((h) => h.article.title)).not.toContain('旧版社保卡补办（已废止）');
    expect(hits.body.items.map((h) => h.article.title)).not.toContain('居住证办理');
    const byKeyword = await call<{ items: { article: { id: string } }[] }>(app, 'GET', `/api/knowledge/search?q=${encodeURIComponent('挂失')}`, agent);
    expect(byKeyword.body.items.map((h) => h.article.id)).toContain(created.body.id);

    const consult = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { phone: '13600000000' }, category: '咨询', urgency: '一般', content: '社保卡丢失如何补办', areaCode: '110105',
    });
    const bad = await call(app, 'POST', `/api/work-orders/${consult.body.id}/actions`, agent, { type: 'answerDirect', kbArticleId: 'nope', answer: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'body.kbArticleId' });
    const answered = await call<{ status: string; kbArticleId: string; closure: unknown }>(app, 'POST', `/api/work-orders/${consult.body.id}/actions`, agent, {
      type: 'answerDirect', kbArticleId: created.body.id, answer: '请携带身份证到社保网点挂失补办',
    });
    expect(answered.body).toMatchObject({ status: 'CLOSED', kbArticleId: created.body.id, closure: { kind: 'directAnswer', kbArticleId: created.body.id } });
    const read = await call<{ useCount: number }>(app, 'GET', `/api/knowledge/articles/${created.body.id}`, agent);
    expect(read.body.useCount).toBe(1);

    const stale = await call(app, 'PUT', `/api/knowledge/articles/${created.body.id}`, sup, { ...article, rev: 5 });
    expect(stale.status).toBe(409);
    const updated = await call<{ rev: number; useCount: number }>(app, 'PUT', `/api/knowledge/articles/${created.body.id}`, sup, { ...article, body: '更新后的流程', rev: 1 });
    expect(updated.body).toMatchObject({ rev: 2, useCount: 1 });
  });

  it('concurrent actions on one order: exactly one wins, the other gets 409', async () => {
    clock.set(T0);
    const o = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { phone: '13600000001' }, category: '求助', urgency: '一般', content: '井盖缺失', areaCode: '110105',
    });
    const results = await Promise.all(
      ['unit-water', 'unit-roads', 'unit-water', 'unit-roads'].map((u) =>
        call(app, 'POST', `/api/work-orders/${o.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: u }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const after = await call<{ rev: number; leadUnitId: string; history: { action: string }[] }>(app, 'GET', `/api/work-orders/${o.body.id}`, sup);
    expect(after.body.rev).toBe(2);
    expect(['unit-water', 'unit-roads']).toContain(after.body.leadUnitId);
    raceWinner = after.body.leadUnitId;
    expect(after.body.history.filter((h) => h.action === 'dispatch')).toHaveLength(1);
  });

  it('monthly report per unit as JSON and CSV, with hot topics', async () => {
    const make = async (category: string, unit: string, areaCode: string) => {
      const c = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
        caller: { phone: `1360000${String(Math.floor(Math.random() * 9000) + 1000)}`, callbackConsent: 'granted' }, category, urgency: '一般', content: '诉求', areaCode,
      });
      await call(app, 'POST', `/api/work-orders/${c.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: unit });
      return c.body.id;
    };
    clock.set(new Date('2026-04-10T10:00:00+08:00'));
    await make('投诉', 'unit-water', '110105');
    clock.set(new Date('2026-05-12T10:00:00+08:00'));
    const done = await make('投诉', 'unit-water', '110105');
    await make('投诉', 'unit-water', '110108');
    await make('求助', 'unit-roads', '110108');
    clock.advance(2 * H);
    for (const t of [{ type: 'sign' }, { type: 'complete', summary: '已处理' }]) {
      expect((await call(app, 'POST', `/api/work-orders/${done}/actions`, water, t)).status).toBe(200);
    }
    for (const [who, t] of [
      [sup, { type: 'passReview' }],
      [water, { type: 'recordFeedback', channel: 'phone' }],
      [agent, { type: 'recordCallback', result: 'satisfied', contacted: true, feedbackReceived: true, resolution: 'resolved' }],
    ] as const) {
      const res = await call(app, 'POST', `/api/work-orders/${done}/actions`, who, t);
      expect([t.type, res.status, res.text.slice(0, 200)]).toEqual([t.type, 200, expect.any(String)]);
    }

    clock.set(new Date('2026-06-01T10:00:00+08:00'));
    const r = await call<{
      period: { label: string }; units: { unitId: string; dispatched: number; rank: number | null; kpis: Record<string, { numerator: number; denominator: number; value: number | null }>; beijing: { total: number | null } }[];
      hotTopics: { categories: { key: string; count: number; previousCount: number }[]; areas: { key: string; count: number }[] };
    }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05', sup);
    expect(r.status).toBe(200);
    const waterRow = r.body.units.find((u) => u.unitId === 'unit-water');
    // May's dispatches to unit-water: the 2 complaints above, plus the racing dispatch of the previous test if
    // unit-water won it (whichever request reaches the database first wins). On-time: 1 passed, others not yet overdue.
    expect(raceWinner).toBeDefined();
    const raceToWater = raceWinner === 'unit-water' ? 1 : 0;
    expect(waterRow).toMatchObject({ dispatched: 2 + raceToWater });
    expect(waterRow?.kpis['satisfaction']).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    expect(waterRow?.kpis['onTimeCompletion']).toMatchObject({ numerator: 1 });
    expect(waterRow?.kpis['timelySign']).toMatchObject({ numerator: 1 });
    expect(r.body.units.find((u) => u.unitId === 'unit-roads')?.dispatched).toBe(1 + (1 - raceToWater));
    const complaints = r.body.hotTopics.categories.find((c) => c.key === '投诉');
    expect(complaints).toMatchObject({ count: 2, previousCount: 1 });

    const csv = await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05&format=csv', sup);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain('unit-water');
    expect(csv.text.split('\r\n')[0]).toContain('按期办结率(%)');

    expect((await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-13', sup)).body).toMatchObject({ field: 'query.key' });
    expect((await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05', agent)).status).toBe(403);
    const own = await call<{ units: { unitId: string }[] }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05', roads);
    expect(own.body.units.map((u) => u.unitId)).toEqual(['unit-roads']);
    expect((await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05&unitId=unit-water', roads)).status).toBe(403);
  });
});
