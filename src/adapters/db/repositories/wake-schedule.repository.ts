/**
 * WakeSchedule over work_order_wakes, two kinds of KeyedList (every read and write an `_id`
 * lookup, see keyed-list.ts):
 *  - `m:<minute>`: the ids of the orders that wake in that epoch minute, an id per entry (a writer
 *    listing one order) or an array of ids (a bulk listing: one entry per minute per call, so a busy
 *    minute is a few documents to read and delete, not one per order);
 *  - `d:<hour>`: the minutes of that epoch hour that have entries, so a sweep after a pause reads
 *    one short list per hour instead of probing sixty minutes.
 * Besides, `p|m:<minute>`: the sweep's progress in a minute not dropped yet (one small document,
 * replaced by each run that read the minute; deleted with the minute).
 * A minute is recorded in its hour before its first entry is added: a crash in between leaves an
 * empty minute in the hour list (harmless), never an entry the hour list does not lead to.
 */
import type { Collection, Connection } from 'mongoose';
import type { SweepProgress, WakeSchedule } from '../../../app/work-orders/work-orders.ports';
import { KeyedList } from '../keyed-list';
import { mapInWindows } from '../../../shared/windows';

const MINUTE = 60_000;
/** Lists read in parallel. */
const WINDOW = 32;
/** Ids in one entry of a bulk listing (a document stays small). */
const MAX_IDS_PER_ENTRY = 1_000;

/** `again` as objects (named fields), not pairs. */
interface ProgressDoc {
  _id: string;
  upTo: number;
  again: { id: string; at: number }[];
}
const progressId = (minute: number): string => `p|m:${minute}`;

export class MongoWakeSchedule implements WakeSchedule {
  private readonly orders: KeyedList<string | string[]>;
  private readonly hours: KeyedList<number>;
  private readonly progressDocs: Collection<ProgressDoc>;

  constructor(conn: Connection) {
    this.orders = new KeyedList<string | string[]>(conn, 'work_order_wakes');
    this.hours = new KeyedList<number>(conn, 'work_order_wakes');
    this.progressDocs = conn.collection('work_order_wakes') as unknown as Collection<ProgressDoc>;
  }

  async add(orderId: string, wakeAt: Date, now: Date): Promise<void> {
    const minute = Math.floor(Math.max(wakeAt.getTime(), now.getTime()) / MINUTE);
    if (!(await this.orders.exists(`m:${minute}`))) await this.hours.append(`d:${Math.floor(minute / 60)}`, minute);
    await this.orders.append(`m:${minute}`, orderId);
  }

  /**
   * Lists many orders at once (building the schedule for orders written in bulk, e.g. an import or a
   * benchmark); the same layout as `add`.
   */
  async addMany(items: readonly (readonly [string, Date])[], now: Date): Promise<void> {
    const byMinute = new Map<number, string[]>();
    for (const [id, wakeAt] of items) {
      const minute = Math.floor(Math.max(wakeAt.getTime(), now.getTime()) / MINUTE);
      byMinute.set(minute, [...(byMinute.get(minute) ?? []), id]);
    }
    const minutes = [...byMinute.keys()];
    const known = await mapInWindows(minutes, WINDOW, (m) => this.orders.exists(`m:${m}`));
    const fresh = minutes.filter((_, k) => !known[k]);
    const byHour = new Map<number, number[]>();
    for (const m of fresh) byHour.set(Math.floor(m / 60), [...(byHour.get(Math.floor(m / 60)) ?? []), m]);
    for (const [h, ms] of byHour) await this.hours.appendMany(`d:${h}`, ms);
    await mapInWindows(minutes, WINDOW, async (m) => {
      const ids = byMinute.get(m) ?? [];
      for (let k = 0; k < ids.length; k += MAX_IDS_PER_ENTRY) await this.orders.append(`m:${m}`, ids.slice(k, k + MAX_IDS_PER_ENTRY));
    });
  }

  async minutes(fromHour: number, toHour: number, alsoMinutes: readonly number[]): Promise<number[]> {
    const found = new Set<number>();
    const hours = Array.from({ length: Math.max(0, toHour - fromHour + 1) }, (_, i) => fromHour + i);
    for (const l of await mapInWindows(hours, WINDOW, (h) => this.hours.read(`d:${h}`))) for (const e of l) found.add(e.value);
    const extra = await Promise.all(alsoMinutes.map(async (m) => ((await this.orders.exists(`m:${m}`)) ? m : null)));
    for (const m of extra) if (m !== null) found.add(m);
    return [...found].sort((a, b) => a - b);
  }

  async entries(minute: number, from = 0): Promise<{ ids: string[]; next: number }> {
    const read = await this.orders.read(`m:${minute}`, from);
    return { ids: read.flatMap((e) => e.value), next: from + read.length };
  }

  async drop(minute: number): Promise<void> {
    await this.orders.drop(`m:${minute}`);
    await this.progressDocs.deleteOne({ _id: progressId(minute) });
  }

  async progress(minutes: readonly number[]): Promise<Map<number, SweepProgress>> {
    const out = new Map<number, SweepProgress>();
    const docs = await mapInWindows(minutes, WINDOW, (m) => this.progressDocs.findOne({ _id: progressId(m) }));
    docs.forEach((d, k) => d && out.set(minutes[k] as number, { upTo: d.upTo, again: d.again.map((a): [string, number] => [a.id, a.at]) }));
    return out;
  }

  async saveProgress(minute: number, p: SweepProgress): Promise<void> {
    const doc = { upTo: p.upTo, again: p.again.map(([id, at]) => ({ id, at })) };
    await this.progressDocs.replaceOne({ _id: progressId(minute) }, doc, { upsert: true });
  }

  async dropHour(hour: number): Promise<void> {
    await this.hours.drop(`d:${hour}`);
  }
}
