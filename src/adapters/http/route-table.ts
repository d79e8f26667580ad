/**
 * Routes are declared with their documentation: `DocumentedRouter.route(doc, handler)` registers the
 * express route and records the doc the OpenAPI document is built from, so the two cannot drift.
 */
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Permission } from '../../domain/access';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  method: Method;
  /** Express path, e.g. `/api/calls/:callId`. */
  path: string;
  summary: string;
  tag: string;
  /** No token needed. */
  public?: boolean;
  /** The permission the service checks (documentation; the service enforces it). */
  permission?: Permission;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Success status, default 200. */
  status?: number;
  /**
   * The success body's schema: the zod schema the answer is built to (output side), or a JSON
   * Schema; omitted: documented as any JSON.
   */
  response?: z.ZodType | Record<string, unknown>;
  /** The success body's media type when it is not JSON (e.g. `audio/wav`, `text/csv`). */
  contentType?: string;
  /** Other media types the success may come as (e.g. a report as `text/csv` with `?format=csv`), with their schemas. */
  alsoAs?: Record<string, Record<string, unknown>>;
  /** A longer description than the summary (default: the summary and the permission it needs). */
  description?: string;
  /** Extra error statuses beyond the common ones. */
  errors?: number[];
}

export class DocumentedRouter {
  readonly router = Router();
  readonly docs: RouteDoc[] = [];

  route(doc: RouteDoc, ...handlers: RequestHandler[]): this {
    this.docs.push(doc);
    this.router[doc.method](doc.path, ...handlers);
    return this;
  }
}
