/** Knowledge base (知识库): search (Chinese text via stored tokens), read, create, update. */
import { z } from 'zod';
import type { KnowledgeService } from '../../../app/work-orders/knowledge/knowledge.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, instant, parse } from '../validate';
import { knowledgeArticleResponse, knowledgeSearchResponse } from '../response-schemas';

const articleFields = {
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  category: z.string().trim().min(1).max(32),
  keywords: z.array(z.string().trim().min(1).max(50)).max(50),
  ownerUnitId: id.nullable(),
  validFrom: instant.optional(),
  validTo: instant.nullable().optional(),
};
export const articleBody = z.strictObject(articleFields);
export const articleUpdateBody = z.strictObject({ ...articleFields, rev: z.number().int().min(1) });
export const searchQuery = z.strictObject({
  q: z.string().trim().min(1).max(200),
  category: z.string().min(1).max(32).optional(),
  at: instant.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export const articleParams = z.strictObject({ articleId: id });

type ArticleBody = z.output<typeof articleBody>;

function toInput(b: ArticleBody) {
  return {
    title: b.title, body: b.body, category: b.category, keywords: b.keywords, ownerUnitId: b.ownerUnitId,
    ...(b.validFrom !== undefined ? { validFrom: new Date(b.validFrom) } : {}),
    ...(b.validTo !== undefined ? { validTo: b.validTo === null ? null : new Date(b.validTo) } : {}),
  };
}

export function knowledgeRouter(auth: Authenticator, kb: KnowledgeService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/knowledge/search', response: knowledgeSearchResponse, summary: 'Search valid articles (works for Chinese text), best first', tag: 'knowledge', permission: 'callers:history', query: searchQuery }, authed, async (req, res) => {
    const q = parse(searchQuery, req.query, 'query');
    res.json({
      items: await kb.search(authOf(res).actor, {
        q: q.q, limit: q.limit, ...(q.category ? { category: q.category } : {}), ...(q.at !== undefined ? { at: new Date(q.at) } : {}),
      }),
    });
  });
  r.route({ method: 'get', path: '/api/knowledge/articles/:articleId', response: knowledgeArticleResponse, summary: 'One article', tag: 'knowledge', permission: 'callers:history', params: articleParams }, authed, async (req, res) => {
    const p = parse(articleParams, req.params, 'params');
    res.json(await kb.get(authOf(res).actor, p.articleId));
  });
  r.route({ method: 'post', path: '/api/knowledge/articles', response: knowledgeArticleResponse, summary: 'Create an article (supervisors, administrators; unit handlers for their unit)', tag: 'knowledge', body: articleBody, status: 201 }, authed, async (req, res) => {
    const b = parse(articleBody, req.body, 'body');
    res.status(201).json(await kb.create(authOf(res).actor, toInput(b)));
  });
  r.route({ method: 'put', path: '/api/knowledge/articles/:articleId', response: knowledgeArticleResponse, summary: 'Replace an article; `rev` must be the current revision', tag: 'knowledge', params: articleParams, body: articleUpdateBody, errors: [409] }, authed, async (req, res) => {
    const p = parse(articleParams, req.params, 'params');
    const { rev, ...b } = parse(articleUpdateBody, req.body, 'body');
    res.json(await kb.update(authOf(res).actor, p.articleId, toInput(b), rev));
  });
  return r;
}
