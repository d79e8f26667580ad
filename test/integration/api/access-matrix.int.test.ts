/**
 * The REST access matrix: every route of the route table (the core API and the work-order module's
 * work orders, knowledge base, reports and presets, wired as main.ts wires them) × every role, and
 * without a token. Each cell is the outcome the access policy intends, written out here rather than
 * read from the code under test (src/domain/access, work-order.policy.ts, the services' rules):
 *   'ok' = the route's documented success status;
 *   403  = the role may not do this at all;
 *   404  = the resource is someone else's (another unit's order, another agent's call): ids cannot be probed;
 *   no token → 401, except on public routes.
 * Every request is valid, so a 400 or 409 always fails the test. The route table must match the
 * matrix both ways, and so must the work-order action types, so a new route or action cannot be
 * forgotten. Every request runs on a fresh session; every allowed request on fresh fixtures, so
 * one (a logout, a state change of an order) never spoils the next; the refused requests of a case
 * share one fixture, which they must leave as it was. Listings are also checked for how they are
 * narrowed (an agent's calls, a unit handler's orders and reports).
 */
import { ROLES, type Role } from '../../../src/domain/access';
import type { RouteDoc } from '../../../src/adapters/http/route-table';
import { actionBody } from '../../../src/adapters/http/routers/work-orders.router';
import { Readable } from 'node:stream';
import { pdf } from '../../support/evidence-files';
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';
import { wav8k } from '../../support/wav';
import { callbackRequestModel } from '../../../src/adapters/db/models/callback-request.model';

type Outcome = 'ok' | 403 | 404;
type Expect = Readonly<Record<Role, Outcome>>;

interface Req {
  path: string;
  body?: unknown;
  /** A multipart upload of one part named `file` instead of a JSON body. */
  file?: { name: string; data: Buffer };
  /** After a refused request: what changed, if anything did (null = nothing). */
  unchanged?: () => Promise<string | null>;
}

interface Case {
  /** What the case shows (printed with a failure). */
  what: string;
  expect: Expect;
  /** Without a token; default 401. Public routes say what they answer. */
  anonymous?: Outcome | 401;
  /** Builds the request: for each allowed role, and once for all refused ones. */
  request: (who: Role | null) => Req | Promise<Req>;
  /** Extra checks on an allowed response (how a listing is narrowed); returns a problem or null. */
  check?: (who: Role, body: unknown) => string | null;
}

const allow = (...roles: Role[]): Expect => Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? 'ok' : 403])) as Record<Role, Outcome>;
const EVERYONE = allow(...ROLES);
/** Hotline staff: agents, supervisors, administrators (not unit handlers). */
const STAFF = allow('agent', 'supervisor', 'admin');
const MANAGERS = allow('supervisor', 'admin');
const ADMIN = allow('admin');
/** Allowed, but there is no such live call. */
const STAFF_NO_CALL: Expect = { agent: 404, supervisor: 404, admin: 404, unit_handler: 403 };
const MANAGERS_NO_CALL: Expect = { agent: 403, supervisor: 404, admin: 404, unit_handler: 403 };
/** Hotline staff see every order; a unit handler gets 404 for another unit's. */
const OTHER_UNIT: Expect = { ...EVERYONE, unit_handler: 404 };

const at =
  (path: string, body?: () => unknown) =>
  (): Req => (body ? { path, body: body() } : { path });

// The work-order module runs on a fixed Monday morning (Beijing), so deadlines and guards are stable.
const T0 = new Date('2026-03-02T09:00:00+08:00').getTime();

let app: TestApp;
const accounts = {} as Record<Role, Account>;
/** Unit handlers by unit: `water` is the matrix's unit handler; roads and parks act on their own orders in fixtures. */
const handlers = {} as Record<string, Account>;
let victim: Account;
let kbArticleId: string;
/** Orders made once: lead water, lead roads with co-unit water, lead parks, not yet dispatched. */
const orders = {} as Record<'water' | 'coWater' | 'parks' | 'undispatched', string>;
/** Callback requests assigned to the matrix's agent (7001) and to another (7002). */
const callbacks = {} as Record<'mine' | 'theirs', string>;
/** An evidence file on the order of water and one on the order of parks. */
const files = {} as Record<'water' | 'parks', string>;

/** Uploads a small PDF to the order (as an administrator); its id. */
async function uploadEvidence(orderId: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([pdf()]), '依据.pdf');
  const res = await fetch(`${app.baseUrl}/api/work-orders/${orderId}/attachments?step=return`, { method: 'POST', headers: { authorization: `Bearer ${accounts.admin.token}` }, body: form });
  const body = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`fixture upload: ${res.status} ${JSON.stringify(body)}`);
  return String(body['id']);
}
let n = 0;

/** A short WAV (RIFF header and silence), as Asterisk stores a bridge recording. */
function wav(): Buffer {
  return wav8k(Buffer.alloc(1600));
}

let recorded = 0;
/** An order made from a recorded call that `answeredBy` took (7001: the matrix's agent creates it), dispatched to `lead`. */
async function orderFromRecordedCall(lead: string, answeredBy: '7001' | '7002'): Promise<string> {
  const callId = `recorded-call-${++recorded}`;
  await insertCall(app, { callId, agentId: answeredBy, agentIds: [answeredBy], unitIds: [], recording: `call-${callId}` });
  const o = await staffCall('POST', '/api/work-orders', { ...complaint(), callId }, answeredBy === '7001' ? accounts.agent : accounts.supervisor);
  await staffCall('POST', `/api/work-orders/${String(o['id'])}/actions`, { type: 'dispatch', leadUnitId: lead });
  return String(o['id']);
}

type Json = Record<string, unknown>;

let callbackSeq = 0;
/** A callback request left on overflow (as the call path stores it), assigned by a supervisor to `agentId` unless null; its id. */
async function callbackRequest(agentId: '7001' | '7002' | null): Promise<string> {
  callbackSeq += 1;
  const requestedAt = new Date();
  const d = await callbackRequestModel(app.db.connection).create({
    callId: `overflow-call-${callbackSeq}`, callerNumber: `1380013${String(callbackSeq).padStart(4, '0')}`, calledNumber: '12345', queueId: 'general',
    requestedAt, dayKey: requestedAt.toISOString().slice(0, 10), status: 'open',
  });
  const id = String(d._id);
  if (agentId) await staffCall('POST', `/api/callbacks/${id}/assign`, { agentId });
  return id;
}

/** A refused request must leave the callback request as it was. */
function callbackUnchanged(id: string): () => Promise<string | null> {
  return async () => {
    const d = await callbackRequestModel(app.db.connection).findById(id).lean();
    if (!d) return 'callback request gone';
    return d.status === 'assigned' && (d.calls ?? []).length === 0 ? null : `callback request changed: ${d.status}, ${(d.calls ?? []).length} calls`;
  };
}

