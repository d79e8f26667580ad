/**
 * An append-only list per string key whose every read and write is a lookup by `_id`.
 *
 * Why: hot paths that must stay fast at a million documents (due work orders by minute, a caller's
 * recent calls) keep their own lists here instead of querying by a field, so each read costs the
 * same whatever the collection's size. The design dates from a lab database that served only
 * `{ _id }` from an index; it is kept because it is as correct and fast on MongoDB and FerretDB v2
 * (docs/database.md, "Designs from the FerretDB v1 days that stay").
 *
 * Layout (one collection per list kind):
 *  - entry `s|<key>|<n>` holds the n-th value of `key` (n = 0, 1, 2 …);
 *  - hint  `h|<key>` holds `next`, a lower bound of the number of entries.
 * An append reads the hint and inserts at the first free slot from there (a unique insert, atomic
 * on FerretDB too, where conditional updates are not); then raises the hint. The hint never runs
 * ahead of the filled slots, so the slots of a key are contiguous and a reader stops at the first
 * missing one. A stale hint only costs an extra probe. Lists are only dropped whole.
 */
import type { Collection, Connection } from 'mongoose';

const DUPLICATE_KEY = 11000;
/** Slots read in parallel when walking a list. */
const READ_WINDOW = 32;

interface EntryDoc<T> {
  _id: string;
  v: T;
  at: Date;
}
interface HintDoc {
  _id: string;
  next: number;
}

export interface ListEntry<T> {
  readonly slot: number;
  readonly value: T;
  readonly at: Date;
}

const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;

/** The highest slot number among entry documents of `key`. */
function topSlot(key: string, docs: ReadonlyArray<{ _id: string }>): number {
  const prefix = `s|${key}|`.length;
  return docs.reduce((top, d) => {
    const n = Number(d._id.slice(prefix));
    return Number.isInteger(n) && n > top ? n : top;
  }, -1);
}

export class KeyedList<T> {
  private readonly docs: Collection;

  constructor(conn: Connection, collectionName: string) {
    this.docs = conn.collection(collectionName) as unknown as Collection;
  }

  private entries(): Collection<EntryDoc<T>> {
    return this.docs as unknown as Collection<EntryDoc<T>>;
  }

  private hints(): Collection<HintDoc> {
    return this.docs as unknown as Collection<HintDoc>;
  }

  private static slotId(key: string, n: number): string {
    return `s|${key}|${n}`;
  }

  private static hintId(key: string): string {
    return `h|${key}`;
  }

  /** Appends `value` to the list of `key`; returns its slot. */
  async append(key: string, value: T, at = new Date()): Promise<number> {
    let n = await this.hint(key);
    for (;;) {
      try {
        await this.entries().insertOne({ _id: KeyedList.slotId(key, n), v: value, at });
        break;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        n += 1;
      }
    }
    await this.raiseHint(key, n + 1);
    return n;
  }

  /**
   * Appends several values to the list of `key` in one insert where nobody else appends at the
   * same moment (a bulk load); a slot taken meanwhile falls back to one append per value left.
   */
  async appendMany(key: string, values: readonly T[], at = new Date()): Promise<void> {
    if (values.length === 0) return;
    const start = await this.length(key);
    const docs = values.map((v, i) => ({ _id: KeyedList.slotId(key, start + i), v, at }));
    try {
      await this.entries().insertMany(docs, { ordered: true });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      // An ordered insert stops at the first taken slot; the driver reports how many landed (if it
      // did not, a value may be listed twice: the lists built this way are read with duplicates removed).
      const landed = (err as { insertedCount?: number }).insertedCount ?? 0;
      await this.raiseHint(key, start + landed);
      for (const v of values.slice(landed)) await this.append(key, v, at);
      return;
    }
    await this.raiseHint(key, start + values.length);
  }

