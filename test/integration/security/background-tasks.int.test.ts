/**
 * Issue 19 §2, reproduced against the real entry point (src/main.ts in a child process, real
 * Asterisk, the lab's database server): with every periodic task's interval shortened, the database
 * is stopped across each task's ticks. Before, one rejected tick (the hourly token purge, a
 * `setInterval(() => void promise)`) ended the process and every call with it. Now the process stays up, each
 * failed tick is counted in /metrics, a real call placed during the outage is carried through, and
 * every task succeeds again once the database is back, as does a call placed then.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DbConnection } from '../../../src/adapters/db/connection';
import { callRecordModel } from '../../../src/adapters/db/models/call-record.model';
import { MongoAgentDirectory } from '../../../src/adapters/db/repositories/agent.repository';
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/logger';
import { mongoBaseUrl, uniqueDbName } from '../../support/api-harness';
import { ensureAsterisk } from '../../support/asterisk';
import { startDatabase, stopDatabase } from '../../support/db';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';

const ROOT = path.resolve(__dirname, '../../..');
const SCRAPE = 'background-tasks-scrape-token-0123456789';
const ADMIN = { username: 'chief', password: 'chief-password-for-tests' };
/** The periodic tasks that need the database, and those that do not (they must keep running too). */
const DB_TASKS = ['job.work-orders.supervision-sweep', 'job.work-orders.facts-fold', 'job.work-orders.report-snapshots'];
const OTHER_TASKS = ['call-store.flush', 'dashboard.tick'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** `task → value` of one metric family in a Prometheus text page. */
function metricByTask(page: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of page.matchAll(new RegExp(`^${name}\\{task="([^"]+)"\\} (\\S+)$`, 'gm'))) out.set(m[1] as string, Number(m[2]));
  return out;
}

describe('§2 no background task may end the process', () => {
  let child: ChildProcess;
  let exited: { code: number | null; signal: string | null } | null = null;
  let output = '';
  let baseUrl = '';
  let db: DbConnection;
  let phone: AgentPhone | null = null;

  const metrics = async () => {
    const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE}` } });
    if (res.status !== 200) throw new Error(`/metrics ${res.status}`);
    return res.text();
  };
  const api = async (method: string, url: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const recordOf = (callerNumber: string) => callRecordModel(db.connection).findOne({ callerNumber }).lean();

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    const uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
    db = new DbConnection(uri, silentLogger);
    await db.start(200, 20_000);
    const agents = new MongoAgentDirectory(db.connection);
    await agents.init();
    await agents.save({ agentId: asAgentId('agent-1001'), agentNumber: '1001', name: '话务员1001', endpoint: 'PJSIP/agent1001', queues: [asQueueId('general')] });

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HTTP_PORT: String(port),
        MONGODB_URI: uri,
        ARI_URL: lab.ariUrl,
        ARI_USERNAME: lab.ariUsername,
        ARI_PASSWORD: lab.ariPassword,
        ARI_APP: lab.ariApp,
        SPOOL_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'spool-background-')),
        BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        METRICS_SCRAPE_TOKEN: SCRAPE,
        WRAPUP_MS: '1000',
        // Every periodic task ticks every few seconds (defaults: 1 s, 1 min, 30 s, daily).
        SPOOL_FLUSH_INTERVAL_MS: '500',
        WORK_ORDER_SWEEP_CRON: '*/2 * * * * *',
        WORK_ORDER_FOLD_CRON: '*/2 * * * * *',
        WORK_ORDER_REPORT_CRON: '*/3 * * * * *',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`app exited (${code ?? signal}):\n${output.slice(-4000)}\n`);
    });
    await eventually(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 60_000, 250);
  }, 90_000);

  afterAll(async () => {
    await phone?.stop().catch(() => undefined);
    await stopAllSipp();
    startDatabase();
    if (child && exited === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await db?.connection.dropDatabase().catch(() => undefined);
    await db?.stop();
  }, 90_000);

  it('stays up through a database outage across every task\'s ticks; calls flow; the tasks recover', async () => {
    const admin = await api('POST', '/api/auth/login', null, ADMIN);
    expect(admin.status).toBe(200);
    const token = String(admin.body?.['accessToken']);
    for (const action of ['login', 'ready']) expect((await api('POST', '/api/agents/agent-1001/state', token, { action })).status).toBe(200);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500 });

    // Every task has run once with the database up.
    await eventually(async () => {
      const ok = metricByTask(await metrics(), 'hotline_background_task_last_success_seconds');
      return [...DB_TASKS, ...OTHER_TASKS].every((t) => (ok.get(t) ?? 0) > 0);
    }, 30_000, 500);
    const failuresBefore = metricByTask(await metrics(), 'hotline_background_task_failures_total');

    stopDatabase();
    let dbBackAt = 0;
    try {
      // A real call while the database is down: greeting, queue, agent, conversation, rating prompt.
      const during = await startCall({ callerNumber: '13700002221', hangupAfterMs: 12_000, timeoutMs: 60_000 });
      // Each database task fails at least once (its ticks reach the dead database), and the process stays up.
      await eventually(async () => {
        const failed = metricByTask(await metrics(), 'hotline_background_task_failures_total');
        return DB_TASKS.every((t) => (failed.get(t) ?? 0) > (failuresBefore.get(t) ?? 0));
      }, 60_000, 500);
      expect((await during.result).success).toBe(true);
      expect(exited).toBeNull();
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(503);
    } finally {
      startDatabase();
      dbBackAt = Date.now();
    }

    // Every task succeeds again after the database came back.
    await eventually(async () => {
      const ok = metricByTask(await metrics(), 'hotline_background_task_last_success_seconds');
      return [...DB_TASKS, ...OTHER_TASKS].every((t) => (ok.get(t) ?? 0) * 1000 >= dbBackAt);
    }, 60_000, 500);
    // The call of the outage reached the database from the spool, complete.
    const spooled = await eventually(async () => {
      const r = await recordOf('13700002221');
      return r?.endedAt ? r : null;
    }, 60_000, 500);
    expect(spooled).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });

    // And a call after the outage goes through and is stored.
    const after = await startCall({ callerNumber: '13700002222', hangupAfterMs: 6_000, timeoutMs: 60_000 });
    expect((await after.result).success).toBe(true);
    expect(await eventually(async () => (await recordOf('13700002222'))?.endedAt, 30_000, 500)).toBeTruthy();

    expect(exited).toBeNull();
    const failed = metricByTask(await metrics(), 'hotline_background_task_failures_total');
    // Nothing escaped the helper to the process-level handler.
    expect([failed.get('process.unhandled-rejection') ?? 0, failed.get('process.uncaught-exception') ?? 0]).toEqual([0, 0]);
    expect(output).not.toMatch(/"task":"process\./);
  }, 240_000);
});
