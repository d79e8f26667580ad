/**
 * SmsOutbox over sms_messages: one document per message, its idempotency key as `_id` (the first
 * insert wins on MongoDB and FerretDB alike). A try is taken with a conditional findOneAndUpdate that
 * sets a lease, so two instances never submit the same message at once, and a message whose instance
 * died mid-try is taken again once the lease ran out.
 */
import type { Collection, Connection } from 'mongoose';
import type { NewSmsMessage, SmsMessage, SmsOutbox } from '../../../app/sms/sms.ports';

const DUPLICATE_KEY = 11000;

interface SmsDoc extends Omit<SmsMessage, 'id' | 'key'> {
  _id: string;
  leaseUntil: Date | null;
}

function toMessage(d: SmsDoc): SmsMessage {
  const { _id, leaseUntil: _lease, ...rest } = d;
  return { id: _id, key: _id, ...rest };
}

export class MongoSmsOutbox implements SmsOutbox {
  private readonly docs: Collection<SmsDoc>;

  constructor(conn: Connection) {
    this.docs = conn.collection('sms_messages') as unknown as Collection<SmsDoc>;
  }

  async init(): Promise<void> {
    await this.docs.createIndex({ status: 1, nextAttemptAt: 1 });
    await this.docs.createIndex({ gatewayMessageId: 1 });
    await this.docs.createIndex({ orderId: 1, createdAt: 1 });
  }

  async enqueue(m: NewSmsMessage): Promise<boolean> {
    const { key, ...rest } = m;
    try {
      await this.docs.insertOne({
        _id: key, ...rest, status: 'queued', attempts: 0, sentAt: null, finishedAt: null, gatewayMessageId: null, lastError: null, leaseUntil: null,
      });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
  }

  async claimDue(now: Date, leaseUntil: Date): Promise<SmsMessage | null> {
    const d = await this.docs.findOneAndUpdate(
      { status: 'queued', nextAttemptAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
      { $set: { leaseUntil } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    );
    return d ? toMessage(d) : null;
  }

  async markSent(id: string, gatewayMessageId: string, at: Date): Promise<void> {
    // A receipt that raced ahead may already have finished it: only a queued message becomes sent.
    await this.docs.updateOne(
      { _id: id, status: 'queued' },
      { $set: { status: 'sent', sentAt: at, gatewayMessageId, lastError: null, leaseUntil: null }, $inc: { attempts: 1 } },
    );
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.docs.updateOne({ _id: id, status: 'queued' }, { $set: { attempts, nextAttemptAt, lastError: error, leaseUntil: null } });
  }

  async markFailed(id: string, attempts: number, at: Date, error: string): Promise<void> {
    await this.docs.updateOne({ _id: id, status: 'queued' }, { $set: { status: 'failed', attempts, finishedAt: at, lastError: error, leaseUntil: null } });
  }

  async recordReceipt(gatewayMessageId: string, status: 'delivered' | 'failed', at: Date, detail: string): Promise<boolean> {
    const r = await this.docs.updateOne(
      { gatewayMessageId, status: { $in: ['sent', 'delivered', 'failed'] } },
      { $set: { status, finishedAt: at, ...(status === 'failed' ? { lastError: detail } : {}) } },
    );
    return r.matchedCount > 0;
  }

  async forOrder(orderId: string): Promise<SmsMessage[]> {
    return (await this.docs.find({ orderId }).sort({ createdAt: 1 }).toArray()).map(toMessage);
  }
}
