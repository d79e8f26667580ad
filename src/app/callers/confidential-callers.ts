/**
 * Callers known to be confidential (保密) before their call is answered: a caller whose number an
 * order marked confidential, or that a supervisor marked, is masked from the first event of every
 * later call (docs/adr/0021). Marks only add, like the call marks of docs/adr/0002.
 */
import { callerKey } from '../../domain/access';
import type { Logger } from '../../shared/logger';

/** Storage of the confidential callers, keyed by `callerKey`. */
export interface ConfidentialCallerStore {
  /** The keys among `keys` that are marked confidential. */
  marked(keys: readonly string[]): Promise<Set<string>>;
  /** Keys marked at or after `since` (the directory's copy in memory follows them). */
  markedSince(since: Date): Promise<Array<{ key: string; since: Date }>>;
  /** Adds the marks (idempotent); `source` says why, e.g. `order:<id>` or `user:<id>`. */
  add(keys: readonly string[], source: string, at: Date): Promise<void>;
  /** The caller's number of a stored call (an order names its call; the caller may have given another number). */
  callerOfCall(callId: string): Promise<string | null>;
}

export interface ConfidentialCallersOptions {
  /** A lookup that has not answered by then counts as confidential: masking a caller wrongly is the safe side. */
  readonly lookupTimeoutMs: number;
  /** How often the copy in memory reads the marks made since its last read (on any instance). */
  readonly refreshMs: number;
  /** The copy answers alone while its last read is this recent; older, each call reads the store. */
  readonly freshForMs: number;
}

const DEFAULTS: ConfidentialCallersOptions = { lookupTimeoutMs: 1000, refreshMs: 1000, freshForMs: 10_000 };
/** Marks are read again from a little before the newest one seen: instances' clocks differ a little. */
const OVERLAP_MS = 10_000;

export class ConfidentialCallers {
  /** The directory's copy: marks never go away, so a key once seen stays. */
  private readonly known = new Set<string>();
  private readonly options: ConfidentialCallersOptions;
  private newest = 0;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ConfidentialCallerStore,
    private readonly log: Logger,
    options: Partial<ConfidentialCallersOptions> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  get refreshMs(): number {
    return this.options.refreshMs;
  }

  /** Reads the marks made since the last read (every `refreshMs`, by the composition's background). */
  async refresh(): Promise<void> {
    const started = this.clock();
    const marks = await this.store.markedSince(new Date(Math.max(0, this.newest - OVERLAP_MS)));
    for (const m of marks) {
      this.known.add(m.key);
      this.newest = Math.max(this.newest, m.since.getTime());
    }
    this.readAt = started;
  }

  /**
   * Whether a call from this number is confidential. From the copy in memory while it is fresh (a
   * mark made on another instance is seen within about `refreshMs`); else from the store, and true
   * when the store fails or is late (fail closed).
   */
  async isConfidential(number: string): Promise<boolean> {
    const key = callerKey(number);
    if (key === '') return false;
    if (this.known.has(key)) return true;
    if (this.clock() - this.readAt <= this.options.freshForMs) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.lookupTimeoutMs);
    });
    try {
      const r = await Promise.race([this.store.marked([key]), late]);
      if (r === 'late') {
        this.log.warn('confidential caller lookup timed out: the call is masked', { callerNumber: number });
        return true;
      }
      if (r.has(key)) this.known.add(key);
      return r.has(key);
    } catch (err) {
      this.log.error('confidential caller lookup failed: the call is masked', { callerNumber: number, err: String(err) });
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The numbers among `numbers` that are confidential (for lists of calls read from the records). */
  async which(numbers: readonly string[]): Promise<Set<string>> {
    const keys = new Map(numbers.map((n) => [n, callerKey(n)]));
    const wanted = [...new Set([...keys.values()].filter((k) => k !== '' && !this.known.has(k)))];
    const found = wanted.length > 0 ? await this.store.marked(wanted) : new Set<string>();
    for (const k of found) this.known.add(k);
    return new Set(numbers.filter((n) => this.known.has(keys.get(n) ?? '')));
  }

  /**
   * A confidential order marks its caller: the number it gives and the number of the call it was
   * made from. Written before the order, so no confidential order exists whose caller is not marked.
   */
  async markFromOrder(order: { id: string; phone: string | null; callId: string | null }): Promise<void> {
    const numbers = [order.phone, order.callId ? await this.store.callerOfCall(order.callId) : null];
    await this.mark(numbers.filter((n): n is string => n !== null), `order:${order.id}`);
  }

  async mark(numbers: readonly string[], source: string): Promise<void> {
    const keys = [...new Set(numbers.map(callerKey).filter((k) => k !== ''))];
    if (keys.length === 0) return;
    await this.store.add(keys, source, new Date(this.clock()));
    for (const k of keys) this.known.add(k);
  }
}
