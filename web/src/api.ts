/**
 * REST calls with the session's tokens. The JWT pair lives in memory only (never in storage): a
 * reload signs out. The access token is renewed silently a minute before it expires (rotating
 * refresh token), and whoever listens (the socket) is told so it can present the new one in band.
 */
import { errorText } from './texts';

export type Role = 'agent' | 'supervisor' | 'admin' | 'unit_handler';

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  displayName: string;
  agentId: string | null;
  /** A unit handler's unit (承办单位). */
  unitId?: string | null;
}

interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  user: SessionUser;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | undefined,
    message: string,
    /** The work-order state machine's refusal (`WORK_ORDER.EXTENSION_TOO_LATE`, …) of a 409. */
    readonly reasonCode?: string,
  ) {
    super(message);
  }
}

let session: Session | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<void> | null = null;
const tokenListeners = new Set<(token: string) => void>();
const signOutListeners = new Set<() => void>();

export const currentUser = (): SessionUser | null => session?.user ?? null;
export const accessToken = (): string | null => session?.accessToken ?? null;

export function onToken(l: (token: string) => void): () => void {
  tokenListeners.add(l);
  return () => tokenListeners.delete(l);
}

export function onSignedOut(l: () => void): () => void {
  signOutListeners.add(l);
  return () => signOutListeners.delete(l);
}

function raw<T>(method: string, path: string, body?: unknown, token?: string | null): Promise<T> {
  return send<T>(path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** One request; its body, or its problem as an ApiError (status 0: the network failed). */
async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', undefined, errorText('NETWORK'));
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { code?: string; field?: string; reasonCode?: string };
  if (!res.ok) {
    const code = data.code ?? `HTTP_${res.status}`;
    throw new ApiError(res.status, code, data.field, errorText(code, data.field), data.reasonCode);
  }
  return data as T;
}

function schedule(expiresInSec: number): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  // A minute before expiry, or at 80 % of a short lifetime.
  const ms = Math.max(1000, Math.min(expiresInSec * 1000 - 60_000, expiresInSec * 800));
  refreshTimer = setTimeout(() => void refresh().catch(() => undefined), ms);
}

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export async function login(username: string, password: string): Promise<SessionUser> {
  const r = await raw<Pair & { user: SessionUser }>('POST', '/api/auth/login', { username, password });
  session = { accessToken: r.accessToken, refreshToken: r.refreshToken, expiresAt: Date.now() + r.expiresIn * 1000, user: r.user };
  schedule(r.expiresIn);
  return r.user;
}

export function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const s = session;
    if (!s) throw new ApiError(401, 'AUTH.UNAUTHENTICATED', undefined, errorText('AUTH.UNAUTHENTICATED'));
    try {
      const r = await raw<Pair>('POST', '/api/auth/refresh', { refreshToken: s.refreshToken });
      session = { ...s, accessToken: r.accessToken, refreshToken: r.refreshToken, expiresAt: Date.now() + r.expiresIn * 1000 };
      schedule(r.expiresIn);
      for (const l of tokenListeners) l(r.accessToken);
    } catch (err) {
      // A network error keeps the session (retried shortly); a refused refresh token ends it.
      if (err instanceof ApiError && err.status === 0) {
        refreshTimer = setTimeout(() => void refresh().catch(() => undefined), 5000);
      } else {
        signOut();
      }
      throw err;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export function signOut(): void {
  const s = session;
  session = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  if (s) void raw('POST', '/api/auth/logout', { refreshToken: s.refreshToken }, s.accessToken).catch(() => undefined);
  for (const l of signOutListeners) l();
}

/** `call` with the session's access token; a 401 is retried once after a refresh. */
async function withSession<T>(call: (token: string | null) => Promise<T>): Promise<T> {
  try {
    return await call(accessToken());
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || !session) throw err;
    await refresh();
    return call(accessToken());
  }
}

/** An authenticated request; a 401 is retried once after a refresh. */
export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return withSession((token) => raw<T>(method, path, body, token));
}

/** A multipart upload of one file (the part named `file`), authenticated as `api`. */
export function upload<T>(path: string, file: Blob, name: string): Promise<T> {
  return withSession((token) => {
    const form = new FormData();
    form.append('file', file, name);
    return send<T>(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  });
}
