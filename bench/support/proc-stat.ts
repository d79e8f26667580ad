/**
 * CPU accounting for the benchmarks, read from Linux's /proc: ticks used by a process and by the
 * whole machine, and the pid of the lab's FerretDB serving a URL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat and /proc/stat on Linux. */
export const CLK_TCK = 100;

const ROOT = resolve(__dirname, '../..');

/** User + system ticks a process has used; null when there is no such process (any more). */
export function procTicks(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Ticks of all cores: busy, and busy + idle (guest time is already inside user time). */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** The pid of the lab FerretDB (`scripts/ferretdb.sh`) listening on the URL's port, if it runs here. */
export function ferretPid(mongoUrl: string): number | null {
  const port = /:(\d+)(?:\/|$)/.exec(mongoUrl.replace(/^mongodb:\/\//, 'x://'))?.[1];
  const file = join(ROOT, '.lab', `ferretdb-${port ?? '27017'}`, 'ferretdb.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || null : null;
}
