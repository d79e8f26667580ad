/**
 * Per-test-file harness for the REST and Socket.IO integration tests: a real database server
 * (FerretDB, started or reused here when no MONGODB_URI/TEST_MONGODB_URL is given), Redis when
 * asked, and one or more complete app instances (services, express API, socket.io) on ephemeral
 * ports. Each test file uses its own database. The instance is built from the same area modules as
 * main.ts (src/composition: auth, live, API, work orders); the call path is replaced by a fake agent
 * control and by `feed()`, which injects call events and agent state changes as the call path would.
 * With `withWorkOrderModule` the work-order module (work orders, knowledge, reports, presets) is
 * wired in as main.ts does, so the instance serves the whole REST route table.
 */
import { CallControlService } from '../../src/app/calls/call-controls.service';
import { CallRegistry } from '../../src/app/calls/call-registry';
import { callControlsRouter } from '../../src/adapters/http/routers/call-controls.router';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import type { AuthService } from '../../src/app/auth/auth.service';
import type { UserService } from '../../src/app/auth/user.service';
import type { Role } from '../../src/domain/access';
import type { AgentConsoleService } from '../../src/app/live/agent-console.service';
import type { LiveDashboard } from '../../src/app/live/live-dashboard';
import type { DashboardDelta } from '../../src/app/live/dashboard.types';
import type { AgentAction, AgentControlPort, AgentPresence, LiveInput } from '../../src/app/live/live.ports';
import { NO_WORK_ORDERS, type WorkOrderLookup } from '../../src/app/records/call-records.ports';
import { callHistoryList } from '../../src/adapters/db/call-history';
import { DbConnection } from '../../src/adapters/db/connection';
import { callRecordModel, type CallRecordDoc } from '../../src/adapters/db/models/call-record.model';
import type { MongoUserRepository } from '../../src/adapters/db/repositories/user.repository';
import type { LoginRateLimit } from '../../src/adapters/http/routers/auth.router';
import { buildAuthModule } from '../../src/composition/auth.module';
import { buildLiveModule, type LiveModule } from '../../src/composition/live.module';
import { buildApiModule } from '../../src/composition/api.module';
import { buildWorkOrderModule, type WorkOrderModule } from '../../src/composition/work-orders.module';
import type { CallRecordingSource } from '../../src/app/attachments/attachment.ports';
import type { HttpServer } from '../../src/adapters/http/http-server';
import type { RealtimeServer } from '../../src/adapters/realtime/socket-server';
import type { SocketProjector } from '../../src/adapters/realtime/projector';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/adapters/realtime/socket.events';
import type { RouteDoc } from '../../src/adapters/http/route-table';
import { silentLogger, type Logger } from '../../src/shared/logger';
import { BackgroundTasks } from '../../src/shared/background';
import { buildCallbacksModule, type CallbacksModule } from '../../src/composition/callbacks.module';
import type { CallbackAgents, CallbackDialer, RecordingStore } from '../../src/app/callbacks/callbacks.ports';

const ROOT = path.resolve(__dirname, '../..');
export const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
export const SCRAPE_TOKEN = 'scrape-token-for-tests-0123456789';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** mongodb://host:port (no database) of a running server; starts the lab's FerretDB when needed. */
export async function mongoBaseUrl(): Promise<string> {
  const given = process.env['MONGODB_URI'] ?? process.env['TEST_MONGODB_URL'];
  if (given) return given.replace(/\/[^/]*$/, (m) => (m.includes(':') || m === '/' ? m : '')).replace(/\/$/, '');
  const port = Number(process.env['TEST_FERRETDB_PORT'] ?? '27117');
  if (!(await portOpen(port))) {
    execFileSync(path.join(ROOT, 'scripts/ferretdb.sh'), ['start'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, FERRETDB_PORT: String(port) } });
  }
  return `mongodb://127.0.0.1:${port}`;
}

/** redis://host:port of a running server; starts the lab's Redis when needed. */
export async function redisUrl(): Promise<string> {
  const given = process.env['TEST_REDIS_URL'] ?? process.env['REDIS_URL'];
  if (given) return given;
  const port = Number(process.env['TEST_REDIS_PORT'] ?? '6389');
  if (!(await portOpen(port))) {
    execFileSync(path.join(ROOT, 'scripts/redis.sh'), ['start'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, REDIS_PORT: String(port) } });
  }
  return `redis://127.0.0.1:${port}`;
}

export function uniqueDbName(testFile: string): string {
  return `t_${path.basename(testFile).replace(/[^a-zA-Z0-9]/g, '_').slice(0, 30)}_${process.pid}_${Date.now().toString(36)}`;
}

/** Agent control standing in for the call path's agent service: applies the action as a state change. */
export class FakeAgentControl implements AgentControlPort {
  readonly performed: { agentId: string; action: AgentAction; reason: string | null }[] = [];
  constructor(private readonly feed: (i: LiveInput) => void) {}
  async perform(agentId: string, action: AgentAction, reason: string | null): Promise<void> {
    this.performed.push({ agentId, action, reason });
    const state: AgentPresence = action === 'logout' ? 'offline' : action === 'not_ready' ? 'not_ready' : action === 'login' ? 'not_ready' : 'ready';
    this.feed({ kind: 'agent', agentId, state, reason: action === 'login' ? '登录' : reason, at: Date.now() });
  }
}