  /** The entries of `key` from slot `from` on, oldest first. */
  async read(key: string, from = 0): Promise<ListEntry<T>[]> {
    const out: ListEntry<T>[] = [];
    // Most lists a sweep looks at are empty: one lookup settles that.
    if (from === 0 && !(await this.exists(key))) return out;
    // Slots below the hint exist: read them in parallel; then probe one by one past the hint.
    const known = await this.hint(key);
    for (let start = Math.max(0, from); start < known; start += READ_WINDOW) {
      const slots = Array.from({ length: Math.min(READ_WINDOW, known - start) }, (_, i) => start + i);
      const docs = await Promise.all(slots.map((n) => this.entries().findOne({ _id: KeyedList.slotId(key, n) })));
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i];
        if (!d) return out; // dropped while we read
        out.push({ slot: slots[i] as number, value: d.v, at: d.at });
      }
    }
    for (let n = Math.max(from, known); ; n++) {
      const d = await this.entries().findOne({ _id: KeyedList.slotId(key, n) });
      if (!d) return out;
      out.push({ slot: n, value: d.v, at: d.at });
    }
  }

  /**
   * All entries of `key`, oldest first, with ONE query on an `_id` range instead of a lookup per
   * slot: an index range on the `_id` index (MongoDB and FerretDB v2 alike), one round trip instead
   * of one per entry.
   * Stops at the first missing slot, like `read`.
   */
  async scan(key: string): Promise<ListEntry<T>[]> {
    const prefix = `s|${key}|`;
    const docs = await this.entries().find({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } }).toArray();
    const bySlot = new Map<number, EntryDoc<T>>();
    for (const d of docs) {
      const slot = Number(d._id.slice(prefix.length));
      if (Number.isInteger(slot) && slot >= 0) bySlot.set(slot, d);
    }
    const out: ListEntry<T>[] = [];
    for (let n = 0; bySlot.has(n); n++) {
      const d = bySlot.get(n) as EntryDoc<T>;
      out.push({ slot: n, value: d.v, at: d.at });
    }
    return out;
  }

  /** The newest `count` entries of `key`, newest first. */
  async readLast(key: string, count: number): Promise<ListEntry<T>[]> {
    const length = await this.length(key);
    const from = Math.max(0, length - count);
    const slots = Array.from({ length: length - from }, (_, i) => length - 1 - i);
    const docs = await Promise.all(slots.map((n) => this.entries().findOne({ _id: KeyedList.slotId(key, n) })));
    const out: ListEntry<T>[] = [];
    docs.forEach((d, i) => {
      if (d) out.push({ slot: slots[i] as number, value: d.v, at: d.at });
    });
    return out;
  }

  /** Whether `key` has any entry (one lookup). */
  async exists(key: string): Promise<boolean> {
    return (await this.entries().findOne({ _id: KeyedList.slotId(key, 0) }, { projection: { _id: 1 } })) !== null;
  }

  /** The number of entries of `key` (hint, then probing forward). */
  async length(key: string): Promise<number> {
    let n = await this.hint(key);
    while (await this.entries().findOne({ _id: KeyedList.slotId(key, n) }, { projection: { _id: 1 } })) n += 1;
    return n;
  }

  /** Deletes the whole list of `key`. Only for keys nobody appends to any more. */
  async drop(key: string): Promise<number> {
    const length = await this.length(key);
    for (let start = 0; start < length; start += READ_WINDOW) {
      const ids = Array.from({ length: Math.min(READ_WINDOW, length - start) }, (_, i) => KeyedList.slotId(key, start + i));
      await Promise.all(ids.map((_id) => this.entries().deleteOne({ _id })));
    }
    await this.hints().deleteOne({ _id: KeyedList.hintId(key) });
    return length;
  }

  /**
   * Removes the entries of `key` that `drop` picks, wherever they are (a retention period ends the
   * oldest, whose slots may be anywhere after a retried write). The hint is first raised above every
   * slot filled, so an append never refills a hole and `readLast` goes on reading the newest; `read`,
   * `scan` and `exists` stop at a hole, so only lists read by `readLast` are trimmed so. A list left
   * empty goes whole, its hint too (the key itself may be personal data); an append that raced in
   * meanwhile gets its hint back.
   */
  async removeWhere(key: string, drop: (value: T, at: Date) => boolean): Promise<number> {
    const entries = await this.allSlots(key);
    const doomed = entries.filter((e) => drop(e.v, e.at));
    if (doomed.length === 0) return 0;
    await this.raiseHint(key, topSlot(key, entries) + 1);
    for (let start = 0; start < doomed.length; start += READ_WINDOW) {
      await this.entries().deleteMany({ _id: { $in: doomed.slice(start, start + READ_WINDOW).map((d) => d._id) } });
    }
    if (doomed.length === entries.length) {
      await this.hints().deleteOne({ _id: KeyedList.hintId(key) });
      const late = await this.allSlots(key);
      if (late.length > 0) await this.raiseHint(key, topSlot(key, late) + 1);
    }
    return doomed.length;
  }

  /** Every entry document of `key`, holes or not (one `_id` range query). */
  private allSlots(key: string): Promise<EntryDoc<T>[]> {
    const prefix = `s|${key}|`;
    return this.entries().find({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } }).toArray() as Promise<EntryDoc<T>[]>;
  }

  private async hint(key: string): Promise<number> {
    const h = await this.hints().findOne({ _id: KeyedList.hintId(key) });
    return h?.next ?? 0;
  }

  private async raiseHint(key: string, next: number): Promise<void> {
    try {
      await this.hints().updateOne({ _id: KeyedList.hintId(key) }, { $max: { next } }, { upsert: true });
    } catch (err) {
      // Two first appends upserting the hint at once: the loser's value is only a hint.
      if (!isDuplicate(err)) throw err;
    }
  }
}
