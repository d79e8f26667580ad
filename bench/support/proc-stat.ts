/**
 * CPU accounting for the benchmarks, read from Linux's /proc: ticks used by a process and by the
 * whole machine, and the processes of the lab's database serving a URL.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat and /proc/stat on Linux. */
export const CLK_TCK = 100;

const ROOT = resolve(__dirname, '../..');

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * User + system ticks used by a process, or summed over several (the database is FerretDB plus
 * PostgreSQL's processes); null when none of them exists (any more).
 */
export function procTicks(pids: number | readonly number[] | null | undefined): number | null {
  let sum: number | null = null;
  for (const pid of typeof pids === 'number' ? [pids] : (pids ?? [])) {
    const fields = pid ? statFields(pid) : null;
    if (fields) sum = (sum ?? 0) + Number(fields[11]) + Number(fields[12]);
  }
  return sum;
}

/** Ticks of all cores: busy, and busy + idle (guest time is already inside user time). */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * The processes of the lab's database (`scripts/ferretdb.sh`) listening on the URL's port, if it
 * runs here: FerretDB, PostgreSQL's postmaster (from its pid file in the chroot) and its children
 * (FerretDB's pooled connections live as long as the pool keeps them; a backend that exited is no
 * longer counted).
 */
export function databasePids(mongoUrl: string): number[] {
  const port = /:(\d+)(?:\/|$)/.exec(mongoUrl.replace(/^mongodb:\/\//, 'x://'))?.[1] ?? '27017';
  const runDir = join(ROOT, '.lab', `ferretdb-${port}`);
  const pids: number[] = [];
  const ferret = join(runDir, 'ferretdb.pid');
  if (existsSync(ferret)) pids.push(Number(readFileSync(ferret, 'utf8').trim()));
  const id = createHash('sha1').update(runDir).digest('hex').slice(0, 12);
  const cache = process.env['HOTLINE_CACHE'] ?? '/var/cache/hotline12345';
  const pidFile = join(cache, 'asterisk-sid', 'srv', 'hotline-db', id, 'data', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    pids.push(postmaster);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      if (Number(statFields(Number(entry))?.[1]) === postmaster) pids.push(Number(entry));
    }
  }
  return pids.filter((p) => Number.isInteger(p) && p > 0);
}
