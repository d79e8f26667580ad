/**
 * In-call controls asked for over the API: hold, resume, the one-key emergency transfer, the
 * three-way call, transfers to a unit (blind or consultative) or another queue. Checks
 * who asks (the agent handling the call, or a supervisor / administrator), asks the pure call
 * machine whether the control makes sense in the call's state (409 with the reason when not), and
 * hands the control to the call's session as an input. The session's machine decides again when the
 * input arrives, so a state that changed in between ignores it rather than breaking the call.
 *
 * A call live on another instance (several instances, docs/several-instances.md) is controlled
 * through the relay: the request, with who asks, goes to the instance that runs the call, which
 * decides and answers as if asked itself; none having it is 404.
 */
import { roleHas, type Actor } from '../../domain/access';
import { controlRefusal, type CallControl } from '../../domain/call/call.controls';
import { monitorRefusal } from '../../domain/call/call.monitor';
import type { CallInput } from '../../domain/call/call.inputs';
import type { CallStateType, MonitorMode } from '../../domain/call/call.state';
import { AppError, ConflictError, ForbiddenError, NotFoundError, type ErrorCode } from '../../shared/errors';
import { asCallId } from '../../shared/ids';
import type { CallRegistry } from './call-registry';
import type { CallSession } from './call-session';
import type { Logger } from './calls.ports';

export interface CallControlResult {
  readonly callId: string;
  readonly control: CallControl['type'] | MonitorMode | 'stop';
  /** The call's state when the control was handed over (the change follows on the call's events). */
  readonly state: CallStateType;
}

function inputOf(control: CallControl): CallInput {
  switch (control.type) {
    case 'hold':
      return { type: 'HoldRequested' };
    case 'resume':
      return { type: 'ResumeRequested' };
    case 'emergency-transfer':
      return { type: 'EmergencyTransferRequested', line: control.line };
    case 'three-way':
      return { type: 'ThreeWayRequested', number: control.number };
    case 'transfer':
      return { type: 'TransferRequested', number: control.number, mode: control.mode };
    case 'transfer-complete':
      return { type: 'TransferCompleteRequested' };
    case 'transfer-cancel':
      return { type: 'TransferCancelRequested' };
    case 'queue-transfer':
      return { type: 'QueueTransferRequested', queueId: control.queueId };
  }
}

/** A supervisor's own phone (an agent-like seat): where it rings, and the queues it supervises. */
export interface SupervisorSeat {
  readonly endpoint: string;
  readonly queues: readonly string[];
}

/** A control request as it travels between instances. */
export type ControlRequest =
  | { readonly kind: 'control'; readonly callId: string; readonly control: CallControl }
  | { readonly kind: 'monitor'; readonly callId: string; readonly mode: MonitorMode }
  | { readonly kind: 'stop'; readonly callId: string };

/** What the instance that runs the call decided: the result, or the refusal (as the API answers it). */
export type ControlOutcome =
  | { readonly result: CallControlResult }
  | { readonly error: { readonly code: ErrorCode; readonly message: string; readonly status: number; readonly details: Record<string, unknown> } };

/** Hands a request to the instance that runs the call. */
export interface CallControlRelay {
  /** That instance's outcome; null when no other instance has the call live (or none answered in time). */
  forward(actor: Actor, req: ControlRequest): Promise<ControlOutcome | null>;
}

/** One instance: nothing to forward to. */
export const NO_RELAY: CallControlRelay = { forward: () => Promise.resolve(null) };

const PERMISSION = { control: 'calls:control', monitor: 'calls:monitor', stop: 'calls:monitor' } as const;

export class CallControlService {
  constructor(
    private readonly registry: CallRegistry,
    private readonly log: Logger,
    /** The seat of a user's `agentId` (the supervisor's phone); null when there is none. */
    private readonly seatOf: (agentId: string) => SupervisorSeat | null = () => null,
    /** Whether a queue exists (some agent serves it): a call is sent to no queue nobody could answer. */
    private readonly queueExists: (queueId: string) => boolean = () => true,
    private readonly relay: CallControlRelay = NO_RELAY,
  ) {}

  /**
   * Listen / whisper / barge: only supervisors (and administrators) whose seat serves the call's queue.
   * Every attempt is logged with who, which call and how (refused ones too); the call's events keep
   * who was on it, when and how long.
   */
  monitor(actor: Actor, callId: string, mode: MonitorMode): Promise<CallControlResult> {
    return this.run(actor, { kind: 'monitor', callId, mode });
  }

  /** Ends the monitoring of a call (the supervisor, or another manager). */
  stopMonitor(actor: Actor, callId: string): Promise<CallControlResult> {
    return this.run(actor, { kind: 'stop', callId });
  }

