/**
 * Durable storage of call events and call records that never loses a write:
 * each write goes to the database when it is up; when it is down (or the write fails) the write is
 * appended to the on-disk spool and replayed when the database answers again. Duplicate events are
 * ignored by the unique (callId, seq) index; a record only replaces an older version of itself.
 *
 * Records are keyed by `_id` = callId and written with filters that are exactly `{ _id }` (the cheapest
 * filter on every server, docs/database.md): the stored version is
 * read by `_id`, compared here, and the record's fields set by `_id`, or inserted (a unique insert)
 * when the call has none yet. The case fields (confidential, units) are the work-order side's
 * (call-case.repository.ts): never written here, so a record written after an order marked its call
 * keeps the mark. Writes of one call run one at a time in this process, so a spool replay and a live
 * write can never interleave between that read and that write. When a call's record is first
 * stored, the call is listed under its caller number (call-history.ts) first, so no stored record
 * is missing from its caller's history; a write retried after a failure may list it twice.
 */
import { BackgroundTasks, type Background, type Repeating } from '../../shared/background';
import type { Model } from 'mongoose';
import type { Logger } from '../../shared/logger';
import type { DbConnection } from './connection';
import { callHistoryList, type CallHistoryEntry } from './call-history';
import type { KeyedList } from './keyed-list';
import { callEventModel, type CallEventDoc } from './models/call-event.model';
import { callRecordModel, type CallRecordDoc, type StoredCallRecordDoc } from './models/call-record.model';
import { callbackRequestModel, type CallbackRequestDoc } from './models/callback-request.model';
import { Spool, type SpoolEntry } from './spool';
import { ensureIndexes } from './indexes';

const DUPLICATE_KEY = 11000;

type EventEntry = SpoolEntry<Omit<CallEventDoc, 'at'> & { at: string }>;
type RecordEntry = SpoolEntry<CallRecordDoc>;
type CallbackEntry = SpoolEntry<CallbackRequestDoc>;

export class CallStore {
  readonly events: Model<CallEventDoc>;
  readonly records: Model<StoredCallRecordDoc>;
  readonly callbacks: Model<CallbackRequestDoc>;
  /** Per caller number, the calls in the order their records were first stored. */
  readonly history: KeyedList<CallHistoryEntry>;
  private timer: Repeating | null = null;
  private flushing: Promise<void> | null = null;
  /** The record write in progress per call (the tail of that call's chain of writes). */
  private readonly recordWrites = new Map<string, Promise<void>>();
  /** Events of every call gathered for the next insert, and the promise that insert settles. */
  private eventBatch: { events: CallEventDoc[]; written: Promise<void> } | null = null;
  /** Insert batches started and not finished (stop waits for them). */
  private readonly eventWrites = new Set<Promise<void>>();

  /**
   * @param eventBatchMs how long events wait to be inserted together with those of other calls:
   *   one insert per window instead of one per step of each call (at 10 calls/s about 90 a second).
   */
  constructor(
    private readonly db: DbConnection,
    private readonly spool: Spool,
    private readonly log: Logger,
    private readonly flushEveryMs = 1000,
    private readonly eventBatchMs = 20,
    private readonly background: Background = new BackgroundTasks(log),
  ) {
    this.events = callEventModel(db.connection);
    this.records = callRecordModel(db.connection);
    this.callbacks = callbackRequestModel(db.connection);
    this.history = callHistoryList(db.connection);
  }

  async start(): Promise<void> {
    this.spool.recoverInterruptedReplays();
    await ensureIndexes(this.events, this.records, this.callbacks);
    // Replays the spool; with the database down a tick fails (logged, counted) and the next one retries.
    this.timer = this.background.every('call-store.flush', this.flushEveryMs, () => this.flush());
    await this.flush();
  }

  async stop(): Promise<void> {
    this.timer?.stop();
    this.timer = null;
    // The last records of a stop are still on their way: they reach the database (or the spool) first.
    await Promise.all([...this.eventWrites]);
    await Promise.all([...this.recordWrites.values()].map((w) => w.catch(() => undefined)));
    await this.flush();
  }

  /** Bytes of call data waiting in the spool (metrics). */
  spoolBacklogBytes(): number {
    return this.spool.backlogBytes();
  }

  /** Number of writes waiting on disk (0 when everything reached the database). */
  pending(): boolean {
    return !this.spool.isEmpty();
  }

