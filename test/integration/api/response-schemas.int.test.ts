/**
 * The OpenAPI document's response schemas are true: real answers of the running API (a real
 * database, the work-order module and callback requests wired as main.ts wires them) are validated
 * against the schema the document gives for their route and status (JSON Schema 2020-12, ajv), the
 * main routes' successes and their problem documents alike. And every operation documents the body
 * of its success (no `schema: {}`), so a client generated from it (openapi-typescript) gets real types.
 */
import { Readable } from 'node:stream';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { callbackRequestModel } from '../../../src/adapters/db/models/callback-request.model';
import { pdf } from '../../support/evidence-files';
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

type Json = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema: Json }> }> };

let app: TestApp;
let doc: { paths: Record<string, Record<string, Operation>>; components: Json };
let admin: Account;
let agent: Account;
let supervisor: Account;
let water: Account;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/** The schema the document gives for (route, method, status), `components` alongside so its $refs resolve. */
function validatorFor(path: string, method: string, status: number): ValidateFunction | null {
  const key = `${method} ${path} ${status}`;
  const known = compiled.get(key);
  if (known) return known;
  const content = doc.paths[path]?.[method]?.responses[String(status)]?.content;
  if (!content) return null;
  const media = content['application/json'] ?? content['application/problem+json'];
  if (!media) return null;
  const v = ajv.compile({ ...media.schema, components: doc.components });
  compiled.set(key, v);
  return v;
}

const checked: string[] = [];
const problems: string[] = [];

/** Makes the request and validates its answer against the document; returns the body. */
async function call(who: Account | null, method: string, route: string, url: string, body?: unknown, want?: number): Promise<Json> {
  const res = await request<Json>(app, method.toUpperCase(), url, { ...(who ? { token: who.token } : {}), ...(body !== undefined ? { body } : {}) });
  const label = `${method.toUpperCase()} ${url} → ${res.status}`;
  if (want !== undefined && res.status !== want) throw new Error(`${label}, expected ${want}: ${JSON.stringify(res.body).slice(0, 300)}`);
  const v = validatorFor(route, method, res.status);
  if (!v) problems.push(`${label}: the document has no JSON schema for this status`);
  else if (!v(res.body)) problems.push(`${label}: ${ajv.errorsText(v.errors, { dataVar: 'body' })}`);
  checked.push(`${method} ${route} ${res.status}`);
  return res.body;
}

