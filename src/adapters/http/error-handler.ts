/**
 * The one place that maps errors to HTTP responses: AppError → its status and code; body-parser
 * errors (malformed JSON, too large) → 400/413; anything else → 500 without a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';

export function notFoundHandler(): RequestHandler {
  return (_req, res) => {
    res.status(404).json({ code: 'NOT_FOUND', message: 'no such route' });
  };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) {
      res.status(err.httpStatus).json({ code: err.code, message: err.message, ...err.details });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ code: 'VALIDATION.FIELD', field: 'body', message: 'malformed JSON body' });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ code: 'VALIDATION.FIELD', field: 'body', message: 'request body too large' });
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ code: 'VALIDATION.FIELD', field: 'body', message: e.message ?? 'bad request' });
      return;
    }
    log.error('unhandled request error', { method: req.method, path: req.path, err });
    res.status(500).json({ code: 'INTERNAL', message: 'internal error' });
  };
}
