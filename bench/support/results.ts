/**
 * Every figure a bench prints is also kept: its standard output is appended to
 * bench/results/<date>-<bench>.txt (one file per bench and day, each run headed by its time and
 * options), so the README keeps only the latest summary.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function recordRun(bench: string, argv: readonly string[] = process.argv.slice(2)): string {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().slice(0, 10)}-${bench}.txt`);
  appendFileSync(file, `\n# ${new Date().toISOString()} ${bench} ${argv.join(' ')}\n`);
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    try {
      appendFileSync(file, chunk);
    } catch {
      // A full disk must not stop the run: the figures are still printed.
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.once('exit', () => process.stderr.write(`(figures written to ${file})\n`));
  return file;
}
