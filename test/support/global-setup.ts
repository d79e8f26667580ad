/**
 * Integration-test lab: starts (or reuses) the real servers the tests drive.
 * - FerretDB v2 on PostgreSQL + DocumentDB, 127.0.0.1:$TEST_FERRETDB_PORT (an empty cluster when the
 *   run starts it), each test file uses its own database
 * - Redis on 127.0.0.1:$TEST_REDIS_PORT (Socket.IO adapter tests)
 * - Asterisk 22 in the Debian sid chroot (scripts/asterisk-lab.sh), ARI on 127.0.0.1:8088
 * Their addresses reach the test files through environment variables.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LAB_DEFAULTS } from './asterisk';

const ROOT = path.resolve(__dirname, '../..');

/** Servers already running before the tests are reused and left running afterwards. */
function isRunning(script: string, env: Record<string, string>): boolean {
  const r = spawnSync(path.join(ROOT, 'scripts', script), ['status'], { cwd: ROOT, env: { ...process.env, ...env } });
  return r.status === 0;
}

function run(script: string, args: string[], env: Record<string, string>): void {
  execFileSync(path.join(ROOT, 'scripts', script), args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
    timeout: 10 * 60_000,
  });
}

export default async function globalSetup(): Promise<void> {
  const ferretPort = process.env['TEST_FERRETDB_PORT'] ?? '27117';
  const redisPort = process.env['TEST_REDIS_PORT'] ?? '6389';
  const servers: Array<[string, Record<string, string>]> = [
    ['ferretdb.sh', { FERRETDB_PORT: ferretPort }],
    ['redis.sh', { REDIS_PORT: redisPort }],
    // The tests' own settings, so the first test that needs Asterisk does not restart it.
    ['asterisk-lab.sh', Object.fromEntries(Object.entries(LAB_DEFAULTS).map(([k, v]) => [k, process.env[k] ?? v]))],
  ];
  const started: string[] = [];
  for (const [script, env] of servers) {
    const wasRunning = isRunning(script, env);
    if (!wasRunning) started.push(script);
    // A database this run starts begins empty; one already running keeps its data (KEEP_LAB=1 runs).
    run(script, ['start'], script === 'ferretdb.sh' && !wasRunning ? { ...env, FERRETDB_FRESH: '1' } : env);
  }
  fs.mkdirSync(path.join(ROOT, '.lab'), { recursive: true });
  // One file per lab (keyed by the database port): runs on other ports never read each other's list.
  fs.writeFileSync(path.join(ROOT, `.lab/started-by-tests-${ferretPort}.json`), JSON.stringify(started));
  process.env['TEST_MONGODB_URL'] = `mongodb://127.0.0.1:${ferretPort}`;
  process.env['TEST_REDIS_URL'] = `redis://127.0.0.1:${redisPort}`;
}
