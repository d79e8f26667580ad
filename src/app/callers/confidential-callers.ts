/**
 * Callers known to be confidential (保密) before their call is answered: a caller whose number an
 * order marked confidential, or that an agent or a supervisor marked, is masked from the first event
 * of every later call (docs/adr/0021). A supervisor may withdraw a mark (docs/adr/0027): calls from
 * then on are shown in clear, calls before it stay masked.
 */
import { callerKey } from '../../domain/access';
import type { Logger } from '../../shared/logger';
import { withTimeout } from '../../shared/timeout';
import type { CallerStanding, ConfidentialCallerFeed, ConfidentialCallerStore, MarkAuthor } from './callers.ports';

export type { ConfidentialCallerStore } from './callers.ports';

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
/** Redis away: the change is answered after this, the others read it at their next refresh. */
const ANNOUNCE_TIMEOUT_MS = 1000;

export class ConfidentialCallers {
  /** The directory's copy: caller key → null (confidential now) or the time its mark was withdrawn. */
  private readonly known = new Map<string, number | null>();
  private readonly options: ConfidentialCallersOptions;
  private newest = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private feed: ConfidentialCallerFeed | null = null;

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

  /** Several instances: each change made here is announced to the others, which read it at once. */
  announceTo(feed: ConfidentialCallerFeed): void {
    this.feed = feed;
  }

  /** Reads the changes made since the last read (every `refreshMs`, and when another instance announces one). */
  async refresh(): Promise<void> {
    const started = this.clock();
    const changes = await this.store.changedSince(new Date(Math.max(0, this.newest - OVERLAP_MS)));
    for (const c of changes) {
      this.learn(c.key, c);
      this.newest = Math.max(this.newest, c.changedAt.getTime());
    }
    this.readAt = started;
  }

  /**
   * Whether a call from this number is confidential. From the copy in memory while it is fresh (a
   * change made on another instance is seen when it is announced, else within about `refreshMs`);
   * else from the store, and true when the store fails or is late (fail closed).
   */
  async isConfidential(number: string): Promise<boolean> {
    const key = callerKey(number);
    if (key === '') return false;
    const seen = this.known.get(key);
    if (seen !== undefined) return seen === null;
    if (this.clock() - this.readAt <= this.options.freshForMs) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.lookupTimeoutMs);
    });
    try {
      const r = await Promise.race([this.store.standings([key]), late]);
      if (r === 'late') {
        this.log.warn('confidential caller lookup timed out: the call is masked', { callerNumber: number });
        return true;
      }
      const s = r.get(key);
      if (s) this.learn(key, s);
      return s?.active ?? false;
    } catch (err) {
      this.log.error('confidential caller lookup failed: the call is masked', { callerNumber: number, err: String(err) });
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * For calls read from the records: whether each is confidential through its caller. A caller
   * confidential now masks all their calls; a withdrawn mark still masks the calls made before it.
   */
  async masks(calls: ReadonlyArray<{ readonly callerNumber: string; readonly startedAt: number }>): Promise<boolean[]> {
    const keys = calls.map((c) => callerKey(c.callerNumber));
    const wanted = [...new Set(keys.filter((k) => k !== '' && !this.known.has(k)))];
    if (wanted.length > 0) for (const [k, s] of await this.store.standings(wanted)) this.learn(k, s);
    return calls.map((c, i) => {
      const s = this.known.get(keys[i] ?? '');
      return s !== undefined && (s === null || c.startedAt < s);
    });
  }

  /**
   * A confidential order marks its caller: the number it gives and the number of the call it was
   * made from. Written before the order, so no confidential order exists whose caller is not marked.
   */
  async markFromOrder(order: { id: string; phone: string | null; callId: string | null }): Promise<void> {
    const numbers = [order.phone, order.callId ? await this.callerOfCall(order.callId) : null];
    await this.mark(numbers.filter((n): n is string => n !== null), { source: `order:${order.id}`, by: null, reason: null });
  }

  /** The caller's number of a stored call (null: no such call, or no number). */
  callerOfCall(callId: string): Promise<string | null> {
    return this.store.callerOfCall(callId);
  }

  /** Marks the numbers' callers (audited by the store); the entries' ids by caller key. */
  async mark(numbers: readonly string[], mark: { source: string; by: MarkAuthor | null; reason: string | null }): Promise<Array<{ key: string; markId: string }>> {
    const keys = [...new Set(numbers.map(callerKey).filter((k) => k !== ''))];
    if (keys.length === 0) return [];
    const marked = await this.store.add(keys, { ...mark, at: new Date(this.clock()) });
    for (const k of keys) this.known.set(k, null);
    await this.announce();
    return marked;
  }

  /** Withdraws a mark (audited by the store): the caller's later calls are shown in clear. */
  async withdraw(markId: string, by: MarkAuthor, reason: string): Promise<'done' | 'absent' | 'withdrawn'> {
    const at = this.clock();
    const r = await this.store.withdraw(markId, { at: new Date(at), by, reason });
    if (typeof r === 'string') return r;
    this.known.set(r.key, at);
    await this.announce();
    return 'done';
  }

  private learn(key: string, s: CallerStanding): void {
    this.known.set(key, s.active ? null : (s.withdrawnAt ?? 0));
  }

  /**
   * Announced before the change is answered, so a client that sees it done can count on the others
   * hearing of it. They would read it within `refreshMs` anyway: a failed or late announcement is only logged.
   */
  private async announce(): Promise<void> {
    if (!this.feed) return;
    try {
      await withTimeout(this.feed.publish(), ANNOUNCE_TIMEOUT_MS, () => new Error('timed out'));
    } catch (err) {
      this.log.warn('confidential caller change not announced', { err: String(err) });
    }
  }
}
