/**
 * Knowledge base (知识库): articles with category, keywords, validity period and owner unit, and a
 * search that works for Chinese text (see domain/knowledge/knowledge.tokens.ts). Hotline staff read and search;
 * supervisors and administrators write any article, unit handlers the articles their unit owns.
 * Which article answered a consultation is recorded on the order by the `answerDirect` action.
 */
import { requirePermission, type Actor } from '../../../domain/access';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';
import type { Clock, KnowledgeArticle, KnowledgeRepository } from '../work-orders.ports';
import { articleTokens, queryTokens, scoreArticle } from '../../../domain/knowledge/knowledge.tokens';

export interface ArticleInput {
  readonly title: string;
  readonly body: string;
  readonly category: string;
  readonly keywords: readonly string[];
  readonly ownerUnitId: string | null;
  readonly validFrom?: Date;
  readonly validTo?: Date | null;
}

export interface SearchInput {
  readonly q: string;
  readonly category?: string;
  /** Valid at; default now. */
  readonly at?: Date;
  readonly limit: number;
  /** Least score to be listed (see scoreArticle); default 0.5. */
  readonly minScore?: number;
}

export interface SearchHit {
  readonly article: KnowledgeArticle;
  readonly score: number;
}

export interface KnowledgeDeps {
  readonly articles: KnowledgeRepository;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly log: Logger;
}

/** Candidates fetched per search before ranking. */
const CANDIDATES = 300;

export class KnowledgeService {
  constructor(private readonly deps: KnowledgeDeps) {}

  async create(actor: Actor, input: ArticleInput): Promise<KnowledgeArticle> {
    this.requireWrite(actor, input.ownerUnitId);
    const now = new Date(this.deps.clock());
    const article: KnowledgeArticle = {
      id: this.deps.newId(), title: input.title, body: input.body, category: input.category, keywords: [...input.keywords],
      ownerUnitId: input.ownerUnitId, validFrom: input.validFrom ?? now, validTo: input.validTo ?? null,
      createdAt: now, updatedAt: now, updatedBy: actor.userId, rev: 1, useCount: 0,
    };
    checkValidity(article);
    await this.deps.articles.insert(article, articleTokens(article));
    this.deps.log.info('knowledge article created', { articleId: article.id, userId: actor.userId });
    return article;
  }

  async update(actor: Actor, id: string, input: ArticleInput, expectedRev: number): Promise<KnowledgeArticle> {
    const current = await this.get(actor, id);
    this.requireWrite(actor, current.ownerUnitId);
    this.requireWrite(actor, input.ownerUnitId);
    if (current.rev !== expectedRev) throw new ConflictError(`the article is at revision ${current.rev}, not ${expectedRev}`, { rev: current.rev });
    const next: KnowledgeArticle = {
      ...current, title: input.title, body: input.body, category: input.category, keywords: [...input.keywords],
      ownerUnitId: input.ownerUnitId, validFrom: input.validFrom ?? current.validFrom,
      validTo: input.validTo === undefined ? current.validTo : input.validTo,
      updatedAt: new Date(this.deps.clock()), updatedBy: actor.userId, rev: current.rev + 1,
    };
    checkValidity(next);
    if (!(await this.deps.articles.replace(next, articleTokens(next), expectedRev))) {
      throw new ConflictError('the article was changed by someone else; reload and retry');
    }
    this.deps.log.info('knowledge article updated', { articleId: id, rev: next.rev, userId: actor.userId });
    return next;
  }

  async get(actor: Actor, id: string): Promise<KnowledgeArticle> {
    requirePermission(actor, 'callers:history'); // every signed-in role that handles callers
    const a = await this.deps.articles.get(id);
    if (!a) throw new NotFoundError('knowledge article');
    return a;
  }

  async search(actor: Actor, input: SearchInput): Promise<SearchHit[]> {
    requirePermission(actor, 'callers:history');
    const tokens = queryTokens(input.q);
    if (tokens.length === 0) return [];
    const candidates = await this.deps.articles.search({
      tokens, at: input.at ?? new Date(this.deps.clock()), limit: CANDIDATES,
      ...(input.category !== undefined ? { category: input.category } : {}),
    });
    const min = input.minScore ?? 0.5;
    return candidates
      .map((c) => ({ article: c.article, score: round3(scoreArticle(input.q, tokens, new Set(c.tokens), c.article)) }))
      .filter((h) => h.score >= min)
      .sort((a, b) => b.score - a.score || b.article.useCount - a.article.useCount || a.article.id.localeCompare(b.article.id))
      .slice(0, input.limit);
  }

  private requireWrite(actor: Actor, ownerUnitId: string | null): void {
    if (actor.role === 'supervisor' || actor.role === 'admin') return;
    if (actor.role === 'unit_handler' && actor.unitId !== null && ownerUnitId === actor.unitId) return;
    throw new ForbiddenError(`role ${actor.role} may not edit this knowledge article`);
  }
}

function checkValidity(a: KnowledgeArticle): void {
  if (a.validTo !== null && a.validTo.getTime() <= a.validFrom.getTime()) throw new ValidationError('body.validTo', 'must be after validFrom');
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
