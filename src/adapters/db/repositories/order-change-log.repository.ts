/**
 * OrderChangeLog over work_order_changes: one small document per order write, `{ orderId, minute }`.
 * The collection only holds the last hour or so (the sweep prunes it every run), so reading it
 * whole is cheap (through the `minute` index: a few hundred small documents).
 */
import type { Collection, Connection } from 'mongoose';
import type { OrderChangeLog } from '../../../app/work-orders/work-orders.ports';
import { createIndexRetrying } from '../indexes';

const MINUTE = 60_000;

interface ChangeDoc {
  orderId: string;
  minute: number;
}

export class MongoOrderChangeLog implements OrderChangeLog {
  private readonly docs: Collection<ChangeDoc>;

  constructor(conn: Connection) {
    this.docs = conn.collection('work_order_changes') as unknown as Collection<ChangeDoc>;
  }

  async init(): Promise<void> {
    await createIndexRetrying(() => this.docs.createIndex({ minute: 1 }));
  }

  async mark(orderId: string, at: Date): Promise<void> {
    await this.docs.insertOne({ orderId, minute: Math.floor(at.getTime() / MINUTE) });
  }

  async changedSince(fromMinute: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const docs = await this.docs.find({ minute: { $gte: fromMinute } }, { projection: { _id: 0, orderId: 1, minute: 1 } }).toArray();
    for (const d of docs) out.set(d.orderId, Math.max(d.minute, out.get(d.orderId) ?? d.minute));
    return out;
  }

  async prune(beforeMinute: number): Promise<void> {
    await this.docs.deleteMany({ minute: { $lt: beforeMinute } });
  }
}
