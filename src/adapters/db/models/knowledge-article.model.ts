/** knowledge_articles: knowledge-base articles with their search tokens (indexed array, no text index). */
import { Schema, type Connection, type Model } from 'mongoose';

export interface KnowledgeArticleDoc {
  _id: string;
  title: string;
  body: string;
  category: string;
  keywords: string[];
  ownerUnitId: string | null;
  validFrom: Date;
  validTo: Date | null;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string;
  rev: number;
  useCount: number;
  tokens: string[];
}

const schema = new Schema(
  {
    _id: { type: String, required: true },
    category: { type: String, required: true },
    tokens: { type: [String], default: [] },
    validFrom: { type: Date, required: true },
  },
  { collection: 'knowledge_articles', strict: false, versionKey: false, minimize: false, autoIndex: false },
);
schema.index({ tokens: 1 });
schema.index({ category: 1, validFrom: 1 });

export function knowledgeArticleModel(conn: Connection): Model<KnowledgeArticleDoc> {
  return (conn.models['KnowledgeArticle'] as Model<KnowledgeArticleDoc> | undefined) ?? (conn.model('KnowledgeArticle', schema) as unknown as Model<KnowledgeArticleDoc>);
}
