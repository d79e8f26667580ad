/**
 * Search tokens for Chinese and mixed text without a full-text index (docs/database.md):
 * runs of CJK characters become character bigrams (a single character stays itself), runs of
 * letters and digits become lower-case words, and each keyword is also kept whole (`k:` prefix).
 * Articles store their tokens in an indexed array; a query matches on any shared token and is
 * ranked by how many of the query's tokens the article has.
 */
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

export function textTokens(text: string): string[] {
  const out = new Set<string>();
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const m of normalized.matchAll(CJK)) {
    const chars = [...m[0]];
    if (chars.length === 1) out.add(chars[0] as string);
    for (let i = 0; i + 1 < chars.length; i += 1) out.add(`${chars[i]}${chars[i + 1]}`);
  }
  for (const m of normalized.replace(CJK, ' ').matchAll(WORD)) out.add(m[0]);
  return [...out];
}

export function keywordToken(keyword: string): string {
  return `k:${keyword.normalize('NFKC').trim().toLowerCase()}`;
}

/** Tokens stored for an article: title, body, category and keywords. */
export function articleTokens(a: { title: string; body: string; category: string; keywords: readonly string[] }): string[] {
  const out = new Set<string>([...textTokens(a.title), ...textTokens(a.body), ...textTokens(a.category)]);
  for (const k of a.keywords) {
    out.add(keywordToken(k));
    for (const t of textTokens(k)) out.add(t);
  }
  return [...out];
}

/** Tokens of a query: its text tokens plus the whole query as a keyword. */
export function queryTokens(q: string): string[] {
  const t = textTokens(q);
  const whole = q.trim();
  return whole === '' ? t : [...new Set([...t, keywordToken(whole)])];
}

/**
 * Share of the query's text tokens the article has (0…1), plus 1 when the query is one of its
 * keywords, 0.5 when one of its keywords occurs in the query (a question in everyday words such
 * as 社保卡丢了怎么补办 has many bigrams no article has), and 0.5 when the title contains the query.
 */
export function scoreArticle(
  query: string, qTokens: readonly string[], articleTokenSet: ReadonlySet<string>, article: { title: string; keywords: readonly string[] },
): number {
  const q = query.normalize('NFKC').trim().toLowerCase();
  const text = qTokens.filter((t) => !t.startsWith('k:'));
  const hits = text.filter((t) => articleTokenSet.has(t)).length;
  const base = text.length === 0 ? 0 : hits / text.length;
  const keyword = articleTokenSet.has(keywordToken(query)) ? 1 : 0;
  const inQuery = article.keywords.some((k) => [...k].length >= 2 && q.includes(k.normalize('NFKC').trim().toLowerCase())) ? 0.5 : 0;
  const inTitle = q !== '' && article.title.toLowerCase().includes(q) ? 0.5 : 0;
  return base + keyword + inQuery + inTitle;
}
