/**
 * Request validation with zod: the first problem becomes a 400 `{code: 'VALIDATION.FIELD', field,
 * message}` naming the field (`body.role`, `query.pageSize`, …). Objects are strict: an unknown
 * field is an error naming it.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../shared/errors';

export type Where = 'body' | 'query' | 'params';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  const res = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  if (!issue) throw new ValidationError(where, 'invalid');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new ValidationError([where, ...path, key].join('.'), `unknown field ${key}`);
  }
  const field = [where, ...path].join('.');
  if (issue.code === 'invalid_type' && value !== null && typeof value === 'object' && path.length > 0 && getPath(value, path) === undefined) {
    throw new ValidationError(field, 'required');
  }
  throw new ValidationError(field, issue.message);
}

function getPath(value: unknown, path: string[]): unknown {
  let cur: unknown = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

// ---- shared field schemas ----

/** ISO 8601 date-time or epoch milliseconds → ms. */
export const instant = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const n = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time or epoch milliseconds' });
      return z.NEVER;
    }
    return n;
  });

export const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');
export const phone = z.string().min(1).max(32).regex(/^[0-9+*#-]+$/, 'digits, + * # - only');
export const page = z.coerce.number().int().min(1).max(100_000).default(1);
export const pageSize = z.coerce.number().int().min(1).max(200).default(50);
export const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The one byte range a download serves for the request's `Range` header: null for the whole file (no
 * header, several ranges, or one that cannot be read, which RFC 9110 lets a server ignore),
 * 'unsatisfiable' (416) for a range past the end.
 */
export function singleRange(req: Request, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!req.headers.range) return null;
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges === undefined || ranges.type !== 'bytes' || ranges.length !== 1) return null;
  const [first] = ranges;
  return first ? { start: first.start, end: first.end } : null;
}
