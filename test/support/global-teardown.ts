/** Stops the lab servers after the integration run, unless KEEP_LAB=1 (handy while iterating). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export default async function globalTeardown(): Promise<void> {
  if (process.env['KEEP_LAB'] === '1') return;
  const env = {
    ...process.env,
    FERRETDB_PORT: process.env['TEST_FERRETDB_PORT'] ?? '27117',
    REDIS_PORT: process.env['TEST_REDIS_PORT'] ?? '6389',
  };
  for (const [script, args] of [
    ['asterisk-lab.sh', ['stop']],
    ['redis.sh', ['stop']],
    ['ferretdb.sh', ['stop']],
  ] as const) {
    execFileSync(path.join(ROOT, 'scripts', script), [...args], { cwd: ROOT, stdio: 'inherit', env });
  }
}