  /** Resolves once the events are in the database or in the spool. */
  appendEvents(events: CallEventDoc[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    // Keep order per call: while older writes wait in the spool, newer ones queue behind them.
    if (!(this.db.isUp() && this.spool.isEmpty())) {
      this.spoolEvents(events);
      return Promise.resolve();
    }
    if (!this.eventBatch) {
      const batch: CallEventDoc[] = [];
      const written = new Promise<void>((r) => setTimeout(r, this.eventBatchMs)).then(() => this.writeEvents(batch));
      this.eventBatch = { events: batch, written };
      this.eventWrites.add(written);
      const forget = (): void => void this.eventWrites.delete(written);
      written.then(forget, forget);
    }
    this.eventBatch.events.push(...events);
    return this.eventBatch.written;
  }

  private async writeEvents(batch: CallEventDoc[]): Promise<void> {
    if (this.eventBatch?.events === batch) this.eventBatch = null;
    // Checked again: an earlier write may have failed meanwhile, and these follow it to the spool.
    if (this.db.isUp() && this.spool.isEmpty()) {
      try {
        // Built by the call path itself (typed, complete): inserted as they are, without mongoose's
        // casting and validation, which cost more than the insert at tens of events a second.
        await this.insertEvents(batch, { lean: true });
        return;
      } catch (err) {
        this.log.warn('call events spooled, database write failed', { callId: batch[0]?.callId, events: batch.length, err: String(err) });
      }
    }
    this.spoolEvents(batch);
  }

  private spoolEvents(events: readonly CallEventDoc[]): void {
    for (const e of events) this.spool.append({ kind: 'event', payload: { ...e, at: e.at.toISOString() } } satisfies EventEntry);
  }

  async saveRecord(record: CallRecordDoc): Promise<void> {
    if (this.db.isUp() && this.spool.isEmpty()) {
      try {
        await this.upsertRecord(record);
        return;
      } catch (err) {
        this.log.warn('call record spooled, database write failed', { callId: record.callId, err: String(err) });
      }
    }
    this.spool.append({ kind: 'record', payload: record } satisfies RecordEntry);
  }

  async saveCallback(request: CallbackRequestDoc): Promise<void> {
    if (this.db.isUp() && this.spool.isEmpty()) {
      try {
        await this.insertCallback(request);
        return;
      } catch (err) {
        this.log.warn('callback request spooled, database write failed', { callId: request.callId, err: String(err) });
      }
    }
    this.spool.append({ kind: 'callback', payload: request } satisfies CallbackEntry);
  }

  /** Replays the spool into the database; concurrent calls share one run. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.spool.isEmpty() || !this.db.isUp()) return Promise.resolve();
    this.flushing = this.replay().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async replay(): Promise<void> {
    const batch = this.spool.take();
    if (!batch) return;
    const { entries } = batch;
    let i = 0;
    try {
      for (; i < entries.length; i++) {
        const entry = entries[i] as SpoolEntry;
        if (entry.kind === 'event') {
          const p = (entry as EventEntry).payload;
          await this.insertEvents([{ ...p, at: new Date(p.at) }], { lean: false });
        } else if (entry.kind === 'record') {
          await this.upsertRecord(reviveDates((entry as RecordEntry).payload));
        } else if (entry.kind === 'callback') {
          const p = (entry as CallbackEntry).payload;
          await this.insertCallback({ ...p, requestedAt: new Date(p.requestedAt) });
        }
      }
      batch.done();
      this.log.info('spooled call data written to database', { entries: entries.length });
    } catch (err) {
      batch.restore(entries.slice(i));
      this.log.warn('spool replay paused, database write failed', { remaining: entries.length - i, err: String(err) });
    }
  }

  /** `lean: false` casts and validates against the schema (entries read back from the spool file). */
  private async insertEvents(events: CallEventDoc[], opts: { lean: boolean }): Promise<void> {
    try {
      await this.events.insertMany(events, { ordered: false, lean: opts.lean });
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
    }
  }

  /** Writes of one call run one after the other (live writes and the spool replay alike). */
  private upsertRecord(record: CallRecordDoc): Promise<void> {
    const callId = record.callId;
    const previous = this.recordWrites.get(callId) ?? Promise.resolve();
    // The previous write's failure is its own caller's to handle (it spools that record).
    const next = previous.catch(() => undefined).then(() => this.writeRecord(record));
    this.recordWrites.set(callId, next);
    const forget = () => {
      if (this.recordWrites.get(callId) === next) this.recordWrites.delete(callId);
    };
    next.then(forget, forget);
    return next;
  }

  private async writeRecord(record: CallRecordDoc): Promise<void> {
    const _id = record.callId;
    const doc: StoredCallRecordDoc = { ...record, _id };
    let listed = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = await this.records.findOne({ _id }, { version: 1 }).lean<{ version?: number }>();
      if (stored && stored.version !== undefined) {
        // An older version never overwrites a newer one; the same version is already there.
        // `$set` of the call path's fields only: the case fields belong to the work-order side.
        if (stored.version < record.version) await this.records.updateOne({ _id }, { $set: record });
        return;
      }
      if (!listed && record.callerNumber) {
        await this.history.append(record.callerNumber, { callId: _id, startedAt: new Date(record.startedAt).getTime() });
        listed = true;
      }
      if (stored) {
        // The work-order side marked the call before its first record was stored: fill that document in.
        const r = await this.records.updateOne({ _id, version: { $exists: false } }, { $set: record });
        if (r.matchedCount > 0) return;
        continue;
      }
      try {
        await this.records.create(doc);
        return;
      } catch (err) {
        // Stored meanwhile: compare again.
        if (!onlyDuplicates(err)) throw err;
      }
    }
    // Still not found by `_id` although the unique callId index refuses the insert: a record stored
    // before records were keyed by call id (an ObjectId `_id`). Updated the old way, by callId.
    await this.records.updateOne({ callId: _id, version: { $lte: record.version } }, { $set: record });
  }

  private async insertCallback(request: CallbackRequestDoc): Promise<void> {
    try {
      await this.callbacks.create(request);
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
    }
  }
}

function onlyDuplicates(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> };
  if (e?.code === DUPLICATE_KEY && !e.writeErrors) return true;
  if (Array.isArray(e?.writeErrors) && e.writeErrors.length > 0) {
    return e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
  }
  return false;
}

const DATE_FIELDS = ['startedAt', 'answeredAt', 'endedAt'] as const;

/** JSON turned the record's dates into strings; turn them back before storing. */
function reviveDates(r: CallRecordDoc): CallRecordDoc {
  const out = { ...r } as CallRecordDoc & Record<string, unknown>;
  for (const f of DATE_FIELDS) {
    const v = out[f];
    if (typeof v === 'string') (out as Record<string, unknown>)[f] = new Date(v);
  }
  out.timeline = r.timeline.map((t) => ({ ...t, at: new Date(t.at) }));
  out.attempts = r.attempts.map((a) => ({ ...a, startedAt: new Date(a.startedAt), endedAt: a.endedAt ? new Date(a.endedAt) : null }));
  return out;
}
