/**
 * The Socket.IO server: JWT authentication on the handshake, rooms per agent / group / call /
 * dashboard / handling unit / work-order staff, zod-validated client events (a bad payload gets an `error` event naming the field and
 * the connection stays up), token expiry enforced on open connections, and the Redis adapter when a
 * Redis URL is configured, so an event emitted on one instance reaches clients on every instance.
 * Ended sessions (`endSessions`) disconnect their sockets on every instance, and every action but
 * leaving a room authenticates the socket's token again, so it runs with the user's current role
 * and fails once the session was revoked, even if the disconnect never arrived.
 */
import { BackgroundTasks, type Background } from '../../shared/background';
import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import { socketPayloads as schemas } from './socket-schemas';
import { AppError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { requirePermission, type Actor } from '../../domain/access';
import type { AuthContext, SessionsEnded } from '../../app/auth/auth.service';
import type { AgentConsoleService } from '../../app/live/agent-console.service';
import type { DashboardService } from '../../app/live/dashboard.service';
import type { AgentAction } from '../../app/live/live.ports';
import type { DashboardSnapshot } from '../../app/live/dashboard.types';
import type { HotlineIo, SocketProjector } from './projector';
import { rooms } from './rooms';
import type { Ack, ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData, SocketErrorPayload } from './socket.events';

type HotlineSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  auth: { authenticate(token: string): Promise<AuthContext> };
  agentConsole: AgentConsoleService;
  /** Shared with the agent console service (its publisher); bound to this server here. */
  projector: SocketProjector;
  /** Null on instances that do not run the dashboard projection: snapshots are then asked of the others. */
  dashboard: DashboardService | null;
  log: Logger;
  clock?: () => number;
  /** Where handshakes and client events run; default one of its own on `log`. */
  background?: Background;
}

export interface RealtimeOptions {
  /** Redis for the multi-instance adapter; null = single instance. */
  redisUrl: string | null;
  /** Allowed browser origins (CORS); none by default. */
  corsOrigins?: string[];
  /** Largest accepted client message. */
  maxPayloadBytes?: number;
  /** How long to wait for another instance's dashboard snapshot. */
  snapshotTimeoutMs?: number;
}


function parsePayload<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw new ValidationError(['payload', ...issue.path.map(String), issue.keys[0] ?? ''].join('.'), `unknown field ${issue.keys[0] ?? ''}`);
  throw new ValidationError(['payload', ...(issue?.path.map(String) ?? [])].join('.'), issue?.message ?? 'invalid payload');
}

function errorPayload(event: string, err: unknown): SocketErrorPayload {
  if (err instanceof AppError) {
    const field = typeof err.details['field'] === 'string' ? err.details['field'] : undefined;
    return { event, code: err.code, message: err.message, ...(field ? { field } : {}) };
  }
  return { event, code: 'INTERNAL', message: 'internal error' };
}

function handshakeToken(socket: HotlineSocket): string | null {
  const fromAuth = (socket.handshake.auth as Record<string, unknown> | undefined)?.['token'];
  if (typeof fromAuth === 'string' && fromAuth.length > 0 && fromAuth.length < 4096) return fromAuth;
  const header = socket.handshake.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
  return m?.[1] ?? null;
}

export class RealtimeServer {
  readonly io: HotlineIo;
  private redis: { pub: ReturnType<typeof createClient>; sub: ReturnType<typeof createClient> } | null = null;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly clock: () => number;
  private readonly background: Background;