export interface AppOptions {
  dbUri: string;
  redisUrl?: string | null;
  /** false: this instance serves sockets but runs no dashboard projection. */
  withDashboard?: boolean;
  loginRateLimit?: LoginRateLimit;
  accessTtlSec?: number;
  workOrders?: WorkOrderLookup;
  /** Serve the work-order module's routers too (no cron jobs), as main.ts does. */
  withWorkOrderModule?: boolean;
  /** The work-order module's clock (deadlines, reports); default Date.now. Tokens always use the real time. */
  workOrderClock?: () => number;
  /** Where the work-order module reads calls' recordings (main.ts: Asterisk over ARI). */
  callRecordings?: CallRecordingSource;
  log?: Logger;
  /** Serve the built web consoles (web/dist) too, as main.ts does. */
  withWebConsole?: boolean;
  /** Serve callback requests and recordings (main.ts: Asterisk's recordings and the callback dialer over ARI). */
  callbacks?: { recordings: RecordingStore; dialer: CallbackDialer | null; agents: CallbackAgents };
}

export interface TestApp {
  baseUrl: string;
  db: DbConnection;
  auth: AuthService;
  users: UserService;
  userRepo: MongoUserRepository;
  dashboard: LiveDashboard | null;
  agentConsole: AgentConsoleService;
  control: FakeAgentControl;
  realtime: RealtimeServer;
  /** This instance's socket projector (e.g. to attach a work-order module's events, as main.ts does). */
  projector: SocketProjector;
  http: HttpServer;
  /** The work-order module when `withWorkOrderModule`, else null. */
  workOrderModule: WorkOrderModule | null;
  /** Callback requests and recordings when `callbacks` is given, else null. */
  callbacks: CallbacksModule | null;
  docs: RouteDoc[];
  /** Injects a call event or agent state change into this instance's live projections. */
  feed(input: LiveInput): void;
  stop(): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<TestApp> {
  const log = opts.log ?? silentLogger;
  const clock = Date.now;
  const db = new DbConnection(opts.dbUri, log);
  await db.start(200, 20_000);
  // The same area modules as main.ts; the call path is replaced by `feed()` and a fake agent control.
  const people = buildAuthModule({ db, jwtSecret: JWT_SECRET, clock, log, bcryptCost: 4, options: { accessTtlSec: opts.accessTtlSec ?? 900 } });
  await Promise.all([people.init(), callRecordModel(db.connection).createIndexes()]);
  const workOrderModule = opts.withWorkOrderModule
    ? buildWorkOrderModule({ db, auth: people.auth, units: people.userRepo, log, clock: opts.workOrderClock ?? clock, jobs: false, ...(opts.callRecordings ? { callRecordings: opts.callRecordings } : {}) })
    : null;
  let live: LiveModule | null = null;
  const feed = (i: LiveInput) => live?.apply(i);
  const control = new FakeAgentControl(feed);
  live = buildLiveModule({
    db,
    auth: people.auth,
    clock,
    log,
    control,
    callerHistory: opts.workOrders ?? workOrderModule?.callerHistory ?? NO_WORK_ORDERS,
    withDashboard: opts.withDashboard !== false,
  });
  // The tests drive the projection's ticks and feed the day's calls themselves.
  await live.start({ ticks: false, restoreToday: false });
  await workOrderModule?.start();
  const callbacks = opts.callbacks
    ? buildCallbacksModule({
      conn: db.connection, auth: people.auth, ...opts.callbacks, recordCalls: true, retentionDays: 0, retentionCron: '40 2 * * *', scheduler: null,
      background: new BackgroundTasks(log), clock, log,
    })
    : null;
  await callbacks?.start();
  const web = buildApiModule({
    auth: people,
    live,
    clock,
    log,
    host: '127.0.0.1',
    port: 0,
    // In-call controls over no live call (the real calls are the call-path tests'): who may ask.
    routers: [...(workOrderModule?.routers ?? []), ...(callbacks ? [callbacks.router] : []), callControlsRouter(people.auth, new CallControlService(new CallRegistry(), log))],
    readiness: [{ name: 'database', check: () => db.ping() }],
    metricsScrapeToken: SCRAPE_TOKEN,
    webConsoleDir: opts.withWebConsole ? path.resolve(__dirname, '../../web/dist') : null,
    ...(opts.loginRateLimit ? { loginRateLimit: opts.loginRateLimit } : {}),
    realtime: { redisUrl: opts.redisUrl ?? null },
  });
  const { port } = await web.start();
  const started = live;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    auth: people.auth,
    users: people.users,
    userRepo: people.userRepo,
    dashboard: started.dashboard,
    agentConsole: started.agentConsole,
    control,
    realtime: web.realtime,
    projector: started.projector,
    http: web.http,
    workOrderModule,
    callbacks,
    docs: web.api.docs,
    feed,
    async stop() {
      started.stop();
      web.detach();
      await web.realtime.stop();
      await web.http.stop();
      await workOrderModule?.stop();
      await db.connection.dropDatabase().catch(() => undefined);
      await db.stop();
    },
  };
}

