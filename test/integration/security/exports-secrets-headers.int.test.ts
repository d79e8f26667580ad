/**
 * Issue 19 §7, reproduced against a running instance (real database, real Redis):
 * - a category `=HYPERLINK(…)` or an area code starting with `-` comes out of the CSV export as text,
 *   never as a live formula (OWASP CSV injection);
 * - /healthz, /readyz and /metrics carry the same security headers as /api;
 * - a Redis URL with a password, logged in a field, is written redacted;
 * - the real entry point refuses to start with NODE_ENV unset (lab secrets are never used silently)
 *   and, in production, with any placeholder value (also read from a secret file, as compose does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/adapters/logging/logger';
import { account, mongoBaseUrl, request, SCRAPE_TOKEN, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';
import { eventually } from '../../support/eventually';

const ROOT = path.resolve(__dirname, '../../..');

/** RFC 4180 cells of a CSV text (quoted cells may hold commas, quotes and line breaks). */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      cells.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') continue;
    else cell += c;
  }
  if (cell !== '') cells.push(cell);
  return cells;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

describe('§7 exports, secrets, headers', () => {
  let app: TestApp;
  let agent: Account;
  let sup: Account;
  let admin: Account;

  beforeAll(async () => {
    app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, withWorkOrderModule: true });
    [agent, sup, admin] = [await account(app, 'agent'), await account(app, 'supervisor'), await account(app, 'admin')];
  });
  afterAll(async () => {
    await app.stop();
  });

  it('CSV export: cells a spreadsheet would run as formulas come out as text', async () => {
    const hostile = ['=HYPERLINK("http://e.x/","点")', '+SUM(1,2)', '@cmd', '-2+3+cmd|calc'];
    for (const [i, category] of hostile.entries()) {
      const created = await request<{ id: string }>(app, 'POST', '/api/work-orders', {
        token: agent.token,
        body: { caller: { phone: `1390000${1000 + i}`, callbackConsent: 'granted' }, category, urgency: '一般', content: '诉求', areaCode: `-11010${i}` },
      });
      expect([category, created.status, created.body]).toEqual([category, 201, expect.anything()]);
      const dispatched = await request(app, 'POST', `/api/work-orders/${created.body.id}/actions`, { token: sup.token, body: { type: 'dispatch', leadUnitId: 'unit-water' } });
      expect(dispatched.status).toBe(200);
    }
    const csv = await request<string>(app, 'GET', '/api/reports/work-orders?format=csv', { token: sup.token });
    expect(csv.status).toBe(200);
    const cells = csvCells(csv.body.replace(/^\uFEFF/, ''));
    // Every hostile value is in the export, as text (categories are trimmed, so tab and CR are in the unit test).
    for (const category of hostile) expect(cells).toContain(`'${category}`);
    expect(cells).toContain("'-110100");
    const live = cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-\d+(\.\d+)?$/.test(c));
    expect(live).toEqual([]);
  });

  it('/healthz, /readyz, /metrics, /api and 404s carry the same security headers', async () => {
    const api = await request(app, 'GET', '/api/auth/me', { token: admin.token });
    expect(api.status).toBe(200);
    const expected = ['x-content-type-options', 'x-frame-options', 'strict-transport-security', 'referrer-policy', 'cross-origin-opener-policy', 'x-dns-prefetch-control'];
    const want = Object.fromEntries(expected.map((h) => [h, api.headers.get(h)]));
    for (const v of Object.values(want)) expect(v).toEqual(expect.any(String));
    for (const [method, url, token] of [
      ['GET', '/healthz', undefined],
      ['GET', '/readyz', undefined],
      ['GET', '/metrics', SCRAPE_TOKEN],
      ['GET', '/no-such-route', undefined],
    ] as const) {
      const res = await request(app, method, url, token ? { token } : {});
      expect([url, res.status < 500 || url === '/readyz']).toEqual([url, true]);
      expect([url, Object.fromEntries(expected.map((h) => [h, res.headers.get(h)]))]).toEqual([url, want]);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  describe('a Redis URL with a password', () => {
    let redis: ChildProcess | null = null;
    afterAll(() => {
      redis?.kill('SIGTERM');
    });

    it('is logged with the password redacted when the socket adapter connects', async () => {
      const port = await freePort();
      const dir = fs.mkdtempSync(path.join(ROOT, '.lab', 'redis-auth-'));
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', 'redis-secret-pass-42', '--save', '', '--dir', dir], { stdio: 'ignore' });
      const lines: string[] = [];
      const log = createLogger({
        level: 'debug',
        stream: new Writable({
          write(chunk: Buffer, _enc, cb) {
            lines.push(chunk.toString());
            cb();
          },
        }),
      });
      const redisUrl = `redis://:redis-secret-pass-42@127.0.0.1:${port}`;
      await eventually(
        () =>
          new Promise<boolean>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port }, () => {
              s.destroy();
              resolve(true);
            });
            s.once('error', () => resolve(false));
          }),
        20_000,
      );
      const withRedis = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}r`, redisUrl, log });
      try {
        const line = lines.find((l) => l.includes('socket.io redis adapter on'));
        expect(line).toBeDefined();
        expect(JSON.parse(line as string)).toMatchObject({ redisUrl: `redis://:[redacted]@127.0.0.1:${port}` });
        expect(lines.join('\n')).not.toContain('redis-secret-pass-42');
      } finally {
        await withRedis.stop();
      }
    });
  });

  describe('the real entry point (src/main.ts) refuses', () => {
    const start = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env['PATH'] ?? '', HTTP_PORT: '0', ...env },
      });

    it('to start with NODE_ENV unset: lab mode is explicit, the lab JWT secret is never used silently', () => {
      const r = start({});
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(/^ {2}- NODE_ENV: required: development or test for the lab/m);
      expect(r.stdout).toBe('');
    });

    it('to start in production with any placeholder, read from the secret files compose mounts; .env.example sets no secret', () => {
      const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
      expect(example).not.toMatch(/^(ARI_PASSWORD|JWT_SECRET|BOOTSTRAP_ADMIN_PASSWORD|METRICS_SCRAPE_TOKEN|MONGODB_PASSWORD|REDIS_PASSWORD)=/m);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
      const file = (name: string, value: string): string => {
        fs.writeFileSync(path.join(dir, name), `${value}\n`);
        return path.join(dir, name);
      };
      const r = start({
        NODE_ENV: 'production',
        BOOTSTRAP_ADMIN_USERNAME: 'chief',
        ARI_PASSWORD_FILE: file('ari_password', 'change-me-ari-password'),
        JWT_SECRET_FILE: file('jwt_secret', 'change-me-to-at-least-32-random-characters'),
        BOOTSTRAP_ADMIN_PASSWORD_FILE: file('bootstrap_admin_password', 'change-me-admin-password'),
      });
      expect(r.status).toBe(78);
      for (const name of ['ARI_PASSWORD', 'JWT_SECRET', 'BOOTSTRAP_ADMIN_PASSWORD']) {
        expect(r.stderr).toMatch(new RegExp(`^  - ${name}: a lab or placeholder value`, 'm'));
      }
      expect(r.stderr).not.toContain('change-me-ari-password');
    });
  });
});