beforeAll(async () => {
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40)]);
  app = await startApp({
    dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`,
    withWorkOrderModule: true,
    callbacks: {
      recordings: { open: () => Promise.resolve({ size: wav.length, body: Readable.from([wav]) }), delete: () => Promise.resolve() },
      dialer: {
        ready: () => true, isUp: () => Promise.resolve(false), endAll: () => Promise.resolve(),
        place: () => Promise.resolve({ agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: Date.now(), citizenCause: null, recording: null }),
      },
      agents: { phoneOf: (agentId) => ({ endpoint: `PJSIP/agent${agentId}`, idle: true }) },
    },
  });
  doc = (await request<typeof doc>(app, 'GET', '/openapi.json')).body;
  admin = await account(app, 'admin');
  supervisor = await account(app, 'supervisor');
  agent = await account(app, 'agent', { agentId: '7101' });
  water = await account(app, 'unit_handler', { unitId: 'water' });
});
afterAll(async () => {
  await app?.stop();
});

describe('OpenAPI response schemas', () => {
  it('every operation documents its success body', () => {
    const bare: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const [status, r] = Object.entries(op.responses).find(([s]) => s.startsWith('2')) ?? [];
        if (!status || status === '204') continue;
        const schema = Object.values(r?.content ?? {})[0]?.schema;
        if (!schema || Object.keys(schema).length === 0) bare.push(`${method} ${path} ${status}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it('real answers of the main routes match the document', async () => {
    // auth
    const pair = await call(null, 'post', '/api/auth/login', '/api/auth/login', { username: admin.username, password: admin.password }, 200);
    await call(null, 'post', '/api/auth/refresh', '/api/auth/refresh', { refreshToken: pair['refreshToken'] }, 200);
    await call(null, 'post', '/api/auth/login', '/api/auth/login', { username: admin.username, password: 'wrong-password' }, 401);
    await call(admin, 'get', '/api/auth/me', '/api/auth/me', undefined, 200);
    // users
    await call(admin, 'get', '/api/users', '/api/users', undefined, 200);
    const u = await call(admin, 'post', '/api/users', '/api/users', { username: 'schema-user', password: 'password-123', role: 'supervisor', displayName: '值班长' }, 201);
    await call(admin, 'get', '/api/users/{userId}', `/api/users/${String(u['id'])}`, undefined, 200);
    await call(admin, 'patch', '/api/users/{userId}', `/api/users/${String(u['id'])}`, { displayName: '值班长乙' }, 200);
    await call(admin, 'get', '/api/users/{userId}', '/api/users/nobody', undefined, 404);
    await call(admin, 'get', '/api/users', '/api/users?page=0', undefined, 400);
    // agents and the dashboard
    await call(supervisor, 'get', '/api/agents', '/api/agents', undefined, 200);
    await call(agent, 'post', '/api/agents/{agentId}/state', '/api/agents/7101/state', { action: 'login' }, 200);
    await call(agent, 'get', '/api/agents/{agentId}/state', '/api/agents/7101/state', undefined, 200);
    await call(supervisor, 'get', '/api/dashboard/snapshot', '/api/dashboard/snapshot', undefined, 200);
    await call(supervisor, 'get', '/api/dashboard/deltas', '/api/dashboard/deltas?after=0', undefined, 200);
    await call(agent, 'get', '/api/dashboard/snapshot', '/api/dashboard/snapshot', undefined, 403);
    // queues and settings
    await call(admin, 'post', '/api/queues', '/api/queues', { queueId: 'general', name: '综合' }, 201);
    await call(admin, 'get', '/api/queues', '/api/queues', undefined, 200);
    await call(admin, 'get', '/api/queues/{queueId}', '/api/queues/general', undefined, 200);
    await call(admin, 'patch', '/api/queues/{queueId}', '/api/queues/general', { waitAlertSec: 90 }, 200);
    await call(admin, 'get', '/api/settings', '/api/settings', undefined, 200);
    await call(admin, 'put', '/api/settings', '/api/settings', { serviceLevelThresholdSec: 15, serviceLevelDenominator: 'answered', shortAbandonSec: 5, ringAnswerThresholdSec: 10, waitAlertSec: 60, notReadyAlertSec: 900, missedStreakAlert: 2 }, 200);
    // calls: a recorded call the agent answered, rated
    await insertCall(app, {
      callId: 'schema-call', agentId: '7101', agentIds: ['7101'], recording: 'call-schema-call', endedAt: new Date(), answeredAt: new Date(),
      attempts: [{ attempt: 1, agentId: '7101', startedAt: new Date(), endedAt: new Date(), outcome: 'answered', ringMs: 2000 }],
      timeline: [{ type: 'CallStarted', at: new Date() }],
    });
    await call(admin, 'get', '/api/calls', '/api/calls', undefined, 200);
    await call(agent, 'get', '/api/calls', '/api/calls?outcome=answered', undefined, 200);
    await call(admin, 'get', '/api/calls/{callId}', '/api/calls/schema-call', undefined, 200);
    await call(agent, 'get', '/api/calls/{callId}/caller-history', '/api/calls/schema-call/caller-history', undefined, 200);
    await call(admin, 'get', '/api/ratings/summary', '/api/ratings/summary', undefined, 200);
    await call(admin, 'get', '/api/kpi/calls', '/api/kpi/calls', undefined, 200);
    // work orders, files, text messages
    const order = await call(agent, 'post', '/api/work-orders', '/api/work-orders', {
      caller: { name: '李四', phone: '13900001111', address: '朝阳区某小区3号楼', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '小区自来水浑浊已经三天', areaCode: '110105', submit: true,
    }, 201);
    const orderId = String(order['id']);
    await call(admin, 'get', '/api/work-orders', '/api/work-orders', undefined, 200);
    await call(admin, 'get', '/api/work-orders/{orderId}', `/api/work-orders/${orderId}`, undefined, 200);
    await call(supervisor, 'post', '/api/work-orders/{orderId}/actions', `/api/work-orders/${orderId}/actions`, { type: 'dispatch', leadUnitId: 'water' }, 200);
    await call(supervisor, 'post', '/api/work-orders/{orderId}/actions', `/api/work-orders/${orderId}/actions`, { type: 'sign' }, 403);
    const form = new FormData();
    form.append('file', new Blob([pdf()]), '依据.pdf');
    const up = await fetch(`${app.baseUrl}/api/work-orders/${orderId}/attachments?step=return`, { method: 'POST', headers: { authorization: `Bearer ${water.token}` }, body: form });
    const upBody = (await up.json()) as Json;
    const uv = validatorFor('/api/work-orders/{orderId}/attachments', 'post', up.status);
    if (up.status !== 201 || !uv?.(upBody)) problems.push(`upload → ${up.status}: ${uv ? ajv.errorsText(uv.errors) : 'no schema'}`);
    await call(water, 'get', '/api/work-orders/{orderId}/attachments', `/api/work-orders/${orderId}/attachments`, undefined, 200);
    await call(admin, 'get', '/api/work-orders/{orderId}/sms', `/api/work-orders/${orderId}/sms`, undefined, 200);
    // knowledge base
    const article = await call(admin, 'post', '/api/knowledge/articles', '/api/knowledge/articles', {
      title: '社会保障卡补办流程', body: '社保卡遗失后可携带身份证到就近社保经办网点办理挂失和补办。', category: '咨询', keywords: ['社保卡', '补办'], ownerUnitId: null,
    }, 201);
    await call(agent, 'get', '/api/knowledge/articles/{articleId}', `/api/knowledge/articles/${String(article['id'])}`, undefined, 200);
    await call(admin, 'put', '/api/knowledge/articles/{articleId}', `/api/knowledge/articles/${String(article['id'])}`, {
      title: '社会保障卡补办', body: '携带身份证到社保经办网点办理。', category: '咨询', keywords: ['社保卡'], ownerUnitId: null, rev: article['rev'],
    }, 200);
    await call(agent, 'get', '/api/knowledge/search', `/api/knowledge/search?q=${encodeURIComponent('社保卡')}`, undefined, 200);
    // the unit directory; 催办 by hand
    await call(supervisor, 'get', '/api/units', '/api/units', undefined, 200);
    await call(admin, 'post', '/api/units', '/api/units', { id: 'schema-unit', name: '青浦区水务局', shortName: '水务局' }, 201);
    await call(admin, 'put', '/api/units/{unitId}', '/api/units/schema-unit', { name: '青浦区水务局', contact: '021-59730000', enabled: false }, 200);
    await call(admin, 'post', '/api/units', '/api/units', { id: 'schema-unit', name: '重复' }, 409);
    await call(supervisor, 'post', '/api/work-orders/{orderId}/supervise', `/api/work-orders/${orderId}/supervise`, { kind: 'reminder' }, 200);
    await call(supervisor, 'post', '/api/work-orders/{orderId}/supervise', `/api/work-orders/${orderId}/supervise`, { kind: 'supervision' }, 409);
    // complaints against units, reports, presets, calendar
    const complaint = await call(agent, 'post', '/api/complaints', '/api/complaints', { unitId: 'water', ground: 'lateHandling', description: '三天无人联系' }, 201);
    await call(supervisor, 'get', '/api/complaints', '/api/complaints?unitId=water', undefined, 200);
    await call(supervisor, 'get', '/api/complaints/{complaintId}', `/api/complaints/${String(complaint['id'])}`, undefined, 200);
    await call(supervisor, 'post', '/api/complaints/{complaintId}/judgement', `/api/complaints/${String(complaint['id'])}/judgement`, { decision: 'upheld', finding: '经核查属实' }, 200);
    await call(admin, 'get', '/api/reports/work-orders', '/api/reports/work-orders?period=month', undefined, 200);
    // The same report as CSV: a media type the document declares for it.
    const csv = await fetch(`${app.baseUrl}/api/reports/work-orders?period=month&format=csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    const csvType = (csv.headers.get('content-type') ?? '').split(';')[0] ?? '';
    if (csv.status !== 200 || !doc.paths['/api/reports/work-orders']?.['get']?.responses['200']?.content?.[csvType]) problems.push(`report as CSV → ${csv.status} ${csvType}: not declared`);
    await csv.arrayBuffer();
    await call(admin, 'get', '/api/presets', '/api/presets', undefined, 200);
    await call(admin, 'get', '/api/presets/active', '/api/presets/active', undefined, 200);
    await call(admin, 'get', '/api/presets/{presetId}', '/api/presets/beijing-2023', undefined, 200);
    await call(admin, 'get', '/api/calendar/years', '/api/calendar/years', undefined, 200);
    await call(admin, 'get', '/api/calendar/years/{year}', '/api/calendar/years/2026', undefined, 200);
    // callback requests
    const requestedAt = new Date();
    const cb = await callbackRequestModel(app.db.connection).create({ callId: 'schema-overflow', callerNumber: '13800138000', calledNumber: '12345', queueId: 'general', requestedAt, dayKey: '2026-12-07' });
    await call(supervisor, 'get', '/api/callbacks', '/api/callbacks', undefined, 200);
    await call(supervisor, 'post', '/api/callbacks/{callbackId}/assign', `/api/callbacks/${String(cb._id)}/assign`, { agentId: '7101' }, 200);
    await call(agent, 'get', '/api/callbacks/{callbackId}', `/api/callbacks/${String(cb._id)}`, undefined, 200);
    await call(agent, 'post', '/api/callbacks/{callbackId}/call', `/api/callbacks/${String(cb._id)}/call`, undefined, 202);
    await call(supervisor, 'get', '/api/calls/{callId}/recording/access', '/api/calls/schema-call/recording/access', undefined, 200);
    // confidential callers (last: the mark masks schema-call's caller from here on)
    const mark = await call(agent, 'post', '/api/callers/confidential', '/api/callers/confidential', { callId: 'schema-call', reason: '来电人要求保密' }, 201);
    await call(supervisor, 'post', '/api/callers/confidential', '/api/callers/confidential', { number: '1380013', reason: '' }, 400);
    await call(supervisor, 'get', '/api/callers/confidential', '/api/callers/confidential?state=all', undefined, 200);
    await call(supervisor, 'get', '/api/callers/confidential/{markId}', `/api/callers/confidential/${String(mark['id'])}`, undefined, 200);
    await call(supervisor, 'post', '/api/callers/confidential/{markId}/withdraw', `/api/callers/confidential/${String(mark['id'])}/withdraw`, { reason: '来电人撤回保密要求' }, 200);
    await call(supervisor, 'post', '/api/callers/confidential/{markId}/withdraw', `/api/callers/confidential/${String(mark['id'])}/withdraw`, { reason: '再次撤销' }, 409);
    await call(admin, 'get', '/api/callers/confidential/{markId}/audit', `/api/callers/confidential/${String(mark['id'])}/audit`, undefined, 200);
    // operations
    await call(null, 'get', '/healthz', '/healthz', undefined, 200);
    await call(null, 'get', '/readyz', '/readyz', undefined, 200);
    await call(null, 'get', '/openapi.json', '/openapi.json', undefined, 200);

    expect(problems).toEqual([]);
    // Successes and problem documents (400, 401, 403, 404) were both checked.
    expect(checked.filter((c) => / [45]\d\d$/.test(c)).length).toBeGreaterThanOrEqual(5);
    // Most operations of the document were exercised (live call controls and the directory need Asterisk: their own tests).
    expect(new Set(checked.map((c) => c.split(' ').slice(0, 2).join(' '))).size).toBeGreaterThanOrEqual(50);
  }, 120_000);
});
