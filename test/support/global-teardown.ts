/**
 * Stops the lab servers that the integration run started itself (servers that were already running
 * are left alone), unless KEEP_LAB=1 (handy while iterating).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export default async function globalTeardown(): Promise<void> {
  if (process.env['KEEP_LAB'] === '1') return;
  const file = path.join(ROOT, `.lab/started-by-tests-${process.env['TEST_FERRETDB_PORT'] ?? '27117'}.json`);
  const started: string[] = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as string[]) : [];
  const env = {
    ...process.env,
    FERRETDB_PORT: process.env['TEST_FERRETDB_PORT'] ?? '27117',
    REDIS_PORT: process.env['TEST_REDIS_PORT'] ?? '6389',
  };
  for (const script of started) {
    execFileSync(path.join(ROOT, 'scripts', script), ['stop'], { cwd: ROOT, stdio: 'inherit', env });
  }
  fs.rmSync(file, { force: true });
}