  control(actor: Actor, callId: string, control: CallControl): Promise<CallControlResult> {
    return this.run(actor, { kind: 'control', callId, control });
  }

  private async run(actor: Actor, req: ControlRequest): Promise<CallControlResult> {
    const permission = PERMISSION[req.kind];
    if (!roleHas(actor.role, permission)) {
      const err = new ForbiddenError(`role ${actor.role} may not ${permission}`);
      if (req.kind === 'monitor') this.log.warn('call monitoring refused', { callId: req.callId, mode: req.mode, by: actor.userId, role: actor.role, why: err.message });
      throw err;
    }
    const outcome = this.runHere(actor, req) ?? (await this.relay.forward(actor, req));
    if (!outcome) {
      if (req.kind === 'monitor') this.log.warn('call monitoring refused', { callId: req.callId, mode: req.mode, by: actor.userId, role: actor.role, why: 'no live call' });
      throw new NotFoundError('live call');
    }
    if ('error' in outcome) throw new AppError(outcome.error.code, outcome.error.message, outcome.error.status, outcome.error.details);
    return outcome.result;
  }

  /**
   * Decides `req` when the call is live on this instance (for a request made here or relayed from
   * another instance); null when it is not here. A refusal is an outcome, so it travels back as such.
   */
  runHere(actor: Actor, req: ControlRequest): ControlOutcome | null {
    const session = this.registry.get(asCallId(req.callId));
    if (!session || !session.accepts()) return null;
    try {
      switch (req.kind) {
        case 'control':
          return { result: this.controlHere(actor, session, req.control) };
        case 'monitor':
          return { result: this.monitorHere(actor, session, req.mode) };
        case 'stop':
          return { result: this.stopHere(actor, session) };
      }
    } catch (err) {
      if (err instanceof AppError) return { error: { code: err.code, message: err.message, status: err.httpStatus, details: err.details } };
      throw err;
    }
  }

  private monitorHere(actor: Actor, session: CallSession, mode: MonitorMode): CallControlResult {
    const callId = session.callId;
    const audit = { callId, mode, by: actor.userId, role: actor.role };
    const refuse = (err: Error): never => {
      this.log.warn('call monitoring refused', { ...audit, why: err.message });
      throw err;
    };
    if (!roleHas(actor.role, 'calls:monitor')) refuse(new ForbiddenError(`role ${actor.role} may not calls:monitor`));
    const state = session.snapshot();
    const seat = actor.agentId === null ? null : this.seatOf(actor.agentId);
    if (!seat) return refuse(new ConflictError('no phone (seat) is set for this user: set its agentId to a seat', {}));
    if (actor.role !== 'admin' && !seat.queues.includes(state.core.queueId)) refuse(new ForbiddenError(`not a supervisor of queue ${state.core.queueId}`));
    const refusal = monitorRefusal(state, mode);
    if (refusal) refuse(new ConflictError(refusal, { state: state.type }));
    this.log.info('call monitoring', audit);
    session.deliver({ type: 'MonitorRequested', mode, userId: actor.userId, endpoint: seat.endpoint });
    return { callId, control: mode, state: state.type };
  }

  private stopHere(actor: Actor, session: CallSession): CallControlResult {
    if (!roleHas(actor.role, 'calls:monitor')) throw new ForbiddenError(`role ${actor.role} may not calls:monitor`);
    const state = session.snapshot();
    if (!state.core.monitor) throw new ConflictError('no supervisor on this call', { state: state.type });
    this.log.info('call monitoring stopped', { callId: session.callId, by: actor.userId });
    session.deliver({ type: 'MonitorStopRequested' });
    return { callId: session.callId, control: 'stop', state: state.type };
  }

  private controlHere(actor: Actor, session: CallSession, control: CallControl): CallControlResult {
    if (!roleHas(actor.role, 'calls:control')) throw new ForbiddenError(`role ${actor.role} may not calls:control`);
    const callId = session.callId;
    // Agents control the call they are handling, nobody else's (404: no probing of other calls).
    if (actor.role === 'agent' && (actor.agentId === null || session.handlingAgent() !== actor.agentId)) throw new NotFoundError('live call');
    const state = session.snapshot();
    if (control.type === 'queue-transfer' && !this.queueExists(control.queueId)) throw new NotFoundError(`queue ${control.queueId}`);
    const refusal = controlRefusal(state, control);
    if (refusal) throw new ConflictError(refusal, { state: state.type });
    this.log.info('call control', { callId, by: actor.userId, role: actor.role, ...control });
    session.deliver(inputOf(control));
    return { callId, control: control.type, state: state.type };
  }
}
