/**
 * NoticeLog over work_order_notices: one small document per notice the sweep sent, `_id` = the
 * notice's key. Recording is an unordered bulk insert: a duplicate key means another sweep (or an
 * earlier run) recorded that notice, which is the idempotency the sweep relies on (a unique insert
 * is atomic on every MongoDB-compatible server). Reads are lookups by `_id`.
 */
import type { Collection, Connection } from 'mongoose';
import type { NoticeLog, SentNoticeRecord } from '../../../app/work-orders/work-orders.ports';
import { mapInWindows } from '../../../shared/windows';

const DUPLICATE_KEY = 11000;
/** Lookups in flight at once. */
const READ_WINDOW = 32;

interface NoticeDoc extends Omit<SentNoticeRecord, 'key'> {
  _id: string;
}

interface WriteErrorLike {
  readonly index: number;
  readonly code?: number;
}

/** The per-document errors of a failed bulk insert (none: the whole command failed). */
function writeErrorsOf(err: unknown): WriteErrorLike[] | null {
  const e = (err as { writeErrors?: unknown }).writeErrors;
  if (Array.isArray(e)) return e as WriteErrorLike[];
  if (e && typeof e === 'object' && 'index' in e) return [e as WriteErrorLike];
  return null;
}

export class MongoNoticeLog implements NoticeLog {
  private readonly docs: Collection<NoticeDoc>;

  constructor(conn: Connection) {
    this.docs = conn.collection('work_order_notices') as unknown as Collection<NoticeDoc>;
  }

  async record(notices: readonly SentNoticeRecord[]): Promise<{ recorded: ReadonlySet<string>; failed: ReadonlySet<string> }> {
    const recorded = new Set<string>();
    const failed = new Set<string>();
    if (notices.length === 0) return { recorded, failed };
    const docs = notices.map(({ key, ...rest }): NoticeDoc => ({ _id: key, ...rest }));
    try {
      await this.docs.insertMany(docs, { ordered: false, ignoreUndefined: true });
      for (const n of notices) recorded.add(n.key);
    } catch (err) {
      const errors = writeErrorsOf(err);
      if (errors === null) throw err;
      const byIndex = new Map(errors.map((w) => [w.index, w.code]));
      notices.forEach((n, i) => {
        if (!byIndex.has(i)) recorded.add(n.key);
        else if (byIndex.get(i) !== DUPLICATE_KEY) failed.add(n.key);
      });
    }
    return { recorded, failed };
  }

  async find(keys: readonly string[]): Promise<SentNoticeRecord[]> {
    const out: SentNoticeRecord[] = [];
    for (const d of await mapInWindows(keys, READ_WINDOW, (k) => this.docs.findOne({ _id: k }))) {
      if (!d) continue;
      const { _id, ...rest } = d;
      out.push({ key: _id, ...rest });
    }
    return out;
  }
}
