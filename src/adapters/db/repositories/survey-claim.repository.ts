/**
 * SurveyClaims over survey_claims: one document per claimed attempt, its key as `_id`, so the first
 * insert wins on MongoDB and FerretDB alike. Claims are kept as the record of which instance placed
 * which attempt.
 */
import type { Collection, Connection } from 'mongoose';
import type { SurveyClaims } from '../../../app/work-orders/ports';

const DUPLICATE_KEY = 11000;

interface SurveyClaimDoc {
  _id: string;
  orderId: string;
  owner: string;
  at: Date;
}

export class MongoSurveyClaims implements SurveyClaims {
  private readonly claims: Collection<SurveyClaimDoc>;

  constructor(conn: Connection) {
    this.claims = conn.collection<SurveyClaimDoc>('survey_claims') as unknown as Collection<SurveyClaimDoc>;
  }

  async claim(key: string, orderId: string, owner: string, at: Date): Promise<boolean> {
    try {
      await this.claims.insertOne({ _id: key, orderId, owner, at });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
  }
}
