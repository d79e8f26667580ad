/**
 * POST /api/auth/login | refresh | logout, GET /api/auth/me.
 *
 * Login is rate-limited on failed attempts only (a 401: wrong username or password, or a disabled
 * account), in two tiers, so a call-center floor behind one NAT address is not locked out by its own
 * sign-ins or by one colleague's typos:
 *  - per (username, client address): brute force on one account is stopped after `maxFailuresPerAccount`;
 *    other accounts from the same address are not affected;
 *  - per client address, whatever the usernames: a looser `maxFailuresPerAddress` against password spraying.
 * Successful sign-ins, malformed requests and refusals by the other tier count towards neither.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { AuthService } from '../../../app/auth/auth.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { parse } from '../validate';
import { loginResponse, tokenPairResponse, userResponse } from '../response-schemas';

export const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  // bcrypt reads 72 bytes at most
  password: z.string().min(1).max(72),
});
export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(512) });
export const logoutBody = z.strictObject({ refreshToken: z.string().min(1).max(512).optional() });

export interface LoginRateLimit {
  windowMs: number;
  /** Failed logins allowed per window for one username from one client address. */
  maxFailuresPerAccount: number;
  /** Failed logins allowed per window from one client address, whatever the usernames. */
  maxFailuresPerAddress: number;
}

/** 10 failures per account and address, 100 per address, per 15 minutes. */
export const DEFAULT_LOGIN_RATE_LIMIT: Readonly<LoginRateLimit> = Object.freeze({
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 10,
  maxFailuresPerAddress: 100,
});

/** The client address as the limiter's key: IPv4 as is, IPv6 by /56 subnet (one host owns a whole subnet). */
function addressKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * Username and address. The body is parsed by express.json before the limiter runs; a body without
 * a valid username cannot sign in (400) and shares one key per address.
 */
function accountKey(req: Request): string {
  const body: unknown = req.body;
  const username = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['username'] : undefined;
  const name = typeof username === 'string' && username.length <= 64 ? username : '';
  return JSON.stringify([addressKey(req), name]);
}

/** Only a refused sign-in (401) counts; successes, bad input (400/413) and the other tier's 429 do not. */
const notAFailedLogin = (_req: Request, res: Response): boolean => res.statusCode !== 401;

function loginLimiter(name: string, windowMs: number, limit: number, keyGenerator: (req: Request) => string): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    keyGenerator,
    skipSuccessfulRequests: true,
    requestWasSuccessful: notAFailedLogin,
    // Named policies: both tiers appear in the RateLimit / RateLimit-Policy headers.
    standardHeaders: 'draft-8',
    identifier: name,
    legacyHeaders: false,
    requestPropertyName: `rateLimit:${name}`,
    handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', 'too many failed login attempts, try again later', 429, { policy: name })),
  });
}

export function authRouter(auth: AuthService, limit: LoginRateLimit): DocumentedRouter {
  const r = new DocumentedRouter();
  // Per account first: a locked account is refused before it can use up its address's allowance.
  const perAccount = loginLimiter('login-account', limit.windowMs, limit.maxFailuresPerAccount, accountKey);
  const perAddress = loginLimiter('login-address', limit.windowMs, limit.maxFailuresPerAddress, addressKey);
  const authed = requireAuth(auth);

  r.route(
    { method: 'post', path: '/api/auth/login', response: loginResponse, summary: 'Sign in: access token (JWT) and refresh token', tag: 'auth', public: true, body: loginBody, errors: [429] },
    perAccount,
    perAddress,
    async (req, res) => {
      const b = parse(loginBody, req.body, 'body');
      res.json(await auth.login(b.username, b.password));
    },
  );
  r.route(
    { method: 'post', path: '/api/auth/refresh', response: tokenPairResponse, summary: 'New token pair for a refresh token (rotation; reuse revokes the family)', tag: 'auth', public: true, body: refreshBody },
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
  r.route({ method: 'get', path: '/api/auth/me', response: userResponse, summary: 'The signed-in user', tag: 'auth' }, authed, async (_req, res) => {
    res.json(await auth.me(authOf(res)));
  });
  return r;
}
