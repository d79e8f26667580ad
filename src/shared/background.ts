/**
 * Background work: the one way timers, cron jobs, event handlers and fire-and-forget promises run.
 *
 * Nothing started here can end the process: a throw or a rejection is caught, logged with the task's
 * name and context, and counted per task (the metrics adapter exports the counts); a periodic task
 * simply runs again at its next tick (it never overlaps itself), which is its retry. Code that catches
 * a failure itself (a cron job's own try/catch) reports it with `failed` so it is counted the same way.
 * Timers are unref'd: background work alone never keeps a stopping process alive.
 */
import type { LogFields, Logger } from './logger';

export interface TaskStats {
  /** Runs that ended without an error. */
  readonly succeeded: number;
  readonly failed: number;
  /** Epoch ms of the last success / failure; null before the first. */
  readonly lastSuccessAt: number | null;
  readonly lastFailureAt: number | null;
}

export interface Repeating {
  stop(): void;
}

export interface Background {
  /** Starts `work` now without waiting for it; its failure is logged and counted under `task`. */
  run(task: string, work: () => unknown, fields?: LogFields): void;
  /** `fn` as a callback that never throws or rejects (for event emitters and other callers' timers). */
  handler<A extends unknown[]>(task: string, fn: (...args: A) => unknown, fields?: LogFields): (...args: A) => void;
  /** Runs `work` every `intervalMs`; a tick is skipped while the previous one still runs. */
  every(task: string, intervalMs: number, work: () => unknown, fields?: LogFields): Repeating;
  /** Runs `work` once after `delayMs`, unless stopped first. */
  after(task: string, delayMs: number, work: () => unknown, fields?: LogFields): Repeating;
  /** A failure the caller caught itself: logged and counted as the task's. */
  failed(task: string, err: unknown, fields?: LogFields): void;
  /** A success of a task the caller ran itself (for its last-success time). */
  succeeded(task: string): void;
}

interface MutableStats {
  succeeded: number;
  failed: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

export class BackgroundTasks implements Background {
  private readonly tasks = new Map<string, MutableStats>();

  constructor(
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  run(task: string, work: () => unknown, fields?: LogFields): void {
    // Errors of `runCaught` are already handled; the chain itself cannot reject.
    this.runCaught(task, work, fields).catch(() => undefined);
  }

  handler<A extends unknown[]>(task: string, fn: (...args: A) => unknown, fields?: LogFields): (...args: A) => void {
    return (...args: A) => this.run(task, () => fn(...args), fields);
  }

  every(task: string, intervalMs: number, work: () => unknown, fields?: LogFields): Repeating {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.runCaught(task, work, fields)
        .catch(() => undefined)
        .finally(() => {
          running = false;
        })
        .catch(() => undefined);
    }, intervalMs);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  after(task: string, delayMs: number, work: () => unknown, fields?: LogFields): Repeating {
    const timer = setTimeout(() => this.run(task, work, fields), delayMs);
    timer.unref();
    return { stop: () => clearTimeout(timer) };
  }

  failed(task: string, err: unknown, fields?: LogFields): void {
    const s = this.statsOf(task);
    s.failed += 1;
    s.lastFailureAt = this.clock();
    this.log.error('background task failed', { ...fields, task, err: errorFields(err) });
  }

  succeeded(task: string): void {
    const s = this.statsOf(task);
    s.succeeded += 1;
    s.lastSuccessAt = this.clock();
  }

  /** Every task seen so far, with its counts. */
  stats(): ReadonlyMap<string, TaskStats> {
    return this.tasks;
  }

  private async runCaught(task: string, work: () => unknown, fields?: LogFields): Promise<void> {
    try {
      await work();
      this.succeeded(task);
    } catch (err) {
      this.failed(task, err, fields);
    }
  }

  private statsOf(task: string): MutableStats {
    let s = this.tasks.get(task);
    if (!s) {
      s = { succeeded: 0, failed: 0, lastSuccessAt: null, lastFailureAt: null };
      this.tasks.set(task, s);
    }
    return s;
  }
}

function errorFields(err: unknown): unknown {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
}
