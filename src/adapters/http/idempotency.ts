/**
 * Idempotency-Key (IETF httpapi draft) for POSTs that create: a retried request with the same key
 * and body gets the first answer again (header `Idempotent-Replayed: true`) and creates nothing; the
 * same key with another body is 422, while the first is still running 409. Without the header the
 * request runs as usual. Failed requests (4xx/5xx) are forgotten, so a retry runs again.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { IdempotencyStore } from '../../app/idempotency/idempotency.ports';
import { AppError, ConflictError, ValidationError } from '../../shared/errors';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** `scope(res)`: whose key it is (the signed-in user), run after authentication. */
export function idempotent(store: IdempotencyStore, scope: (res: Parameters<RequestHandler>[1]) => string, clock: () => number): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!KEY.test(key)) throw new ValidationError('header.idempotency-key', '1 to 255 visible ASCII characters');
    const owner = `${scope(res)}|${req.method} ${req.baseUrl}${req.path}`;
    const fingerprint = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    const start = await store.start(owner, key, fingerprint, new Date(clock()));
    if (start.kind === 'replay') {
      res.set('Idempotent-Replayed', 'true').status(start.status).json(start.body);
      return;
    }
    if (start.kind === 'in-progress') throw new ConflictError('a request with this Idempotency-Key is still running; retry later');
    if (start.kind === 'mismatch') throw new AppError('VALIDATION.FIELD', 'this Idempotency-Key was used for a different request', 422, { field: 'header.idempotency-key' });
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const settle = res.statusCode < 300 ? store.complete(owner, key, res.statusCode, body) : store.abandon(owner, key);
      // The answer goes out once the key is settled, so an immediate retry sees it; a key that could
      // not be saved is dropped rather than left "in progress".
      settle
        .catch(() => store.abandon(owner, key))
        .catch(() => undefined)
        .then(() => json(body), () => json(body));
      return res;
    };
    next();
  };
}
