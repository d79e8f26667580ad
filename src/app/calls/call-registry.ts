/**
 * The live calls of this process: call id → session. Emits `idle` when the last call ends, so a
 * shutdown can wait for calls to drain.
 */
import type { CallId } from '../../shared/ids';
import { TypedEmitter } from '../../shared/typed-emitter';
import { parseRingChannelId } from '../../domain/call/call.ids';
import type { CallSession } from './call-session';

type RegistryEvents = { added: CallSession; removed: CallSession; idle: null };

export class CallRegistry extends TypedEmitter<RegistryEvents> {
  private readonly sessions = new Map<CallId, CallSession>();
  private readonly byCaller = new Map<string, CallSession>();

  add(session: CallSession): void {
    if (this.sessions.has(session.callId)) throw new Error(`call already registered: ${session.callId}`);
    this.sessions.set(session.callId, session);
    this.byCaller.set(session.callerChannelId, session);
    this.emit('added', session);
  }

  remove(callId: CallId): void {
    const s = this.sessions.get(callId);
    if (!s) return;
    this.sessions.delete(callId);
    this.byCaller.delete(s.callerChannelId);
    this.emit('removed', s);
    if (this.sessions.size === 0) this.emit('idle', null);
  }

  get(callId: CallId): CallSession | undefined {
    return this.sessions.get(callId);
  }

  /** The call a channel belongs to: the caller's channel, or one of our agent legs. */
  byChannel(channelId: string): { session: CallSession; agentAttempt: number | null } | undefined {
    const caller = this.byCaller.get(channelId);
    if (caller) return { session: caller, agentAttempt: null };
    const leg = parseRingChannelId(channelId);
    const s = leg ? this.sessions.get(leg.callId) : undefined;
    return s && leg ? { session: s, agentAttempt: leg.attempt } : undefined;
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): CallSession[] {
    return [...this.sessions.values()];
  }
}
