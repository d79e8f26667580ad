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
  /** Adds the marks (idempotent); `source` says why, e.g. `order:<id>` or `user:<id>`. */
  add(keys: readonly string[], source: string, at: Date): Promise<void>;
  /** The caller's number of a stored call (an order names its call; the caller may have given another number). */
  callerOfCall(callId: string): Promise<string | null>;
}

export interface ConfidentialCallersOptions {
  /** A lookup that has not answered by then counts as confidential: masking a caller wrongly is the safe side. */
  readonly lookupTimeoutMs: number;
}

export class ConfidentialCallers {
  /** Marks never go away, so a positive answer is kept; a negative one is asked again next time. */
  private readonly known = new Set<string>();

  constructor(
    private readonly store: ConfidentialCallerStore,
    private readonly log: Logger,
    private readonly options: ConfidentialCallersOptions = { lookupTimeoutMs: 1000 },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether a call from this number is confidential; true when the store fails or is late (fail closed). */
  async isConfidential(number: string): Promise<boolean> {
    const key = callerKey(number);
    if (key === '') return false;
    if (this.known.has(key)) return true;
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
