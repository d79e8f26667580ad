/**
 * SurveyClaims over survey_claims: one document per claimed attempt, its key as `_id`, so the first
 * insert wins on MongoDB and FerretDB alike. A claim is a lease: it expires at `expiresAt` unless its
 * owner renews it while the call lasts, and is finished (`finishedAt`) once the attempt's result is
 * recorded. An expired, unfinished claim (its instance died mid-attempt) is taken over by the next
 * instance that claims the key: one conditional update on `_id`, atomic on both, so of two instances
 * taking it over at once only one does. Claims are kept as the record of which instance placed which
 * attempt (`owner`, `takeovers`). Only plain equality, `$lte`, `$exists`, `$or`, `$set` and `$inc`:
 * portable between FerretDB and MongoDB.
 */
import type { Collection, Connection } from 'mongoose';
import type { SurveyClaims } from '../../../app/work-orders/work-orders.ports';

const DUPLICATE_KEY = 11000;

interface SurveyClaimDoc {
  _id: string;
  orderId: string;
  owner: string;
  /** When the current owner claimed (or took over) the attempt. */
  at: Date;
  /** The lease ends here unless renewed. Claims written before leases existed have none: `at` + lease. */
  expiresAt?: Date;
  finishedAt?: Date | null;
  takeovers?: number;
}

export class MongoSurveyClaims implements SurveyClaims {
  private readonly claims: Collection<SurveyClaimDoc>;

  constructor(conn: Connection) {
    this.claims = conn.collection<SurveyClaimDoc>('survey_claims') as unknown as Collection<SurveyClaimDoc>;
  }

  async claim(key: string, orderId: string, owner: string, at: Date, leaseMs: number): Promise<boolean> {
    const expiresAt = new Date(at.getTime() + leaseMs);
    try {
      await this.claims.insertOne({ _id: key, orderId, owner, at, expiresAt, finishedAt: null, takeovers: 0 });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
    // Claimed before: taken over only when its lease ran out before the attempt was finished.
    const r = await this.claims.updateOne(
      {
        _id: key,
        finishedAt: null,
        $or: [{ expiresAt: { $lte: at } }, { expiresAt: { $exists: false }, at: { $lte: new Date(at.getTime() - leaseMs) } }],
      },
      { $set: { owner, at, expiresAt }, $inc: { takeovers: 1 } },
    );
    return r.modifiedCount === 1;
  }

  async renew(key: string, owner: string, expiresAt: Date): Promise<boolean> {
    const r = await this.claims.updateOne({ _id: key, owner, finishedAt: null }, { $set: { expiresAt } });
    return r.matchedCount === 1;
  }

  async finish(key: string, owner: string, at: Date): Promise<boolean> {
    const r = await this.claims.updateOne({ _id: key, owner, finishedAt: null }, { $set: { finishedAt: at } });
    return r.matchedCount === 1;
  }
}
