/**
 * Authentication of REST requests: `Authorization: Bearer <access token>` → the AuthContext in
 * `res.locals.auth`. Missing, malformed, forged, expired or revoked tokens → 401. Authorisation is
 * the services' job (policy), not the middleware's.
 */
import type { RequestHandler, Response } from 'express';
import { UnauthenticatedError } from '../../shared/errors';
import type { AuthContext } from '../../app/auth/auth.service';

export interface Authenticator {
  authenticate(accessToken: string): Promise<AuthContext>;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/.exec(header.trim());
  return m?.[1] ?? null;
}

export function requireAuth(auth: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw new UnauthenticatedError('missing bearer token');
    res.locals['auth'] = await auth.authenticate(token);
    next();
  };
}

export function authOf(res: Response): AuthContext {
  const ctx = res.locals['auth'] as AuthContext | undefined;
  if (!ctx) throw new UnauthenticatedError();
  return ctx;
}
