/**
 * Access tokens: compact JWS (JWT) signed with HMAC-SHA256, on node:crypto.
 *
 * Verification is strict: the header must say exactly `alg: HS256` (no `none`, no other algorithm,
 * so no key confusion), the signature is compared in constant time, and issuer, audience, expiry and
 * the claim types are checked with no clock tolerance. (jose is ESM-only and cannot be loaded by the
 * CommonJS test runner; this covers the one algorithm we use.)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../../shared/errors';
import { isRole } from '../../domain/access';
import type { AccessClaims, TokenSigner } from '../../app/auth/auth.ports';

export interface Hs256SignerOptions {
  secret: string;
  issuer?: string;
  audience?: string;
  /** The clock expiry is checked against (tests). */
  now?: () => number;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

function decodeJson(part: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    // Not JSON: the caller treats null as an invalid token.
    return null;
  }
}

export class Hs256TokenSigner implements TokenSigner {
  private readonly secret: Buffer;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly now: () => number;

  constructor(opts: Hs256SignerOptions) {
    if (opts.secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.secret = Buffer.from(opts.secret, 'utf8');
    this.issuer = opts.issuer ?? 'hotline12345';
    this.audience = opts.audience ?? 'hotline12345-api';
    this.now = opts.now ?? Date.now;
  }

  async sign(claims: Omit<AccessClaims, 'expMs'>, ttlSec: number): Promise<string> {
    const iat = Math.floor(claims.iatMs / 1000);
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64(
      JSON.stringify({
        iss: this.issuer,
        aud: this.audience,
        sub: claims.sub,
        jti: claims.jti,
        role: claims.role,
        iat,
        iatMs: claims.iatMs,
        exp: iat + ttlSec,
      }),
    );
    return `${header}.${payload}.${this.mac(`${header}.${payload}`)}`;
  }

  async verify(token: string): Promise<AccessClaims> {
    const parts = token.length <= 4096 ? token.split('.') : [];
    if (parts.length !== 3) throw new UnauthenticatedError('invalid token');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h);
    if (!header || header['alg'] !== 'HS256' || (header['typ'] !== undefined && header['typ'] !== 'JWT') || 'crit' in header) {
      throw new UnauthenticatedError('invalid token');
    }
    const expected = Buffer.from(this.mac(`${h}.${p}`));
    const given = Buffer.from(s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthenticatedError('invalid token');
    const c = decodeJson(p);
    if (!c) throw new UnauthenticatedError('invalid token');
    const { sub, jti, role, exp, iatMs, iss, aud } = c;
    if (iss !== this.issuer || aud !== this.audience) throw new UnauthenticatedError('invalid token');
    if (typeof sub !== 'string' || typeof jti !== 'string' || !isRole(role) || typeof exp !== 'number' || typeof iatMs !== 'number') {
      throw new UnauthenticatedError('invalid token');
    }
    if (exp * 1000 <= this.now()) throw new UnauthenticatedError('token expired');
    return { sub, jti, role, iatMs, expMs: exp * 1000 };
  }

  private mac(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }
}
