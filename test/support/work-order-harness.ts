/**
 * Harness for the work-order integration tests: a real database server (FerretDB), the real auth
 * service, and one or more app instances serving only the work-order module's routers on an
 * ephemeral port. A settable clock lets tests move time past deadlines without sleeping.
 */
import type { AuthService } from '../../src/app/auth/auth.service';
import type { UserService } from '../../src/app/auth/user.service';
import type { Role } from '../../src/domain/access';
import { DbConnection } from '../../src/adapters/db/connection';
import path from 'node:path';
import { HttpServer } from '../../src/adapters/http/http-server';
import { authRouter, DEFAULT_LOGIN_RATE_LIMIT } from '../../src/adapters/http/routers/auth.router';
import { webConsoleRouter } from '../../src/adapters/http/web-console.router';
import { buildAuthModule } from '../../src/composition/auth.module';
import { buildWorkOrderModule, type WorkOrderModule, type WorkOrderModuleDeps } from '../../src/composition/work-orders.module';
import { silentLogger } from '../../src/shared/logger';
import { ADMIN, JWT_SECRET, mongoBaseUrl, uniqueDbName } from './api-harness';

export class TestClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  set(d: Date): void {
    this.ms = d.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface WorkOrderApp {
  baseUrl: string;
  db: DbConnection;
  module: WorkOrderModule;
  users: UserService;
  auth: AuthService;
  stop(opts?: { drop?: boolean }): Promise<void>;
}

export async function workOrderDbUri(testFile: string): Promise<string> {
  return `${await mongoBaseUrl()}/${uniqueDbName(testFile)}`;
}

/** One app instance. Several instances may share `dbUri` (and the clock) to act as a cluster. */
/**
 * `web`: also serve the built consoles (web/dist) and the login routes, so a browser can sign in
 * and open the work-order pages against this instance.
 */
export async function startWorkOrderApp(
  dbUri: string,
  clock: TestClock,
  extra: Partial<Omit<WorkOrderModuleDeps, 'db' | 'auth' | 'log' | 'clock'>> = {},
  opts: { web?: boolean } = {},
): Promise<WorkOrderApp> {
  const db = new DbConnection(dbUri, silentLogger);
  await db.start(200, 20_000);
  // Tokens are checked against the real time; the work-order clock is the test's.
  const { auth, users, init } = buildAuthModule({ db, jwtSecret: JWT_SECRET, clock: Date.now, log: silentLogger, bcryptCost: 4 });
  await init();
  const module = buildWorkOrderModule({ db, auth, log: silentLogger, clock: clock.now, jobs: false, ...extra });
  await module.start();
  const web = opts.web ? webConsoleRouter(path.resolve(__dirname, '..', '..', 'web', 'dist')) : null;
  if (opts.web && !web) throw new Error('web/dist is missing: npm run build:web');
  const routers = [
    ...(web ? [web, authRouter(auth, DEFAULT_LOGIN_RATE_LIMIT).router] : []),
    ...module.routers.map((r) => r.router),
  ];
  const http = new HttpServer({ host: '127.0.0.1', port: 0, routers }, silentLogger);
  await http.start();
  const addr = http.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db, module, users, auth,
    async stop(opts = {}) {
      await module.stop();
      await http.stop();
      if (opts.drop ?? true) await db.connection.dropDatabase().catch(() => undefined);
      await db.stop();
    },
  };
}

let counter = 0;

export interface Login {
  id: string;
  token: string;
}

export async function login(app: WorkOrderApp, role: Role, unitId?: string): Promise<Login> {
  counter += 1;
  const username = `wo-${role}-${counter}`;
  const password = `pw-${role}-${counter}-secret`;
  const u = await app.users.create(ADMIN, {
    username, password, role, displayName: `${role} ${counter}`,
    agentId: role === 'agent' ? `20${String(counter).padStart(3, '0')}` : null,
    unitId: role === 'unit_handler' ? (unitId ?? 'unit-water') : null,
    groupId: null,
  });
  const pair = await app.auth.login(username, password);
  return { id: u.id, token: pair.accessToken };
}

export interface Res<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(app: WorkOrderApp, method: string, path: string, who: Login | null, body?: unknown): Promise<Res<T>> {
  const headers: Record<string, string> = {};
  if (who) headers['authorization'] = `Bearer ${who.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${app.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // CSV and other non-JSON bodies stay text.
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}