  constructor(
    httpServer: http.Server,
    private readonly deps: RealtimeDeps,
    private readonly opts: RealtimeOptions,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.background = deps.background ?? new BackgroundTasks(deps.log);
    this.io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
      maxHttpBufferSize: opts.maxPayloadBytes ?? 64 * 1024,
      cors: opts.corsOrigins && opts.corsOrigins.length > 0 ? { origin: opts.corsOrigins } : { origin: false },
      serveClient: false,
    });
    deps.projector.bind(this.io);
    this.io.use((socket, next) => {
      this.background.run('socket.handshake', () => this.authenticate(socket).then(
        () => next(),
        (err: unknown) => {
          const e = new Error(err instanceof AppError ? err.message : 'unauthorized') as Error & { data?: unknown };
          e.data = { code: 'AUTH.UNAUTHENTICATED' };
          next(e);
        },
      ));
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
    this.io.on('dashboard:snapshot_request', (reply) => {
      reply(this.deps.dashboard ? this.deps.dashboard.snapshot(SYSTEM_MANAGER) : null);
    });
  }

  /** Whether the Redis adapter joins this instance to the others. */
  clustered(): boolean {
    return this.redis !== null;
  }

  async start(): Promise<void> {
    if (!this.opts.redisUrl) return;
    const pub = createClient({ url: this.opts.redisUrl });
    const sub = pub.duplicate();
    pub.on('error', (err: unknown) => this.deps.log.error('redis publisher error', { err: String(err) }));
    sub.on('error', (err: unknown) => this.deps.log.error('redis subscriber error', { err: String(err) }));
    await Promise.all([pub.connect(), sub.connect()]);
    this.redis = { pub, sub };
    this.io.adapter(createAdapter(pub, sub));
    this.deps.log.info('socket.io redis adapter on', { redisUrl: this.opts.redisUrl });
  }

  async stop(): Promise<void> {
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.expiryTimers.clear();
    this.deps.projector.unbind();
    await new Promise<void>((resolve, reject) => {
      // Also closes the HTTP server it is attached to (if still open).
      this.io.close(() => resolve()).catch(reject);
    });
    if (this.redis) {
      const { pub, sub } = this.redis;
      this.redis = null;
      await Promise.allSettled([pub.quit(), sub.quit()]);
    }
  }

  /** Disconnects every socket of a user on every instance (after logout or when sessions are revoked). */
  disconnectUser(userId: string): void {
    this.disconnectRooms([rooms.user(userId)], 'revoked');
  }

  /** Disconnects, on every instance, the sockets of the sessions that just ended. */
  endSessions(e: SessionsEnded): void {
    if (e.kind === 'user') {
      this.disconnectRooms([rooms.user(e.userId)], e.reason);
      return;
    }
    const covered = [...(e.familyId ? [rooms.session(e.familyId)] : []), ...(e.jti ? [rooms.token(e.jti)] : [])];
    if (covered.length > 0) this.disconnectRooms(covered, e.reason);
  }

  private disconnectRooms(names: string[], reason: 'logout' | 'reuse' | 'revoked'): void {
    this.io.to(names).emit('session:revoked', { at: this.clock(), reason });
    this.io.in(names).disconnectSockets(true);
  }

  private async authenticate(socket: HotlineSocket): Promise<void> {
    const token = handshakeToken(socket);
    if (!token) throw new UnauthenticatedError('missing token');
    const ctx = await this.deps.auth.authenticate(token);
    socket.data = { actor: ctx.actor, jti: ctx.jti, expMs: ctx.expMs, familyId: ctx.familyId, token };
  }

  /**
   * The socket's actor as of now: its token is authenticated again (role and ids from the stored user,
   * revocations honoured); throws UnauthenticatedError once the session is over.
   */
  private async currentActor(socket: HotlineSocket): Promise<Actor> {
    const ctx = await this.deps.auth.authenticate(socket.data.token);
    socket.data.actor = ctx.actor;
    return ctx.actor;
  }

  private onConnection(socket: HotlineSocket): void {
    const { actor: connectedAs } = socket.data;
    const log = this.deps.log.child({ socketId: socket.id, userId: connectedAs.userId, role: connectedAs.role });
    const actor = connectedAs;
    // Rooms of the identity the socket connected with; a change of role or ids ends the session.
    const joined = [
      rooms.user(actor.userId),
      rooms.token(socket.data.jti),
      ...(socket.data.familyId ? [rooms.session(socket.data.familyId)] : []),
      ...(actor.agentId ? [rooms.agent(actor.agentId)] : []),
      ...(actor.groupId ? [rooms.group(actor.groupId)] : []),
      // A unit handler hears their unit's work-order notices without asking.
      ...(actor.role === 'unit_handler' && actor.unitId ? [rooms.unit(actor.unitId)] : []),
    ];
    this.background.run('socket.join', () => socket.join(joined), { socketId: socket.id });
    this.armExpiry(socket);
    socket.on('disconnect', () => {
      const t = this.expiryTimers.get(socket.id);
      if (t) clearTimeout(t);
      this.expiryTimers.delete(socket.id);
    });

    // A reconnecting console learns its current state at once.
    if (actor.role === 'agent' && actor.agentId) {
      socket.emit('agent:state', this.deps.agentConsole.currentState(actor, actor.agentId));
      // A console opened during a call (a reload, another tab) shows the call and its controls.
      const onCall = this.deps.agentConsole.currentCall(actor);
      if (onCall) socket.emit('call:control', onCall);
    }

    const known = new Set<string>();
    /**
     * A client event: payload validated, then handled with the actor as of now (`fresh`: the token is
     * authenticated again first; only leaving a room skips that).
     */
    const on = <S extends z.ZodType>(
      event: keyof ClientToServerEvents,
      schema: S,
      handle: (p: z.output<S>, actor: Actor) => Promise<unknown> | unknown,
      fresh = true,
    ) => {
      known.add(event);
      (socket.on as (ev: string, l: (...args: unknown[]) => void) => void)(event, (raw?: unknown, maybeAck?: unknown) => {
        const ack = (typeof maybeAck === 'function' ? maybeAck : typeof raw === 'function' ? raw : undefined) as Ack | undefined;
        const payload = typeof raw === 'function' ? undefined : raw;
        const run = async () => {
          // Only the socket's own session failing its check ends the connection: a token the client
          // presents (session:refresh) that is forged or revoked is refused, and the session goes on.
          let ownSessionFailed = false;
          try {
            if (this.clock() >= socket.data.expMs) {
              this.expire(socket);
              return;
            }
            const parsed = parsePayload(schema, payload);
            const current = fresh
              ? await this.currentActor(socket).catch((err: unknown) => {
                  ownSessionFailed = true;
                  throw err;
                })
              : socket.data.actor;
            const data = await handle(parsed, current);
            ack?.({ ok: true, ...(data !== undefined ? { data } : {}) });
          } catch (err) {
            const e = errorPayload(event, err);
            if (e.code === 'INTERNAL') log.error('socket event failed', { event, err: String(err) });
            if (socket.connected) socket.emit('error', e);
            const { event: _event, ...rest } = e;
            ack?.({ ok: false, ...rest });
            // The session is over (revoked, disabled, expired): the connection ends after the answer.
            if (err instanceof UnauthenticatedError && ownSessionFailed) {
              socket.emit('session:revoked', { at: this.clock(), reason: 'revoked' });
              socket.disconnect(true);
            }
          }
        };
        this.background.run('socket.event', run, { event, socketId: socket.id });
      });
    };

    const act = (action: AgentAction) => (p: { agentId?: string; reason?: string } | null | undefined, current: Actor) => {
      const agentId = p?.agentId ?? current.agentId;
      if (!agentId) throw new ValidationError('payload.agentId', 'agentId is required for users without an agent id');
      return this.deps.agentConsole.act(current, agentId, action, p?.reason ?? null);
    };
    on('agent:login', schemas.agent, act('login'));
    on('agent:logout', schemas.agent, act('logout'));
    on('agent:ready', schemas.agent, act('ready'));
    on('agent:not_ready', schemas.notReady, act('not_ready'));
    on('agent:wrap_up_done', schemas.agent, act('wrap_up_done'));
    on('agent:state_request', schemas.agent, (p, current) => {
      const agentId = p?.agentId ?? current.agentId;
      if (!agentId) throw new ValidationError('payload.agentId', 'agentId is required for users without an agent id');
      const state = this.deps.agentConsole.currentState(current, agentId);
      socket.emit('agent:state', state);
      // Only one's own call (a supervisor asking for an agent's state gets no caller here).
      const onCall = agentId === current.agentId ? this.deps.agentConsole.currentCall(current) : null;
      if (onCall) socket.emit('call:control', onCall);
      return state;
    });

    // In-band token refresh: a console presents a fresh access token of the same user on the live
    // socket before the old one expires, so it is not cut off (and misses no screen pop) every
    // access-token lifetime. A token of another user, role or agent is refused and changes nothing.
    // Not `fresh`: the new token is authenticated here (the old one may be about to expire).
    on('session:refresh', schemas.refresh, async (p, actor) => {
      const ctx = await this.deps.auth.authenticate(p.token);
      const a = ctx.actor;
      if (a.userId !== actor.userId || a.role !== actor.role || a.agentId !== actor.agentId || a.groupId !== actor.groupId || a.unitId !== actor.unitId) {
        throw new ForbiddenError('token of another identity');
      }
      const before = socket.data;
      socket.data = { actor: ctx.actor, jti: ctx.jti, expMs: ctx.expMs, familyId: ctx.familyId, token: p.token };
      // Revocation rooms follow the new token (and its login family).
      await socket.join([rooms.token(ctx.jti), ...(ctx.familyId ? [rooms.session(ctx.familyId)] : [])]);
      if (before.jti !== ctx.jti) await socket.leave(rooms.token(before.jti));
      if (before.familyId && before.familyId !== ctx.familyId) await socket.leave(rooms.session(before.familyId));
      const old = this.expiryTimers.get(socket.id);
      if (old) clearTimeout(old);
      this.expiryTimers.delete(socket.id);
      this.armExpiry(socket);
      return { expMs: ctx.expMs };
    }, false);

    on('dashboard:join', schemas.none, async (_p, current) => {
      requirePermission(current, 'dashboard:view');
      await socket.join(rooms.dashboard());
      const snapshot = await this.snapshot(current);
      if (snapshot) socket.emit('dashboard:snapshot', snapshot);
      return { seq: snapshot?.seq ?? null };
    });
    on('dashboard:leave', schemas.none, async () => {
      await socket.leave(rooms.dashboard());
    }, false);
    on('dashboard:resync', schemas.resync, async (p, current) => {
      requirePermission(current, 'dashboard:view');
      const missed = this.deps.dashboard?.deltasSince(current, p.afterSeq) ?? null;
      if (missed) {
        if (missed.length > 0) socket.emit('dashboard:deltas', missed);
        return { replayed: missed.length };
      }
      const snapshot = await this.snapshot(current);
      if (snapshot) socket.emit('dashboard:snapshot', snapshot);
      return { snapshot: true };
    });

    on('call:watch', schemas.call, async (p, current) => {
      this.requireCallWatch(current, p.callId);
      await socket.join(rooms.call(p.callId));
    });
    on('call:unwatch', schemas.call, async (p) => {
      await socket.leave(rooms.call(p.callId));
    }, false);

    // Every work order's notices: hotline staff who watch them (supervisors, administrators).
    on('workorders:join', schemas.none, async (_p, current) => {
      requirePermission(current, 'workorders:watch');
      await socket.join(rooms.workOrders());
    });
    on('workorders:leave', schemas.none, async () => {
      await socket.leave(rooms.workOrders());
    }, false);

    socket.onAny((event: string) => {
      if (!known.has(event)) socket.emit('error', { event, code: 'VALIDATION.FIELD', field: 'event', message: `unknown event ${event}` });
    });
  }

  /** Managers may watch any call; an agent only the call they are ringing or talking on. */
  private requireCallWatch(actor: Actor, callId: string): void {
    if (actor.role === 'supervisor' || actor.role === 'admin') return;
    if (actor.role === 'agent' && actor.agentId) {
      const s = this.deps.agentConsole.currentState(actor, actor.agentId);
      if (s.currentCallId === callId) return;
      throw new NotFoundError('call');
    }
    requirePermission(actor, 'dashboard:view');
  }

  private async snapshot(actor: Actor): Promise<DashboardSnapshot | null> {
    if (this.deps.dashboard) return this.deps.dashboard.snapshot(actor);
    requirePermission(actor, 'dashboard:view');
    // Only a cluster adapter can ask the other instances (the in-memory one never answers).
    if (!this.redis) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const replies = await Promise.race([
        this.io.serverSideEmitWithAck('dashboard:snapshot_request'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.opts.snapshotTimeoutMs ?? 2000);
        }),
      ]);
      return (replies as (DashboardSnapshot | null)[]).find((s) => s !== null) ?? null;
    } catch (err) {
      this.deps.log.warn('no dashboard snapshot from other instances', { err: String(err) });
      return null;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private armExpiry(socket: HotlineSocket): void {
    const ms = socket.data.expMs - this.clock();
    if (ms <= 0) {
      this.expire(socket);
      return;
    }
    // setTimeout caps at ~24.8 days; access tokens live minutes.
    const t = setTimeout(() => this.expire(socket), Math.min(ms, 2 ** 31 - 1));
    t.unref();
    this.expiryTimers.set(socket.id, t);
  }

  private expire(socket: HotlineSocket): void {
    socket.emit('session:expired', { at: this.clock() });
    socket.disconnect(true);
  }
}

/** The identity this instance uses to answer another instance's snapshot request (already authorised there). */
const SYSTEM_MANAGER: Actor = { userId: 'system', role: 'admin', agentId: null, unitId: null, groupId: null };
