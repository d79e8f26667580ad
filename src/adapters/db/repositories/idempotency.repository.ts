/**
 * IdempotencyStore over idempotency_keys: the first request inserts `<scope>|<key>` (a unique
 * insert, atomic on FerretDB too), so of two concurrent retries only one runs. Entries older than
 * KEEP_MS are removed as new ones arrive (clients retry within minutes, not days).
 */
import type { Collection, Connection } from 'mongoose';
import type { IdempotencyStart, IdempotencyStore } from '../../../app/idempotency/idempotency.ports';

const DUPLICATE_KEY = 11000;
const KEEP_MS = 24 * 60 * 60 * 1000;

interface IdempotencyDoc {
  _id: string;
  fingerprint: string;
  createdAt: Date;
  done: boolean;
  status?: number;
  /** The answer, as JSON text (bodies may hold keys MongoDB refuses, such as `$` or dots). */
  body?: string;
}

export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly keys: Collection<IdempotencyDoc>;

  constructor(conn: Connection) {
    this.keys = conn.collection('idempotency_keys') as unknown as Collection<IdempotencyDoc>;
  }

  async init(): Promise<void> {
    await this.keys.createIndex({ createdAt: 1 });
  }

  async start(scope: string, key: string, fingerprint: string, now: Date): Promise<IdempotencyStart> {
    const _id = `${scope}|${key}`;
    try {
      await this.keys.insertOne({ _id, fingerprint, createdAt: now, done: false });
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      const prior = await this.keys.findOne({ _id });
      if (!prior) return this.start(scope, key, fingerprint, now); // abandoned meanwhile
      if (prior.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (!prior.done) return { kind: 'in-progress' };
      return { kind: 'replay', status: prior.status ?? 200, body: prior.body === undefined ? null : (JSON.parse(prior.body) as unknown) };
    }
    await this.keys.deleteMany({ createdAt: { $lt: new Date(now.getTime() - KEEP_MS) } });
    return { kind: 'new' };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.keys.updateOne({ _id: `${scope}|${key}` }, { $set: { done: true, status, body: JSON.stringify(body ?? null) } });
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.keys.deleteOne({ _id: `${scope}|${key}` });
  }
}