// ---- data and HTTP helpers ----

export const ADMIN: { userId: string; role: Role; agentId: null; unitId: null; groupId: null } = {
  userId: 'bootstrap',
  role: 'admin',
  agentId: null,
  unitId: null,
  groupId: null,
};

export interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

let counter = 0;

/** Creates a user directly through the service (as an administrator would) and signs in. */
export async function account(app: TestApp, role: Role, extra: { agentId?: string; unitId?: string; groupId?: string } = {}): Promise<Account> {
  counter += 1;
  const username = `${role}${counter}`;
  const password = `pw-${role}-${counter}-secret`;
  const u = await app.users.create(ADMIN, {
    username,
    password,
    role,
    displayName: `${role} ${counter}`,
    agentId: extra.agentId ?? (role === 'agent' ? `10${String(counter).padStart(2, '0')}` : null),
    unitId: extra.unitId ?? (role === 'unit_handler' ? 'water' : null),
    groupId: extra.groupId ?? null,
  });
  const pair = await app.auth.login(username, password);
  return { id: u.id, username, password, token: pair.accessToken, refreshToken: pair.refreshToken };
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = Record<string, unknown>>(
  app: Pick<TestApp, 'baseUrl'>,
  method: string,
  urlPath: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${app.baseUrl}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. /metrics text): keep the text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/**
 * A call record as the call path writes it (lead's model, under `_id` = callId, listed under its
 * caller number for the caller history), plus unitIds/callerName.
 */
export async function insertCall(app: TestApp, c: Partial<CallRecordDoc> & { callId: string; unitIds?: string[]; callerName?: string | null }): Promise<void> {
  const startedAt = c.startedAt ?? new Date();
  const doc = {
    version: 1,
    callerNumber: '13800000000',
    calledNumber: '12345',
    queueId: 'general',
    agentId: null,
    agentIds: [],
    outcome: 'answered',
    endReason: 'completed',
    hungUpBy: 'caller',
    confidential: false,
    rating: null,
    recording: null,
    timeline: [],
    attempts: [],
    waitMs: 5000,
    ringMs: 3000,
    talkMs: 60_000,
    answeredAt: null,
    endedAt: null,
    dayKey: new Date(startedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10),
    hourKey: new Date(startedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 13),
    callbackRequested: false,
    unitIds: [],
    ...c,
    startedAt,
  };
  await callHistoryList(app.db.connection).append(doc.callerNumber, { callId: c.callId, startedAt: startedAt.getTime() });
  // Bypasses the schema so fields the model does not declare yet (unitIds, callerName) are stored.
  await callRecordModel(app.db.connection).collection.insertOne({ ...doc, _id: c.callId } as unknown as Record<string, unknown>);
}

export type TestSocket = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export function connectSocket(app: Pick<TestApp, 'baseUrl'>, token: string | null): TestSocket {
  return ioClient(app.baseUrl, { transports: ['websocket'], reconnection: false, forceNew: true, auth: token === null ? {} : { token } });
}

export function connected(s: TestSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (err) => reject(err));
  });
}

export function nextEvent<E extends keyof ServerToClientEvents>(s: TestSocket, event: E, timeoutMs = 5000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
    (s.once as (ev: string, l: (p: unknown) => void) => void)(event as string, (p: unknown) => {
      clearTimeout(t);
      resolve(p as Parameters<ServerToClientEvents[E]>[0]);
    });
  });
}

/** Collects every payload of an event from now on. */
export function collect<E extends keyof ServerToClientEvents>(s: TestSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const out: Parameters<ServerToClientEvents[E]>[0][] = [];
  (s.on as (ev: string, l: (p: unknown) => void) => void)(event as string, (p: unknown) => out.push(p as Parameters<ServerToClientEvents[E]>[0]));
  return out;
}

/**
 * Every dashboard delta from now on, in arrival order, the `dashboard:deltas` batches flattened.
 * A dashboard client applies only those after its snapshot: `deltasAfter(list, snapshot.seq)`.
 */
export function collectDeltas(s: TestSocket): DashboardDelta[] {
  const out: DashboardDelta[] = [];
  s.on('dashboard:deltas', (batch) => out.push(...batch));
  return out;
}

/** The deltas a client that holds `seq` applies (a batch on its way during a join can hold older ones). */
export function deltasAfter(deltas: DashboardDelta[], seq: number): DashboardDelta[] {
  return deltas.filter((d) => d.seq > seq);
}

export function emitAck(s: TestSocket, event: keyof ClientToServerEvents, payload?: unknown): Promise<{ ok: boolean; code?: string; field?: string; data?: unknown }> {
  return new Promise((resolve) => {
    (s.emit as (ev: string, ...args: unknown[]) => void)(event, payload, (res: { ok: boolean }) => resolve(res));
  });
}
