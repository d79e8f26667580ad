/**
 * Uploads benchmark: N parallel uploads of S MB evidence files (PDFs, stored as sent) through the
 * REST API into GridFS; throughput and the app's peak memory.
 *
 *   npx tsx bench/uploads.bench.ts [--uploads 50] [--mb 5]
 *
 * The app runs in a child process (bench/uploads/upload-app.ts); its peak resident memory is the
 * kernel's high-water mark (VmHWM in /proc/<pid>/status), read before and after the uploads, so a
 * server that buffered files whole would show it. Files are spread over orders so the per-order
 * limit (default 200 MB) is not reached. Database: BENCH_MONGODB_URL or the lab's FerretDB on
 * TEST_FERRETDB_PORT (27117). Results are printed and appended to bench/results/<date>-uploads.txt.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pdf } from '../test/support/evidence-files';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
};
const UPLOADS = arg('uploads', 50);
const MB = arg('mb', 5);
const PER_ORDER = 10;

const kib = (field: string, pid: number): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
};

async function main(): Promise<void> {
  const base = process.env['BENCH_MONGODB_URL'] ?? `mongodb://127.0.0.1:${process.env['TEST_FERRETDB_PORT'] ?? '27117'}`;
  const dbUri = `${base}/bench_uploads_${process.pid}`;
  const orders = Math.ceil(UPLOADS / PER_ORDER);
  const child = spawn(path.join(__dirname, '../node_modules/.bin/tsx'), [path.join(__dirname, 'uploads/upload-app.ts'), dbUri, String(orders)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`app exited (${code})`)));
  });
  const app = JSON.parse(first) as { baseUrl: string; token: string; orderIds: string[]; pid: number };
  try {
    const files = Array.from({ length: UPLOADS }, () => pdf(MB * 1024 * 1024));
    const before = { rss: kib('VmRSS', app.pid), hwm: kib('VmHWM', app.pid) };
    const t0 = process.hrtime.bigint();
    const statuses = await Promise.all(files.map(async (data, i) => {
      const form = new FormData();
      form.append('file', new Blob([data]), `压测-${i}.pdf`);
      const res = await fetch(`${app.baseUrl}/api/work-orders/${app.orderIds[Math.floor(i / PER_ORDER)]}/attachments?step=completion`, {
        method: 'POST', headers: { authorization: `Bearer ${app.token}` }, body: form,
      });
      await res.arrayBuffer();
      return res.status;
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = { rss: kib('VmRSS', app.pid), hwm: kib('VmHWM', app.pid) };
    const ok = statuses.filter((s) => s === 201).length;
    const totalMb = (UPLOADS * MB);
    const lines = [
      `# uploads ${new Date().toISOString()} node ${process.version}, database ${base.replace(/\/\/.*@/, '//')}`,
      `uploads=${UPLOADS} size=${MB}MB parallel=${UPLOADS} stored=${ok}/${UPLOADS} statuses=${[...new Set(statuses)].join(',')}`,
      `wall=${seconds.toFixed(2)}s throughput=${(totalMb / seconds).toFixed(1)}MB/s (${(ok / seconds).toFixed(1)} files/s)`,
      `app memory: rss before=${(before.rss / 1024).toFixed(0)}MB, peak before=${(before.hwm / 1024).toFixed(0)}MB, peak during=${(after.hwm / 1024).toFixed(0)}MB (all files together: ${totalMb}MB)`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const dir = path.join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, `${new Date().toISOString().slice(0, 10)}-uploads.txt`), lines.join('\n'));
    if (ok !== UPLOADS) process.exitCode = 1;
  } finally {
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
