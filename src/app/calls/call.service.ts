/**
 * Entry point of the call path for the telephony adapter: a caller's channel entered the
 * application → a session; an Asterisk event about a call → an input for its session.
 */
import type { CallId } from '../../shared/ids';
import { callIdForChannel } from '../../domain/call/call.ids';
import type { CallInput } from '../../domain/call/call.inputs';
import type { CallEvent, SurveyOrderRef } from '../../domain/call/call.events';
import { adoptCall, type AsteriskCallView } from '../../domain/call/call.adopt';
import type { CallRegistry } from './call-registry';
import { CallSession, type CallSessionDeps } from './call-session';

export interface IncomingCall {
  readonly channelId: string;
  readonly callerNumber: string;
  readonly calledNumber: string;
  /** A survey call the citizen asked to hand to an agent (pressed 0): the order it is about. */
  readonly surveyOrder?: SurveyOrderRef;
}

export class CallService {
  private refusing = false;

  constructor(
    private readonly deps: CallSessionDeps,
    readonly registry: CallRegistry,
  ) {}

  /**
   * From now on new calls are refused: handed back to Asterisk's dialplan (its `app-failed`
   * context: maintenance message and 503, so the carrier can route them to another instance).
   * Calls in progress go on. Used while a stop drains.
   */
  refuseNewCalls(): void {
    this.refusing = true;
  }

  /**
   * A caller's channel entered the application: its call starts, or, while the application is
   * stopping, it is refused (null).
   */
  admit(call: IncomingCall): CallSession | null {
    if (this.refusing && !this.registry.get(callIdForChannel(call.channelId))) {
      this.deps.logger.info('call refused, the application is stopping', { channelId: call.channelId, callerNumber: call.callerNumber });
      this.deps.telephony
        .refuse(call.channelId)
        .catch((err: unknown) => this.deps.logger.warn('refused call not handed back to the dialplan', { channelId: call.channelId, err: String(err) }));
      return null;
    }
    return this.startCall(call);
  }

  /** Starts the call for a caller's channel; the same channel again returns its running session. */
  startCall(call: IncomingCall): CallSession {
    const callId = callIdForChannel(call.channelId);
    const running = this.registry.get(callId);
    if (running) return running;
    const session = new CallSession(
      {
        callId, channelId: call.channelId, callerNumber: call.callerNumber, calledNumber: call.calledNumber,
        ...(call.surveyOrder ? { surveyOrder: call.surveyOrder } : {}),
      },
      this.deps,
      (s) => this.registry.remove(s.callId),
    );
    // The first transition ran in the constructor; a call that already ended is not registered.
    if (session.accepts()) this.registry.add(session);
    return session;
  }

  /**
   * Takes over a live call found in Asterisk after a restart (its stored events, Asterisk's view of
   * it): rebuilt where it was, or ended with the goodbye prompt when that cannot be done.
   */
  adopt(stored: readonly CallEvent[], view: AsteriskCallView): { session: CallSession; rebuilt: boolean } {
    const callId = callIdForChannel(view.callerChannelId);
    const running = this.registry.get(callId);
    if (running) return { session: running, rebuilt: true };
    const adoption = adoptCall(callId, stored, view, { now: this.deps.clock(), settings: this.deps.settings });
    const session = new CallSession({ stored, adoption }, this.deps, (s) => this.registry.remove(s.callId));
    if (session.accepts()) this.registry.add(session);
    return { session, rebuilt: adoption.rebuilt };
  }

  /** Delivers an input to a live call; false when there is no such call. */
  deliver(callId: CallId, input: CallInput): boolean {
    const s = this.registry.get(callId);
    if (!s || !s.accepts()) return false;
    s.deliver(input);
    return true;
  }

  /** Delivers an input for an Asterisk channel (the caller's or an agent leg); false when unknown. */
  deliverForChannel(channelId: string, input: (agentAttempt: number | null) => CallInput | null): boolean {
    const hit = this.registry.byChannel(channelId);
    if (!hit || !hit.session.accepts()) return false;
    const i = input(hit.agentAttempt);
    if (i) hit.session.deliver(i);
    return true;
  }

  /** Ends every call still up now (a stop whose drain ran out): nothing is left half-connected. */
  async endAll(): Promise<number> {
    const live = this.registry.all();
    await Promise.all(live.map((s) => s.endNow()));
    return live.length;
  }

  /** Lets go of every call still up, leaving it in Asterisk for the next instance to take over. */
  async handOverAll(): Promise<number> {
    const live = this.registry.all();
    await Promise.all(live.map((s) => s.handOver()));
    return live.length;
  }

  /** Resolves when no call is left (for a graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.registry.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.registry.on('idle', () => {
        off();
        resolve();
      });
    });
  }
}
