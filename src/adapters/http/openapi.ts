/**
 * The OpenAPI 3.1 document, built from the route docs the routers register (request schemas come
 * from the same zod schemas that validate requests), plus the operational routes mounted elsewhere
 * (health, metrics). Served at GET /openapi.json.
 */
import { z } from 'zod';
import type { RouteDoc } from './route-table';
import { healthResponse, readyResponse } from './response-schemas';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `field` names the first bad field',
  401: 'Missing, invalid, expired or revoked token',
  403: 'The role may not do this',
  404: 'Not found, or not yours',
  409: 'Conflicts with the current state',
  410: 'Gone',
  413: 'Request body too large',
  416: 'Range not satisfiable',
  429: 'Too many requests',
  503: 'A dependency (Asterisk, the database) is unavailable',
};

function jsonSchema(schema: z.ZodType | undefined, io: 'input' | 'output' = 'input'): Json | null {
  if (!schema) return null;
  try {
    const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
    delete s['$schema'];
    return s;
  } catch {
    // A schema zod cannot express: document the location without a schema rather than fail to start.
    return {};
  }
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  const s = jsonSchema(schema);
  const props = (s?.['properties'] ?? {}) as Record<string, Json>;
  const required = new Set((s?.['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' ? true : required.has(name) && !('default' in p),
    schema: p,
  }));
}

export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** RFC 9457 problem details, as problem.ts writes them. */
const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; the error code is kept in `code`, the first bad field of a 400 in `field`.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:hotline12345:problem:<code in lower case>' },
    title: { type: 'string', description: 'The HTTP status phrase' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    code: { type: 'string', enum: ['VALIDATION.FIELD', 'AUTH.UNAUTHENTICATED', 'AUTH.FORBIDDEN', 'NOT_FOUND', 'CONFLICT.STATE', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'] },
    field: { type: 'string', description: 'The first bad field (`body.role`, `query.pageSize`, `header.idempotency-key`, …)' },
  },
};

function operation(doc: RouteDoc): Json {
  const status = doc.status ?? 200;
  const errors = new Set<number>([400, 413, ...(doc.public ? [] : [401, 403, 404]), ...(doc.errors ?? [])]);
  if (doc.public) errors.add(401);
  const responseSchema = doc.response instanceof z.ZodType ? jsonSchema(doc.response, 'output') : (doc.response ?? {});
  const responses: Json = {
    [String(status)]:
      status === 204
        ? { description: 'Done' }
        : {
          description: 'OK',
          content: {
            [doc.contentType ?? 'application/json']: { schema: responseSchema },
            ...Object.fromEntries(Object.entries(doc.alsoAs ?? {}).map(([type, schema]) => [type, { schema }])),
          },
        },
  };
  for (const e of [...errors].sort()) {
    responses[String(e)] = { description: ERROR_TEXT[e] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  }
  const body = jsonSchema(doc.body);
  return {
    operationId: `${doc.method}${openApiPath(doc.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: doc.summary,
    description: doc.description ?? (doc.public ? `${doc.summary}. No token needed.` : `${doc.summary}. Needs a role with \`${doc.permission ?? 'any'}\`.`),
    tags: [doc.tag],
    security: doc.public ? [] : [{ bearer: [] }],
    ...(doc.permission ? { 'x-permission': doc.permission } : {}),
    parameters: [...parameters(doc.params, 'path'), ...parameters(doc.query, 'query')],
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses,
  };
}

const OPERATIONAL: RouteDoc[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness', tag: 'operations', public: true, response: healthResponse },
  { method: 'get', path: '/readyz', summary: 'Readiness (503 naming the failing dependency)', tag: 'operations', public: true, errors: [503], response: readyResponse },
  {
    method: 'get', path: '/metrics', summary: 'Prometheus metrics (administrator token or the scrape token)', tag: 'operations', permission: 'metrics:read',
    contentType: 'text/plain; version=0.0.4', response: { type: 'string', description: 'Prometheus text exposition format' },
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'operations', public: true, response: { type: 'object', required: ['openapi', 'paths'] } },
];

/** What each tag (area) of the API covers. */
const TAG_TEXT: Record<string, string> = {
  auth: 'Login, token refresh, logout, the current user',
  users: 'User accounts and roles (administrators)',
  agents: 'Agents with their live state, agent state actions',
  'agent directory': 'The agent directory provisioned into Asterisk live (administrators)',
  dashboard: 'The manager dashboard: snapshot and deltas',
  queues: 'Queues and call-path settings',
  calls: 'Call records, timelines, caller history, ratings, KPIs, recordings',
  callbacks: 'Callback requests left by callers on overflow: assign, place, close',
  callers: 'Confidential callers (保密): mark without a work order, list masked, audit, withdraw',
  operations: 'Health, readiness, metrics, this document',
};

export function buildOpenApiDocument(docs: readonly RouteDoc[], version = '0.1.0'): Json {
  const paths: Record<string, Json> = {};
  const tags = [...new Set([...docs, ...OPERATIONAL].map((d) => d.tag))].sort();
  for (const d of [...docs, ...OPERATIONAL]) {
    const p = openApiPath(d.path);
    paths[p] = { ...(paths[p] ?? {}), [d.method]: operation(d) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '12345 hotline contact-center API',
      version,
      contact: { name: 'hotline12345 maintainers' },
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'REST API of the 12345 hotline backend. Every route except login, refresh, health and this document needs `Authorization: Bearer <access token>`. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`) with the error code in `code`: 400 names the field in `field`, 401 unauthenticated, 403 role not allowed, 404 not found or not yours. ' +
        'Live events (agent console, manager dashboard) are on Socket.IO at the same origin.',
    },
    // Relative: the API is served by the same origin as this document.
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: tags.map((name) => ({ name, description: TAG_TEXT[name] ?? `${name} routes` })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
