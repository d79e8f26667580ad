/** POST /api/auth/login | refresh | logout, GET /api/auth/me. Login is rate-limited per client address. */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { AuthService } from '../../../app/auth/auth.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { parse } from '../validate';

export const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  // bcrypt reads 72 bytes at most
  password: z.string().min(1).max(72),
});
export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(512) });
export const logoutBody = z.strictObject({ refreshToken: z.string().min(1).max(512).optional() });

export interface LoginRateLimit {
  windowMs: number;
  /** Failed attempts allowed per window and client address. */
  max: number;
}

export function authRouter(auth: AuthService, limit: LoginRateLimit): DocumentedRouter {
  const r = new DocumentedRouter();
  const limiter: RequestHandler = rateLimit({
    windowMs: limit.windowMs,
    limit: limit.max,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', 'too many login attempts, try again later', 429)),
  });
  const authed = requireAuth(auth);

  r.route(
    { method: 'post', path: '/api/auth/login', summary: 'Sign in: access token (JWT) and refresh token', tag: 'auth', public: true, body: loginBody, errors: [429] },
    limiter,
    async (req, res) => {
      const b = parse(loginBody, req.body, 'body');
      res.json(await auth.login(b.username, b.password));
    },
  );
  r.route(
    { method: 'post', path: '/api/auth/refresh', summary: 'New token pair for a refresh token (rotation; reuse revokes the family)', tag: 'auth', public: true, body: refreshBody },
    async (req, res) => {
      const b = parse(refreshBody, req.body, 'body');
      res.json(await auth.refresh(b.refreshToken));
    },
  );
  r.route(
    { method: 'post', path: '/api/auth/logout', summary: 'Revoke this access token and the refresh token family', tag: 'auth', body: logoutBody, status: 204 },
    authed,
    async (req, res) => {
      const b = parse(logoutBody, req.body ?? {}, 'body');
      await auth.logout(authOf(res), b.refreshToken);
      res.status(204).end();
    },
  );
  r.route({ method: 'get', path: '/api/auth/me', summary: 'The signed-in user', tag: 'auth' }, authed, async (_req, res) => {
    res.json(await auth.me(authOf(res)));
  });
  return r;
}
