/** Database helpers for integration tests: a unique database per test file on the lab's FerretDB v2. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export function testMongoUri(name: string): string {
  const base = process.env['TEST_MONGODB_URL'] ?? 'mongodb://127.0.0.1:27117';
  const db = `t_${name.replace(/[^a-zA-Z0-9]/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
  return `${base}/${db}`;
}

function ferret(cmd: 'start' | 'stop'): void {
  execFileSync(path.join(ROOT, 'scripts/ferretdb.sh'), [cmd], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      FERRETDB_PORT: process.env['TEST_FERRETDB_PORT'] ?? '27117',
    },
  });
}

/** Simulates a database outage: FerretDB and PostgreSQL are stopped; their data is kept. */
export function stopDatabase(): void {
  ferret('stop');
}

/** Ends the outage: the same server comes back with the same data. */
export function startDatabase(): void {
  ferret('start');
}
