/**
 * Integration-test lab: starts (or reuses) the real servers the tests drive.
 * - FerretDB on 127.0.0.1:$TEST_FERRETDB_PORT (fresh data dir), each test file uses its own database
 * - Redis on 127.0.0.1:$TEST_REDIS_PORT (Socket.IO adapter tests)
 * - Asterisk 22 in the Debian sid chroot (scripts/asterisk-lab.sh), ARI on 127.0.0.1:8088
 * Their addresses reach the test files through environment variables.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

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
  run('ferretdb.sh', ['start'], { FERRETDB_PORT: ferretPort });
  run('redis.sh', ['start'], { REDIS_PORT: redisPort });
  run('asterisk-lab.sh', ['start'], {});
  process.env['TEST_MONGODB_URL'] = `mongodb://127.0.0.1:${ferretPort}`;
  process.env['TEST_REDIS_URL'] = `redis://127.0.0.1:${redisPort}`;
}
