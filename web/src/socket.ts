/**
 * The live connection: Socket.IO to this origin, authenticated with the session's current access
 * token on every (re)connection, and kept past the token's lifetime by presenting each renewed token
 * in band (`session:refresh`). A server-side disconnect (expired or revoked session) is followed by a
 * token refresh and a new connection; transport drops reconnect by themselves. `onConnect` listeners
 * resync what they show (state, snapshot) after every connection, without a page reload.
 */
import { io, type Socket } from 'socket.io-client';
import { accessToken, onToken, refresh } from './api';
import { errorText } from './texts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';
type AckResult = { ok: true; data?: unknown } | { ok: false; code: string; field?: string; message: string };

export class Live {
  readonly socket: Socket;
  private state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly offToken: () => void;

  constructor() {
    this.socket = io({
      transports: ['websocket'],
      // Connected by start(), once the page's listeners are on (none of the first events is missed).
      autoConnect: false,
      auth: (cb) => cb({ token: accessToken() ?? '' }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.socket.on('connect', () => this.set('connected'));
    this.socket.on('disconnect', (reason) => {
      this.set('reconnecting');
      // The server cut the session (expired token): renew it, then connect again.
      if (reason === 'io server disconnect') void refresh().then(() => this.socket.connect(), () => undefined);
    });
    this.socket.on('connect_error', () => {
      this.set('reconnecting');
      // Refused handshake (token expired while away): renew and let the manager retry.
      if (!this.socket.active) void refresh().then(() => this.socket.connect(), () => undefined);
    });
    this.offToken = onToken((token) => {
      if (this.socket.connected) this.socket.emit('session:refresh', { token });
    });
  }

  /** Connects, or (an early connection taken over) tells the page's `connect` listeners it is up. */
  start(): void {
    if (this.socket.connected) {
      this.set('connected');
      this.socket.listeners('connect').forEach((l) => (l as () => void)());
    } else if (!this.socket.active) this.socket.connect();
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Told the current state at once (an early connection may be up before the page listens), then each change. */
  onState(l: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(l);
    l(this.state);
    return () => this.stateListeners.delete(l);
  }

  /** An acknowledged client event; rejects with the Chinese message of the server's error code. */
  request<T = unknown>(event: string, payload: unknown = {}): Promise<T> {
    if (!this.socket.connected) return Promise.reject(new Error(errorText('DISCONNECTED')));
    return new Promise((resolve, reject) => {
      this.socket.timeout(8000).emit(event, payload, (err: Error | null, res: AckResult) => {
        if (err) reject(new Error(errorText('TIMEOUT')));
        else if (res.ok) resolve(res.data as T);
        else reject(new Error(errorText(res.code, res.field)));
      });
    });
  }

  closed = false;

  close(): void {
    this.closed = true;
    this.offToken();
    this.socket.disconnect();
  }

  private set(s: ConnectionState): void {
    if (s === this.state) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }
}

/**
 * The connection opened as soon as the login answers, while the console's code is still loading and
 * rendering: the page takes it over (`takeLive`) with its handshake done or under way, instead of
 * starting it after its first render.
 */
let early: Live | null = null;
/** The connection a page holds: while it is open, no early one is made (the page came first). */
let held: Live | null = null;

export function connectEarly(): void {
  if (held && !held.closed) return;
  early?.close();
  early = new Live();
  early.start();
}

export function takeLive(): Live {
  held = early ?? new Live();
  early = null;
  return held;
}
