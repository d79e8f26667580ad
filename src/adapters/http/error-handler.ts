/**
 * The one place that maps errors to HTTP responses, as RFC 9457 problem details (problem.ts):
 * AppError → its status and code; body-parser errors (malformed JSON, too large) → 400/413;
 * anything else → 500 without a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { sendProblem } from './problem';

export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    sendProblem(req, res, 404, 'NOT_FOUND', 'no such route');
  };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) {
      sendProblem(req, res, err.httpStatus, err.code, err.message, err.details);
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      sendProblem(req, res, 400, 'VALIDATION.FIELD', 'malformed JSON body', { field: 'body' });
      return;
    }
    if (e?.type === 'entity.too.large') {
      sendProblem(req, res, 413, 'VALIDATION.FIELD', 'request body too large', { field: 'body' });
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      sendProblem(req, res, e.status, 'VALIDATION.FIELD', e.message ?? 'bad request', { field: 'body' });
      return;
    }
    log.error('unhandled request error', { method: req.method, path: req.path, err });
    sendProblem(req, res, 500, 'INTERNAL', 'internal error');
  };
}
