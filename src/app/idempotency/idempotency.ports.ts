/**
 * Idempotency-Key on requests that create things: the first request with a key runs, a retry with
 * the same key and the same body gets the first answer again instead of creating a second thing.
 * Keys are per user and route (one user's key never answers another's request).
 */

export type IdempotencyStart =
  /** First time: run the request, then `complete` (or `abandon` when it failed). */
  | { readonly kind: 'new' }
  /** Done before: answer this again. */
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  /** The first request with this key is still running. */
  | { readonly kind: 'in-progress' }
  /** The key was used for a different body. */
  | { readonly kind: 'mismatch' };

export interface IdempotencyStore {
  start(scope: string, key: string, fingerprint: string, now: Date): Promise<IdempotencyStart>;
  complete(scope: string, key: string, status: number, body: unknown): Promise<void>;
  /** Forgets the key (the request failed: a retry runs again). */
  abandon(scope: string, key: string): Promise<void>;
}