async function staffCall(method: string, path: string, body?: unknown, by: Account = accounts.supervisor): Promise<Json> {
  const res = await request<Json>(app, method, path, { token: by.token, ...(body !== undefined ? { body } : {}) });
  if (res.status >= 300) throw new Error(`fixture ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// ---- work-order fixtures ----

const STAGES = [
  'draft', 'pendingDispatch', 'pendingSign', 'returnRequested', 'inProgress', 'extensionRequested', 'pendingReview', 'pendingFeedback', 'pendingCallback',
] as const;
type Stage = (typeof STAGES)[number];

/** Each complaint from its own caller: the same caller, category and area would link it to earlier orders as a repeat. */
const complaint = (submit = true) => ({
  caller: { name: '李四', phone: `139${String(++n).padStart(8, '0')}`, address: '朝阳区某小区3号楼', callbackConsent: 'granted' },
  category: '投诉', urgency: '一般', content: '小区自来水浑浊已经三天', areaCode: '110105', submit,
});

/** A new order at `stage`, dispatched (from pendingSign on) to `lead` with `co`. */
async function orderAt(stage: Stage, lead = 'water', co: string[] = []): Promise<{ id: string; rev: number }> {
  const reached = (s: Stage) => STAGES.indexOf(stage) >= STAGES.indexOf(s);
  const unit = handlers[lead];
  if (!unit) throw new Error(`no handler for unit ${lead}`);
  let o = await staffCall('POST', '/api/work-orders', complaint(stage !== 'draft'));
  const id = String(o['id']);
  const act = async (body: Json, by: Account = accounts.supervisor) => {
    o = await staffCall('POST', `/api/work-orders/${id}/actions`, body, by);
  };
  if (reached('pendingSign')) await act({ type: 'dispatch', leadUnitId: lead, ...(co.length > 0 ? { coUnitIds: co } : {}) });
  if (stage === 'returnRequested') {
    await act({ type: 'requestReturn', reason: 'notOurDuty', explanation: '属于物业管理范围', evidence: [{ id: await uploadEvidence(id) }] }, unit);
  } else if (reached('inProgress')) {
    await act({ type: 'sign' }, unit);
    await act({ type: 'recordContactAttempt', channel: 'phone', reached: true, note: '已与市民联系' }, unit);
    if (stage === 'extensionRequested') await act({ type: 'requestExtension', step: 5, reason: '需更换管道' }, unit);
    else if (reached('pendingReview')) {
      await act({ type: 'complete', summary: '已更换入户管道，水质恢复' }, unit);
      if (reached('pendingFeedback')) await act({ type: 'passReview' });
      if (reached('pendingCallback')) await act({ type: 'recordFeedback', channel: 'phone' }, unit);
    }
  }
  return { id, rev: Number(o['rev']) };
}

// ---- confidential-caller fixtures ----

const NO_MARK = '00000000-0000-4000-8000-000000000000';
let confidentialSeq = 0;
const nextConfidentialNumber = (): string => `1370000${String(++confidentialSeq).padStart(4, '0')}`;

/** A call answered by `agentId` from a caller of its own. */
async function confidentialCall(agentId: '7001' | '7002'): Promise<{ callId: string; number: string }> {
  const callId = `confidential-call-${++confidentialSeq}`;
  const number = nextConfidentialNumber();
  await insertCall(app, { callId, agentId, agentIds: [agentId], callerNumber: number });
  return { callId, number };
}

/** A mark request (by the call or by the number); a refused one must leave the caller unmarked. */
function markRequest(target: { callId: string; number: string } | { number: string }): Req {
  return {
    path: '/api/callers/confidential',
    body: { ...('callId' in target ? { callId: target.callId } : { number: target.number }), reason: '来电人要求保密' },
    unchanged: async () => ((await app.db.connection.collection('confidential_callers').countDocuments({ _id: target.number } as never)) === 0 ? null : 'the caller was marked'),
  };
}

/** A caller marked by a supervisor; the mark's id. */
async function confidentialMark(): Promise<string> {
  return String((await staffCall('POST', '/api/callers/confidential', { number: nextConfidentialNumber(), reason: '来电人要求保密' }))['id']);
}

/** A refused withdrawal must leave the mark in force. */
function markUnchanged(markId: string): () => Promise<string | null> {
  return async () => ((await staffCall('GET', `/api/callers/confidential/${markId}`))['active'] === true ? null : 'the mark was withdrawn');
}

async function orderRev(id: string): Promise<number> {
  return Number((await staffCall('GET', `/api/work-orders/${id}`))['rev']);
}

/** A stage of the lifecycle, or an order a supervisor merged into another (for unmerge). */
type ActionStage = Stage | 'merged';

async function mergedOrder(): Promise<{ id: string; rev: number }> {
  const o = await orderAt('pendingDispatch');
  const merged = await staffCall('POST', `/api/work-orders/${o.id}/actions`, { type: 'merge', masterId: orders.undispatched });
  return { id: o.id, rev: Number(merged['rev']) };
}

/** A request for one action on a fresh order at `stage`; a refusal must leave the order as it was. */
function actionOn(stage: ActionStage, body: (orderId: string) => Json | Promise<Json>, lead = 'water', co: string[] = []): Case['request'] {
  return async () => {
    const o = stage === 'merged' ? await mergedOrder() : await orderAt(stage, lead, co);
    const b = await body(o.id);
    // Fixtures (an uploaded file) may have moved the revision.
    o.rev = await orderRev(o.id);
    return {
      path: `/api/work-orders/${o.id}/actions`,
      body: b,
      unchanged: async () => {
        const rev = await orderRev(o.id);
        return rev === o.rev ? null : `order changed: rev ${o.rev} → ${rev}`;
      },
    };
  };
}

function itemsOf(body: unknown): Json[] {
  return ((body as { items?: Json[] }).items ?? []);
}

// ---- the matrix ----

const matrix: Record<string, Case[]> = {
  // auth: public sign-in and refresh; everything else needs a token, whatever the role
  'POST /api/auth/login': [
    { what: 'own credentials', expect: EVERYONE, anonymous: 'ok', request: (who) => ({ path: '/api/auth/login', body: { username: accounts[who ?? 'agent'].username, password: accounts[who ?? 'agent'].password } }) },
  ],
  'POST /api/auth/refresh': [
    {
      what: 'own refresh token', expect: EVERYONE, anonymous: 'ok',
      request: async (who) => ({ path: '/api/auth/refresh', body: { refreshToken: (await app.auth.login(accounts[who ?? 'agent'].username, accounts[who ?? 'agent'].password)).refreshToken } }),
    },
  ],
  'POST /api/auth/logout': [{ what: 'own session', expect: EVERYONE, request: at('/api/auth/logout', () => ({})) }],
  'GET /api/auth/me': [{ what: 'own user', expect: EVERYONE, request: at('/api/auth/me') }],

  // users: administrators only
  'GET /api/users': [{ what: 'list', expect: ADMIN, request: at('/api/users') }],
  'POST /api/users': [{ what: 'a new supervisor', expect: ADMIN, request: at('/api/users', () => ({ username: `m${++n}`, password: 'password-123', role: 'supervisor', displayName: 'm' })) }],
  'GET /api/users/:userId': [
    { what: 'a user', expect: ADMIN, request: () => ({ path: `/api/users/${victim.id}` }) },
    { what: 'no such user (403 before 404)', expect: { ...ADMIN, admin: 404 }, request: at('/api/users/no-such-user') },
  ],
  'PATCH /api/users/:userId': [{ what: 'rename a user', expect: ADMIN, request: () => ({ path: `/api/users/${victim.id}`, body: { displayName: 'renamed' } }) }],
  'POST /api/users/:userId/revoke-sessions': [{ what: 'a user', expect: ADMIN, request: () => ({ path: `/api/users/${victim.id}/revoke-sessions` }) }],

  // agents: an agent acts on their own state only; managers on any; unit handlers not at all
  'GET /api/agents': [{ what: 'list', expect: MANAGERS, request: at('/api/agents') }],
  'GET /api/agents/:agentId/state': [
    { what: 'own agent', expect: STAFF, request: at('/api/agents/7001/state') },
    { what: 'another agent', expect: { ...STAFF, agent: 404 }, request: at('/api/agents/7002/state') },
  ],
  'POST /api/agents/:agentId/state': [
    { what: 'own agent', expect: STAFF, request: at('/api/agents/7001/state', () => ({ action: 'not_ready', reason: '休息' })) },
    { what: 'another agent', expect: { ...STAFF, agent: 404 }, request: at('/api/agents/7002/state', () => ({ action: 'not_ready', reason: '休息' })) },
  ],
  'GET /api/dashboard/snapshot': [{ what: 'snapshot', expect: MANAGERS, request: at('/api/dashboard/snapshot') }],
  'GET /api/dashboard/deltas': [{ what: 'deltas', expect: MANAGERS, request: at('/api/dashboard/deltas?after=0') }],

  // queues and monitoring settings
  'GET /api/queues': [{ what: 'list', expect: STAFF, request: at('/api/queues') }],
  'POST /api/queues': [{ what: 'a new queue', expect: ADMIN, request: at('/api/queues', () => ({ queueId: `q${++n}`, name: 'q' })) }],
  'GET /api/queues/:queueId': [
    { what: 'a queue', expect: STAFF, request: at('/api/queues/general') },
    { what: 'no such queue (403 before 404)', expect: { ...STAFF, agent: 404, supervisor: 404, admin: 404 }, request: at('/api/queues/nowhere') },
  ],
  'PATCH /api/queues/:queueId': [{ what: 'a queue', expect: ADMIN, request: at('/api/queues/general', () => ({ waitAlertSec: 90 })) }],
  'GET /api/settings': [{ what: 'settings', expect: MANAGERS, request: at('/api/settings') }],
  'PUT /api/settings': [
    {
      what: 'settings', expect: ADMIN,
      request: at('/api/settings', () => ({ serviceLevelThresholdSec: 15, serviceLevelDenominator: 'answered', shortAbandonSec: 5, ringAnswerThresholdSec: 10, waitAlertSec: 60, notReadyAlertSec: 900, missedStreakAlert: 2 })),
    },
  ],

  // calls: agents see their own, unit handlers their unit's, managers all
  'GET /api/calls': [
    {
      what: 'list, narrowed to own calls / own unit\'s calls', expect: EVERYONE, request: at('/api/calls'),
      check: (who, body) => {
        const ids = itemsOf(body).map((c) => c['callId']);
        const want = who === 'agent' || who === 'unit_handler' ? ['matrix-call', 'recorded-matrix-call'] : ['matrix-call', 'other-call', 'recorded-matrix-call', 'recorded-other-call'];
        return JSON.stringify([...ids].sort()) === JSON.stringify(want) ? null : `listed ${JSON.stringify(ids)}, expected ${JSON.stringify(want)}`;
      },
    },
  ],
  'GET /api/calls/:callId': [
    { what: 'own call (agent answered, unit received its order)', expect: EVERYONE, request: at('/api/calls/matrix-call') },
    { what: 'another agent\'s and unit\'s call', expect: { ...EVERYONE, agent: 404, unit_handler: 404 }, request: at('/api/calls/other-call') },
    { what: 'no such call', expect: { agent: 404, supervisor: 404, unit_handler: 404, admin: 404 }, request: at('/api/calls/no-such-call') },
  ],
  'GET /api/calls/:callId/caller-history': [
    // What the history lists (the caller's other calls and orders, masked where not handled) is calls.int.test.ts's.
    { what: 'own call', expect: EVERYONE, request: at('/api/calls/matrix-call/caller-history') },
    { what: 'another agent\'s and unit\'s call', expect: { ...EVERYONE, agent: 404, unit_handler: 404 }, request: at('/api/calls/other-call/caller-history') },
  ],
  'GET /api/ratings/summary': [{ what: 'summary', expect: STAFF, request: at('/api/ratings/summary') }],
  'GET /api/kpi/calls': [{ what: 'KPIs', expect: MANAGERS, request: at('/api/kpi/calls') }],
  // In-call controls: who may ask (the harness runs no call, so those who may get 404; the controls
  // themselves, and an agent refused another's call, are in-call-controls / call-transfers.int.test.ts).
  ...Object.fromEntries(
    (
      [
        ['hold'],
        ['resume'],
        ['emergency-transfer', { line: '110' }],
        ['three-way', { number: '12319' }],
        ['transfer', { number: '12319', mode: 'consult' }],
        ['transfer/complete'],
        ['transfer/cancel'],
        ['queue-transfer', { queueId: 'tax' }],
      ] as const
    ).map(([what, body]) => [
      `POST /api/calls/:callId/${what}`,
      [{ what: 'no live call: staff 404, unit handlers 403', expect: { ...STAFF_NO_CALL }, request: at(`/api/calls/matrix-call/${what}`, body ? () => body : undefined) }],
    ]),
  ),
  'POST /api/calls/:callId/monitor': [{ what: 'no live call: managers 404, others 403', expect: { ...MANAGERS_NO_CALL }, request: at('/api/calls/matrix-call/monitor', () => ({ mode: 'listen' })) }],
  'DELETE /api/calls/:callId/monitor': [{ what: 'no live call: managers 404, others 403', expect: { ...MANAGERS_NO_CALL }, request: at('/api/calls/matrix-call/monitor') }],

  // callback requests: agents the ones assigned to them (others' are 404), supervisors assign; recordings: who may hear the call
  'GET /api/callbacks': [
    {
      what: 'list, narrowed to the agent\'s own', expect: STAFF, request: at('/api/callbacks?pageSize=200'),
      check: (who, body) => {
        const agents = [...new Set(itemsOf(body).map((c) => c['assignedAgentId']))];
        if (who === 'agent') return JSON.stringify(agents) === JSON.stringify(['7001']) ? null : `an agent sees requests of ${JSON.stringify(agents)}`;
        return agents.includes('7002') ? null : `requests of ${JSON.stringify(agents)}`;
      },
    },
  ],
  'GET /api/callbacks/:callbackId': [
    { what: 'assigned to the agent', expect: STAFF, request: () => ({ path: `/api/callbacks/${callbacks.mine}` }) },
    { what: 'assigned to another agent', expect: { ...STAFF, agent: 404 }, request: () => ({ path: `/api/callbacks/${callbacks.theirs}` }) },
  ],
  'POST /api/callbacks/:callbackId/assign': [
    { what: 'an open request', expect: MANAGERS, request: async () => ({ path: `/api/callbacks/${await callbackRequest(null)}/assign`, body: { agentId: '7002' } }) },
  ],
  'POST /api/callbacks/:callbackId/call': [
    // Only an agent places a call, from their own phone: an administrator has no phone (403).
    {
      what: 'assigned to the agent', expect: { ...allow('agent'), admin: 403 },
      request: async () => {
        const id = await callbackRequest('7001');
        return { path: `/api/callbacks/${id}/call`, unchanged: callbackUnchanged(id) };
      },
    },
    {
      what: 'assigned to another agent', expect: { agent: 404, supervisor: 403, unit_handler: 403, admin: 403 },
      request: async () => {
        const id = await callbackRequest('7002');
        return { path: `/api/callbacks/${id}/call`, unchanged: callbackUnchanged(id) };
      },
    },
  ],
  'POST /api/callbacks/:callbackId/close': [
    {
      what: 'assigned to the agent', expect: STAFF,
      request: async () => {
        const id = await callbackRequest('7001');
        return { path: `/api/callbacks/${id}/close`, body: { result: 'reached' }, unchanged: callbackUnchanged(id) };
      },
    },
    {
      what: 'assigned to another agent', expect: { ...STAFF, agent: 404 },
      request: async () => {
        const id = await callbackRequest('7002');
        return { path: `/api/callbacks/${id}/close`, body: { result: 'unreachable' }, unchanged: callbackUnchanged(id) };
      },
    },
  ],
  'GET /api/calls/:callId/recording': [
    { what: 'a call the agent answered and the handler\'s unit leads', expect: EVERYONE, request: at('/api/calls/recorded-matrix-call/recording') },
    { what: 'another agent\'s and unit\'s call', expect: { ...EVERYONE, agent: 404, unit_handler: 404 }, request: at('/api/calls/recorded-other-call/recording') },
  ],
  'GET /api/calls/:callId/recording/access': [{ what: 'who listened', expect: MANAGERS, request: at('/api/calls/recorded-matrix-call/recording/access') }],

  // work orders: hotline staff create and see all; a unit handler sees its unit's (lead or co-unit), others are 404
  'POST /api/work-orders': [{ what: 'a new complaint', expect: STAFF, request: at('/api/work-orders', () => complaint()) }],
  'GET /api/work-orders': [
    {
      what: 'list, narrowed to the handler\'s unit', expect: EVERYONE, request: at('/api/work-orders?pageSize=200'),
      check: (who, body) => {
        const items = itemsOf(body);
        const units = (o: Json) => [o['leadUnitId'], ...((o['coUnitIds'] as unknown[] | undefined) ?? [])];
        if (items.length === 0) return 'nothing listed';
        if (who !== 'unit_handler') return null;
        const foreign = items.filter((o) => !units(o).includes('water'));
        return foreign.length === 0 ? null : `lists ${foreign.length} orders of other units`;
      },
    },
    {
      what: 'filtered by another unit', expect: EVERYONE, request: at('/api/work-orders?unitId=parks'),
      check: (who, body) => {
        const ids = itemsOf(body).map((o) => o['id']);
        if (who === 'unit_handler') return ids.length === 0 ? null : `a unit handler sees ${ids.length} orders of another unit`;
        return ids.includes(orders.parks) ? null : 'the order of parks is missing';
      },
    },
  ],
  // the work-order desk: the radar is narrowed like the list; a dry run needs the role the action needs and the order to be visible
  'GET /api/work-order-radar': [
    {
      what: 'radar, narrowed to the handler\'s unit', expect: EVERYONE, request: at('/api/work-order-radar?pageSize=200'),
      check: (who, body) => {
        const items = itemsOf(body);
        const units = (o: Json) => [o['leadUnitId'], ...((o['coUnitIds'] as unknown[] | undefined) ?? [])];
        if (items.length === 0) return 'nothing listed';
        if (who !== 'unit_handler') return null;
        const foreign = items.filter((o) => !units(o).includes('water'));
        return foreign.length === 0 ? null : `lists ${foreign.length} orders of other units`;
      },
    },
    {
      what: 'radar filtered by another unit', expect: EVERYONE, request: at('/api/work-order-radar?unitId=parks'),
      check: (who, body) => {
        const ids = itemsOf(body).map((o) => o['id']);
        if (who === 'unit_handler') return ids.length === 0 ? null : `a unit handler sees ${ids.length} orders of another unit`;
        return ids.includes(orders.parks) ? null : 'the order of parks is missing';
      },
    },
  ],
  'POST /api/work-orders/:orderId/preview': [
    { what: 'a dispatch of an order not yet dispatched', expect: STAFF, request: () => ({ path: `/api/work-orders/${orders.undispatched}/preview`, body: { type: 'dispatch', leadUnitId: 'water' } }) },
    { what: 'a sign of an order led by the handler\'s unit', expect: allow('unit_handler'), request: () => ({ path: `/api/work-orders/${orders.water}/preview`, body: { type: 'sign' } }) },
    { what: 'a sign of another unit\'s order', expect: { agent: 403, supervisor: 403, admin: 403, unit_handler: 404 }, request: () => ({ path: `/api/work-orders/${orders.parks}/preview`, body: { type: 'sign' } }) },
  ],
  // The unit directory: every role reads names; administrators keep it.
  'GET /api/units': [{ what: 'the unit directory with its handlers', expect: EVERYONE, request: at('/api/units') }],
  'POST /api/units': [{ what: 'a new unit', expect: ADMIN, request: at('/api/units', () => ({ id: `matrix-unit-${++n}`, name: `矩阵单位${n}` })) }],
  'PUT /api/units/:unitId': [{ what: 'a unit renamed', expect: ADMIN, request: at('/api/units/water', () => ({ name: `水务局${++n}`, shortName: '水务局', contact: null, enabled: true })) }],
  // 催办/督办 by hand: supervisors' powers (as recordNotice); before the deadline, 催办.
  'POST /api/work-orders/:orderId/supervise': [
    {
      what: '催办 of an order in time', expect: MANAGERS,
      request: async () => ({ path: `/api/work-orders/${(await orderAt('pendingSign')).id}/supervise`, body: { kind: 'reminder' } }),
    },
  ],
  'POST /api/work-orders/:orderId/attachments': [
    { what: 'a file for an order led by the handler\'s unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.water}/attachments?step=reply`, file: { name: 'reply.pdf', data: pdf() } }) },
    { what: 'a file for another unit\'s order', expect: OTHER_UNIT, request: () => ({ path: `/api/work-orders/${orders.parks}/attachments?step=reply`, file: { name: 'reply.pdf', data: pdf() } }) },
  ],
  'POST /api/work-orders/:orderId/attachments/call-recording': [
    {
      what: 'the recording of the call an order of the handler\'s unit was made from',
      expect: EVERYONE,
      request: async () => ({ path: `/api/work-orders/${await orderFromRecordedCall('water', '7001')}/attachments/call-recording` }),
    },
    {
      what: 'the same for another unit\'s order',
      expect: OTHER_UNIT,
      request: async () => ({ path: `/api/work-orders/${await orderFromRecordedCall('parks', '7001')}/attachments/call-recording` }),
    },
    {
      what: 'another agent\'s conversation (not the agent\'s to hear)',
      expect: { ...EVERYONE, agent: 404 },
      request: async () => ({ path: `/api/work-orders/${await orderFromRecordedCall('water', '7002')}/attachments/call-recording` }),
    },
  ],
  'GET /api/work-orders/:orderId/sms': [
    { what: 'the text messages of an order led by the handler\'s unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.water}/sms` }) },
    { what: 'the text messages of another unit\'s order', expect: OTHER_UNIT, request: () => ({ path: `/api/work-orders/${orders.parks}/sms` }) },
  ],
  'GET /api/work-orders/:orderId/attachments': [
    { what: 'the files of an order led by the handler\'s unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.water}/attachments` }) },
    { what: 'the files of another unit\'s order', expect: OTHER_UNIT, request: () => ({ path: `/api/work-orders/${orders.parks}/attachments` }) },
  ],
  'GET /api/work-orders/:orderId/attachments/:attachmentId': [
    { what: 'a file of an order led by the handler\'s unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.water}/attachments/${files.water}` }) },
    { what: 'a file of another unit\'s order', expect: OTHER_UNIT, request: () => ({ path: `/api/work-orders/${orders.parks}/attachments/${files.parks}` }) },
  ],
  'GET /api/work-orders/:orderId': [
    { what: 'an order led by the handler\'s unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.water}` }) },
    { what: 'an order where the handler\'s unit is a co-unit', expect: EVERYONE, request: () => ({ path: `/api/work-orders/${orders.coWater}` }) },
    { what: 'an order of another unit', expect: { ...EVERYONE, unit_handler: 404 }, request: () => ({ path: `/api/work-orders/${orders.parks}` }) },
    { what: 'an order not yet dispatched', expect: { ...EVERYONE, unit_handler: 404 }, request: () => ({ path: `/api/work-orders/${orders.undispatched}` }) },
    { what: 'no such order', expect: { agent: 404, supervisor: 404, unit_handler: 404, admin: 404 }, request: at('/api/work-orders/no-such-order') },
  ],
  // Who may take each action type is the next describe block; here: whose orders.
  'POST /api/work-orders/:orderId/actions': [
    { what: 'sign an order of another unit', expect: { ...allow(), unit_handler: 404 }, request: actionOn('pendingSign', () => ({ type: 'sign' }), 'parks') },
    { what: 'sign as a co-unit (only the lead unit signs)', expect: allow(), request: actionOn('pendingSign', () => ({ type: 'sign' }), 'roads', ['water']) },
    { what: 'sign an order not yet dispatched', expect: { ...allow(), unit_handler: 404 }, request: actionOn('pendingDispatch', () => ({ type: 'sign' })) },
    { what: 'dispatch an order that does not exist (403 before 404)', expect: { ...STAFF, agent: 404, supervisor: 404, admin: 404 }, request: at('/api/work-orders/no-such-order/actions', () => ({ type: 'dispatch', leadUnitId: 'water' })) },
  ],

  // knowledge base: everyone reads; supervisors and administrators write, unit handlers their unit's articles
  'GET /api/knowledge/search': [{ what: 'search', expect: EVERYONE, request: at(`/api/knowledge/search?q=${encodeURIComponent('社保卡怎么补办')}`) }],
  'GET /api/knowledge/articles/:articleId': [
    { what: 'an article', expect: EVERYONE, request: () => ({ path: `/api/knowledge/articles/${kbArticleId}` }) },
    { what: 'no such article', expect: { agent: 404, supervisor: 404, unit_handler: 404, admin: 404 }, request: at('/api/knowledge/articles/no-such-article') },
  ],
  'POST /api/knowledge/articles': [
    { what: 'an article of no unit', expect: MANAGERS, request: at('/api/knowledge/articles', () => article(null)) },
    { what: 'an article of the handler\'s unit', expect: allow('supervisor', 'admin', 'unit_handler'), request: at('/api/knowledge/articles', () => article('water')) },
    { what: 'an article of another unit', expect: MANAGERS, request: at('/api/knowledge/articles', () => article('parks')) },
  ],
  'PUT /api/knowledge/articles/:articleId': [
    { what: 'an article of no unit', expect: MANAGERS, request: () => articleUpdate(null) },
    { what: 'an article of the handler\'s unit', expect: allow('supervisor', 'admin', 'unit_handler'), request: () => articleUpdate('water') },
    { what: 'an article of another unit', expect: MANAGERS, request: () => articleUpdate('parks') },
  ],

  // work-order reports: managers see every unit; a unit handler its own unit only; agents none
  'GET /api/reports/work-orders': [
    {
      what: 'this month, every unit visible to the actor', expect: allow('supervisor', 'admin', 'unit_handler'), request: at('/api/reports/work-orders'),
      check: (who, body) => {
        const units = ((body as { units?: Json[] }).units ?? []).map((u) => u['unitId']);
        if (who === 'unit_handler') return units.every((u) => u === 'water') && units.length > 0 ? null : `a unit handler sees units ${JSON.stringify(units)}`;
        return units.includes('parks') && units.includes('water') ? null : `units ${JSON.stringify(units)}`;
      },
    },
    { what: 'the handler\'s own unit', expect: allow('supervisor', 'admin', 'unit_handler'), request: at('/api/reports/work-orders?unitId=water') },
    { what: 'another unit', expect: MANAGERS, request: at('/api/reports/work-orders?unitId=parks') },
    { what: 'the handler\'s own unit as Excel', expect: allow('supervisor', 'admin', 'unit_handler'), request: at('/api/reports/work-orders?unitId=water&format=xlsx') },
    { what: 'another unit as Excel', expect: MANAGERS, request: at('/api/reports/work-orders?unitId=parks&format=xlsx') },
  ],
  'GET /api/reports/work-orders/trend': [
    {
      what: 'this month by day, all units visible to the actor', expect: allow('supervisor', 'admin', 'unit_handler'), request: at('/api/reports/work-orders/trend'),
      check: (who, body) => {
        const unit = (body as { unitId?: string | null }).unitId;
        if (who === 'unit_handler') return unit === 'water' ? null : `a unit handler's trend is for ${String(unit)}`;
        return unit === null ? null : `trend for ${String(unit)}`;
      },
    },
    { what: 'another unit by week', expect: MANAGERS, request: at('/api/reports/work-orders/trend?unitId=parks&granularity=week') },
  ],

  // regulation presets and the calendar: managers read, administrators change
  'GET /api/presets': [{ what: 'list', expect: MANAGERS, request: at('/api/presets') }],
  'GET /api/presets/active': [{ what: 'active preset', expect: MANAGERS, request: at('/api/presets/active') }],
  'PUT /api/presets/active': [{ what: 'select the active preset', expect: ADMIN, request: at('/api/presets/active', () => ({ presetId: 'beijing-2023' })) }],
  'GET /api/presets/:presetId': [
    { what: 'a preset', expect: MANAGERS, request: at('/api/presets/beijing-2023') },
    { what: 'no such preset (403 before 404)', expect: { ...MANAGERS, supervisor: 404, admin: 404 }, request: at('/api/presets/nowhere') },
  ],
  'GET /api/presets/:presetId/versions': [{ what: 'versions of a preset', expect: MANAGERS, request: at('/api/presets/beijing-2023/versions') }],
  'PUT /api/presets/:presetId': [{ what: 'a new preset', expect: ADMIN, request: () => newPreset() }],
  'GET /api/calendar/years': [{ what: 'list', expect: MANAGERS, request: at('/api/calendar/years') }],
  'GET /api/calendar/years/:year': [{ what: 'a year', expect: MANAGERS, request: at('/api/calendar/years/2026') }],
  'PUT /api/calendar/years/:year': [{ what: 'a new version of a year', expect: ADMIN, request: () => calendarYear() }],

  // complaints against units (监督投诉): hotline staff record them; supervisors and administrators read and judge them
  'POST /api/complaints': [{ what: 'a complaint against a unit', expect: STAFF, request: at('/api/complaints', () => unitComplaint()) }],
  'GET /api/complaints': [{ what: 'list', expect: MANAGERS, request: at('/api/complaints?unitId=water') }],
  'GET /api/complaints/:complaintId': [{ what: 'a complaint', expect: MANAGERS, request: async () => ({ path: `/api/complaints/${await recordedComplaint()}` }) }],
  'POST /api/complaints/:complaintId/judgement': [{ what: 'judge a pending complaint an agent recorded', expect: MANAGERS, request: () => complaintJudgement() }],

  // confidential callers (保密): an agent marks the caller of a call they answered, managers any number and keep the directory.
  // Each request on a call and a number of its own (made after the call listings above have run).
  'POST /api/callers/confidential': [
    { what: 'the caller of a call the agent answered', expect: STAFF, request: async () => markRequest(await confidentialCall('7001')) },
    { what: 'the caller of another agent\'s call', expect: { ...STAFF, agent: 404 }, request: async () => markRequest(await confidentialCall('7002')) },
    { what: 'a number', expect: MANAGERS, request: () => markRequest({ number: nextConfidentialNumber() }) },
  ],
  'GET /api/callers/confidential': [{ what: 'list', expect: MANAGERS, request: at('/api/callers/confidential?state=all') }],
  'GET /api/callers/confidential/:markId': [
    { what: 'a mark', expect: MANAGERS, request: async () => ({ path: `/api/callers/confidential/${await confidentialMark()}` }) },
    { what: 'no such mark (403 before 404)', expect: { ...MANAGERS, supervisor: 404, admin: 404 }, request: at(`/api/callers/confidential/${NO_MARK}`) },
  ],
  'POST /api/callers/confidential/:markId/withdraw': [
    {
      what: 'a mark', expect: MANAGERS,
      request: async () => {
        const markId = await confidentialMark();
        return { path: `/api/callers/confidential/${markId}/withdraw`, body: { reason: '来电人撤回保密要求' }, unchanged: markUnchanged(markId) };
      },
    },
    { what: 'no such mark (403 before 404)', expect: { ...MANAGERS, supervisor: 404, admin: 404 }, request: at(`/api/callers/confidential/${NO_MARK}/withdraw`, () => ({ reason: '撤销' })) },
  ],
  'GET /api/callers/confidential/:markId/audit': [{ what: 'a mark\'s audit', expect: MANAGERS, request: async () => ({ path: `/api/callers/confidential/${await confidentialMark()}/audit` }) }],
};

function unitComplaint(): Json {
  n += 1;
  return { unitId: 'water', ground: 'lateHandling', description: `三天无人联系 ${n}` };
}

/** Recorded by the agent, so that supervisors and administrators may judge it (not their own). */
async function recordedComplaint(): Promise<string> {
  return String((await staffCall('POST', '/api/complaints', unitComplaint(), accounts.agent))['id']);
}

async function complaintJudgement(): Promise<Req> {
  const id = await recordedComplaint();
  return {
    path: `/api/complaints/${id}/judgement`,
    body: { decision: 'upheld', finding: '经核查属实' },
    unchanged: async () => {
      const status = (await staffCall('GET', `/api/complaints/${id}`))['status'];
      return status === 'pending' ? null : `complaint judged: ${String(status)}`;
    },
  };
}

function article(ownerUnitId: string | null): Json {
  n += 1;
  return { title: `停水通知查询 ${n}`, body: '计划停水信息可在自来水集团网站查询。', category: '咨询', keywords: ['停水'], ownerUnitId };
}

async function articleUpdate(ownerUnitId: string | null): Promise<Req> {
  const a = await staffCall('POST', '/api/knowledge/articles', article(ownerUnitId), accounts.admin);
  const id = String(a['id']);
  return {
    path: `/api/knowledge/articles/${id}`,
    body: { ...article(ownerUnitId), rev: Number(a['rev']) },
    unchanged: async () => {
      const now = await staffCall('GET', `/api/knowledge/articles/${id}`);
      return now['rev'] === a['rev'] ? null : `article changed: rev ${String(a['rev'])} → ${String(now['rev'])}`;
    },
  };
}

async function newPreset(): Promise<Req> {
  const base = await staffCall('GET', '/api/presets/beijing-2023');
  const id = `matrix-${++n}`;
  return { path: `/api/presets/${id}`, body: { ...base, id, version: 1, name: `矩阵 ${n}` } };
}

/** A far-future year (never used by the fixtures' deadlines), each request one version newer. */
async function calendarYear(): Promise<Req> {
  n += 1;
  return {
    path: '/api/calendar/years/2031',
    body: {
      year: 2031, version: n, source: { title: '国务院办公厅关于2031年部分节假日安排的通知', publishedOn: '2030-11-10' },
      holidays: [{ name: '元旦', from: '2031-01-01', to: '2031-01-01' }], makeUpWorkdays: [],
    },
  };
}

// ---- who may take each work-order action (the role part; whose orders is in the matrix above) ----

type ActionType = (typeof actionBody.options)[number]['shape']['type']['value'];

/** Supervisors' powers: administrators act as supervisors on work orders. */
const SUPERVISORS = MANAGERS;
/** Unit actions: the lead unit's handler (the matrix's handler leads every order here). */
const LEAD_UNIT = allow('unit_handler');

const actions: Record<ActionType, { stage: ActionStage; expect: Expect; body: (orderId: string) => Json | Promise<Json> }> = {
  accept: { stage: 'draft', expect: STAFF, body: () => ({}) },
  answerDirect: { stage: 'pendingDispatch', expect: STAFF, body: () => ({ kbArticleId, answer: '携带身份证到社保经办网点补办' }) },
  invalidate: { stage: 'pendingDispatch', expect: STAFF, body: () => ({ reason: '无效来电' }) },
  transferEmergency: { stage: 'pendingDispatch', expect: STAFF, body: () => ({ target: '119' }) },
  // Merging and linking a repeat (which may escalate) are supervisors' decisions, as escalating is.
  merge: { stage: 'pendingDispatch', expect: SUPERVISORS, body: () => ({ masterId: orders.undispatched }) },
  unmerge: { stage: 'merged', expect: SUPERVISORS, body: () => ({ reason: '不是同一诉求' }) },
  dispatch: { stage: 'pendingDispatch', expect: STAFF, body: () => ({ leadUnitId: 'water' }) },
  sign: { stage: 'pendingSign', expect: LEAD_UNIT, body: () => ({}) },
  requestReturn: {
    stage: 'pendingSign', expect: LEAD_UNIT,
    body: async (orderId) => ({ reason: 'notOurDuty', explanation: '属于物业管理范围', evidence: [{ id: await uploadEvidence(orderId) }] }),
  },
  approveReturn: { stage: 'returnRequested', expect: SUPERVISORS, body: () => ({}) },
  rejectReturn: { stage: 'returnRequested', expect: SUPERVISORS, body: () => ({ reason: '属于本单位职责' }) },
  recordContactAttempt: { stage: 'inProgress', expect: LEAD_UNIT, body: () => ({ channel: 'phone', reached: true }) },
  recordHandling: { stage: 'inProgress', expect: LEAD_UNIT, body: () => ({ note: '已现场查看' }) },
  requestExtension: { stage: 'inProgress', expect: LEAD_UNIT, body: () => ({ step: 5, reason: '需更换管道' }) },
  approveExtension: { stage: 'extensionRequested', expect: SUPERVISORS, body: () => ({}) },
  rejectExtension: { stage: 'extensionRequested', expect: SUPERVISORS, body: () => ({ reason: '期限内可以办结' }) },
  complete: { stage: 'inProgress', expect: LEAD_UNIT, body: () => ({ summary: '已更换入户管道' }) },
  passReview: { stage: 'pendingReview', expect: SUPERVISORS, body: () => ({}) },
  sendBack: { stage: 'pendingReview', expect: SUPERVISORS, body: () => ({ reason: '办理结果不完整' }) },
  // The lead unit replies to the caller; hotline staff may record a reply made through them.
  recordFeedback: { stage: 'pendingFeedback', expect: EVERYONE, body: () => ({ channel: 'phone' }) },
  recordCallback: { stage: 'pendingCallback', expect: STAFF, body: () => ({ result: 'satisfied', contacted: true, feedbackReceived: true, resolution: 'resolved' }) },
  close: { stage: 'pendingCallback', expect: SUPERVISORS, body: () => ({ reason: '市民无异议' }) },
  linkRepeat: { stage: 'pendingDispatch', expect: SUPERVISORS, body: () => ({ rootOrderId: orders.undispatched, repeatNumber: 1, escalate: false }) },
  escalate: { stage: 'pendingDispatch', expect: SUPERVISORS, body: () => ({ reason: '群众反映强烈' }) },
  markConfidential: { stage: 'pendingDispatch', expect: STAFF, body: () => ({}) },
  // A call of its own each time: a call makes one order at most.
  linkCall: {
    stage: 'pendingDispatch',
    expect: STAFF,
    body: async (orderId) => {
      await insertCall(app, { callId: `matrix-call-${orderId}`, agentId: '7001', agentIds: ['7001'], unitIds: ['water'] });
      return { callId: `matrix-call-${orderId}` };
    },
  },
};

// ---- running ----

beforeAll(async () => {
  app = await startApp({
    dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`,
    withWorkOrderModule: true,
    workOrderClock: () => T0,
    // Asterisk's stored recordings: the matrix checks who may attach them (the real fetch: attachments/call-recording).
    callRecordings: { open: (name) => Promise.resolve(name.startsWith('call-recorded-call-') ? Readable.from([wav()]) : null) },
    loginRateLimit: { windowMs: 60_000, maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000 },
    // Who may list, assign, place and close callbacks and hear recordings; the real call and recording: callbacks/callbacks.int.test.ts.
    callbacks: {
      recordings: {
        open: (name) => Promise.resolve(name.startsWith('rec-') ? { size: wav().length, body: Readable.from([wav()]) } : null),
        delete: () => Promise.resolve(),
      },
      // The agent's phone does not answer: the placed call ends at once.
      dialer: {
        ready: () => true, isUp: () => Promise.resolve(false), endAll: () => Promise.resolve(),
        place: () => Promise.resolve({ agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: Date.now(), citizenCause: null, recording: null }),
      },
      agents: { phoneOf: (agentId) => (['7001', '7002'].includes(agentId) ? { endpoint: `PJSIP/agent${agentId}`, idle: true } : null) },
    },
  });
  for (const role of ROLES) accounts[role] = await account(app, role, role === 'agent' ? { agentId: '7001' } : {});
  await account(app, 'agent', { agentId: '7002' });
  handlers['water'] = accounts.unit_handler;
  for (const unit of ['roads', 'parks']) handlers[unit] = await account(app, 'unit_handler', { unitId: unit });
  victim = await account(app, 'supervisor');
  await insertCall(app, { callId: 'matrix-call', agentId: '7001', agentIds: ['7001'], unitIds: ['water'] });
  await insertCall(app, { callId: 'other-call', agentId: '7002', agentIds: ['7002'], unitIds: ['parks'] });
  await insertCall(app, { callId: 'recorded-matrix-call', agentId: '7001', agentIds: ['7001'], unitIds: ['water'], handlingUnitIds: ['water'], recording: 'rec-matrix', callerNumber: '13900000001' });
  await insertCall(app, { callId: 'recorded-other-call', agentId: '7002', agentIds: ['7002'], unitIds: ['parks'], handlingUnitIds: ['parks'], recording: 'rec-other', callerNumber: '13900000002' });
  await staffCall('POST', '/api/queues', { queueId: 'general', name: '综合' }, accounts.admin);
  kbArticleId = String(
    (await staffCall('POST', '/api/knowledge/articles', {
      title: '社会保障卡补办流程', body: '社保卡遗失后可携带身份证到就近社保经办网点办理挂失和补办。', category: '咨询', keywords: ['社保卡', '补办'], ownerUnitId: null,
    }))['id'],
  );
  orders.water = (await orderAt('pendingSign', 'water')).id;
  orders.coWater = (await orderAt('pendingSign', 'roads', ['water'])).id;
  orders.parks = (await orderAt('pendingSign', 'parks')).id;
  orders.undispatched = (await orderAt('pendingDispatch')).id;
  files.water = await uploadEvidence(orders.water);
  files.parks = await uploadEvidence(orders.parks);
  callbacks.mine = await callbackRequest('7001');
  callbacks.theirs = await callbackRequest('7002');
});
afterAll(async () => {
  await app?.stop();
});

const keyOf = (d: RouteDoc) => `${d.method.toUpperCase()} ${d.path}`;

function docOf(key: string): RouteDoc {
  const d = app.docs.find((x) => keyOf(x) === key);
  if (!d) throw new Error(`${key} is not in the route table`);
  return d;
}

const CODES: Record<number, string> = { 401: 'AUTH.UNAUTHENTICATED', 403: 'AUTH.FORBIDDEN', 404: 'NOT_FOUND' };

async function upload(path: string, token: string | undefined, file: { name: string; data: Buffer }): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.append('file', new Blob([file.data]), file.name);
  const res = await fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Runs one case for one role (null: no token) with `req`; returns the problems found. */
async function run(d: RouteDoc, c: Case, who: Role | null, want: Outcome | 401, req: Req): Promise<string[]> {
  const label = `${who ?? 'no token'} · ${c.what}`;
  // A fresh session per request: logout and revoke-sessions must not spoil the next one.
  const token = who === null ? undefined : (await app.auth.login(accounts[who].username, accounts[who].password)).accessToken;
  const res = req.file ? await upload(req.path, token, req.file) : await request(app, d.method.toUpperCase(), req.path, { ...(token ? { token } : {}), ...(req.body !== undefined ? { body: req.body } : {}) });
  const status = want === 'ok' ? (d.status ?? 200) : want;
  const body = res.body as Json | null;
  if (res.status !== status) return [`${label}: ${res.status}, expected ${status} ${JSON.stringify(body).slice(0, 300)}`];
  const problems: string[] = [];
  if (want === 'ok') {
    const p = who === null ? null : c.check?.(who, body);
    if (p) problems.push(`${label}: ${p}`);
  } else {
    // The refusal is the policy's, not a missing route or another error with the same status.
    if (body?.['code'] !== CODES[status] || body?.['detail'] === 'no such route') problems.push(`${label}: refused with ${JSON.stringify(body)}`);
    const changed = await req.unchanged?.();
    if (changed) problems.push(`${label}: refused but ${changed}`);
  }
  return problems;
}

async function runCases(key: string, cases: Case[]): Promise<string[]> {
  const d = docOf(key);
  const problems: string[] = [];
  for (const c of cases) {
    // Every allowed role gets fresh fixtures; the refused ones share one (a refusal changes nothing, which `unchanged` checks).
    let refused: Req | undefined;
    for (const who of [...ROLES, null]) {
      const want = who === null ? (c.anonymous ?? 401) : c.expect[who];
      const req = want === 'ok' ? await c.request(who) : (refused ??= await c.request(who));
      problems.push(...(await run(d, c, who, want, req)));
    }
  }
  return problems;
}

describe('REST role × action matrix', () => {
  it('the route table and the matrix list the same routes', () => {
    const routes = app.docs.map(keyOf);
    // The whole table, as main.ts mounts it: the core API and the work-order module's routers.
    expect([...new Set(app.docs.map((d) => d.tag))].sort()).toEqual(['agents', 'auth', 'callbacks', 'callers', 'calls', 'complaints', 'dashboard', 'knowledge', 'presets', 'queues', 'reports', 'users', 'work-orders']);
    expect(routes.filter((k) => !(k in matrix))).toEqual([]);
    expect(Object.keys(matrix).filter((k) => !routes.includes(k))).toEqual([]);
    // Public routes, and only those, answer without a token.
    for (const d of app.docs) {
      for (const c of matrix[keyOf(d)] ?? []) expect([keyOf(d), c.anonymous !== undefined]).toEqual([keyOf(d), d.public === true]);
    }
  });

  for (const [key, cases] of Object.entries(matrix)) {
    it(key, async () => {
      expect(await runCases(key, cases)).toEqual([]);
    });
  }
});

describe('work-order actions: who may take each one', () => {
  it('every action type of the API has an entry', () => {
    const types = actionBody.options.map((o) => o.shape.type.value);
    expect([...types].sort()).toEqual(Object.keys(actions).sort());
  });

  for (const [type, a] of Object.entries(actions)) {
    it(type, async () => {
      const c: Case = { what: `${type} in ${a.stage}`, expect: a.expect, request: actionOn(a.stage, async (orderId) => ({ type, ...(await a.body(orderId)) })) };
      expect(await runCases('POST /api/work-orders/:orderId/actions', [c])).toEqual([]);
    });
  }
});
