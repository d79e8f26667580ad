/** KnowledgeRepository over knowledge_articles: token match on an indexed array, validity by range. */
import type { Collection, Connection, mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
import type {
  KnowledgeArticle, KnowledgeCandidate, KnowledgeRepository, KnowledgeSearchQuery,
} from '../../../app/work-orders/work-orders.ports';
import { knowledgeArticleModel, type KnowledgeArticleDoc } from '../models/knowledge-article.model';
import { ensureIndexes } from '../indexes';

function toArticle(d: KnowledgeArticleDoc): KnowledgeArticle {
  return {
    id: d._id, title: d.title, body: d.body, category: d.category, keywords: d.keywords ?? [], ownerUnitId: d.ownerUnitId ?? null,
    validFrom: d.validFrom, validTo: d.validTo ?? null, createdAt: d.createdAt, updatedAt: d.updatedAt, updatedBy: d.updatedBy,
    rev: d.rev, useCount: d.useCount ?? 0,
  };
}

function toDoc(a: KnowledgeArticle, tokens: readonly string[]): KnowledgeArticleDoc {
  const { id, keywords, ...rest } = a;
  return { ...rest, _id: id, keywords: [...keywords], tokens: [...tokens] };
}

export class MongoKnowledgeRepository implements KnowledgeRepository {
  private readonly articles: Collection<KnowledgeArticleDoc>;

  constructor(private readonly conn: Connection) {
    this.articles = knowledgeArticleModel(conn).collection as unknown as Collection<KnowledgeArticleDoc>;
  }

  async init(): Promise<void> {
    await ensureIndexes(knowledgeArticleModel(this.conn));
  }

  async insert(article: KnowledgeArticle, tokens: readonly string[]): Promise<void> {
    await this.articles.insertOne(toDoc(article, tokens));
  }

  async get(id: string): Promise<KnowledgeArticle | null> {
    const d = await this.articles.findOne({ _id: id });
    return d ? toArticle(d) : null;
  }

  async replace(article: KnowledgeArticle, tokens: readonly string[], expectedRev: number): Promise<boolean> {
    // useCount moves independently of edits: keep the stored value.
    const { useCount: _u, ...doc } = toDoc(article, tokens);
    const res = await this.articles.updateOne({ _id: article.id, rev: expectedRev }, { $set: doc });
    return res.matchedCount === 1;
  }

  async search(q: KnowledgeSearchQuery): Promise<KnowledgeCandidate[]> {
    const filter: Filter<KnowledgeArticleDoc> = {
      tokens: { $in: [...q.tokens] },
      validFrom: { $lte: q.at },
      $or: [{ validTo: null }, { validTo: { $gte: q.at } }],
      ...(q.category !== undefined ? { category: q.category } : {}),
    };
    const docs = await this.articles.find(filter).limit(q.limit).toArray();
    return docs.map((d) => ({ article: toArticle(d), tokens: d.tokens }));
  }

  async incrementUse(id: string): Promise<void> {
    await this.articles.updateOne({ _id: id }, { $inc: { useCount: 1 } });
  }
}
