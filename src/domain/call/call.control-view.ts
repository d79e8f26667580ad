/**
 * What the agent's 通话控制 shows of a call: the phase of the agent's part of it (on the line, on
 * hold, a transfer ringing, a consultation, a three-way call, over), the transfer or unit under way,
 * and the supervisor on the call. Folded from the call's events alone, so it follows whoever changed
 * the call (this console, another tab, a supervisor, the unit hanging up, the machine itself).
 */
import type { AgentId } from '../../shared/ids';
import type { CallEvent } from './call.events';
import type { MonitorMode } from './call.state';

export type ControlPhase =
  /** Answered; the 工号 announcement plays before the conversation. */
  | 'connecting'
  | 'talking'
  | 'held'
  /** The emergency line or the unit rings (blind); the caller hears a ringing tone. */
  | 'transferring'
  /** Consultative transfer: the caller on hold, the agent with the unit (once it answers). */
  | 'consulting'
  | 'threeWay'
  /** The agent's part is over: the caller was handed over, the agent left, or the conversation ended. */
  | 'over';

export interface CallControlView {
  readonly agentId: AgentId;
  readonly phase: ControlPhase;
  /** When the phase began. */
  readonly since: number;
  /** The transfer under way (transferring, consulting). */
  readonly transfer: { readonly kind: 'emergency' | 'blind' | 'consult'; readonly number: string; readonly line: string | null; readonly answered: boolean } | null;
  /** The unit's line of a three-way call. */
  readonly threeWay: { readonly number: string; readonly joined: boolean } | null;
  /** The supervisor on the call (the agent sees who listens, coaches or joins). */
  readonly monitor: { readonly mode: MonitorMode; readonly joined: boolean } | null;
  /** Seq of the last event folded in. */
  readonly seq: number;
}

/** The view after `e`; null before the call was answered (and for events of no agent's call). */
export function nextControlView(view: CallControlView | null, e: CallEvent): CallControlView | null {
  if (e.type === 'AgentAnswered') {
    // A new conversation (the first, or after a transfer to another queue).
    return { agentId: e.agentId, phase: 'connecting', since: e.at, transfer: null, threeWay: null, monitor: null, seq: e.seq };
  }
  if (!view || view.phase === 'over') return view;
  const to = (phase: ControlPhase, more: Partial<CallControlView> = {}): CallControlView => ({
    ...view,
    phase,
    since: phase === view.phase ? view.since : e.at,
    ...(phase === 'talking' || phase === 'held' || phase === 'over' ? { transfer: null, threeWay: null } : {}),
    ...(phase === 'over' ? { monitor: null } : {}),
    ...more,
    seq: e.seq,
  });
  const back = (backTo: string) => (backTo === 'agent' ? to('talking') : to('over'));
  switch (e.type) {
    case 'CallBridged':
      return view.phase === 'connecting' ? to('talking') : view;
    case 'CallHeld':
      return to('held');
    case 'CallResumed':
      return to('talking');
    case 'EmergencyTransferStarted':
      return to('transferring', { transfer: { kind: 'emergency', number: e.number, line: e.line, answered: false } });
    case 'EmergencyTransferAnswered':
      return to('over');
    case 'EmergencyTransferFailed':
      return back(e.backTo);
    case 'TransferStarted':
      return e.mode === 'consult'
        ? to('consulting', { transfer: { kind: 'consult', number: e.number, line: null, answered: false } })
        : to('transferring', { transfer: { kind: 'blind', number: e.number, line: null, answered: false } });
    case 'TransferAnswered':
      // A consultation goes on with the unit on the line; a blind transfer is done.
      return view.phase === 'consulting' && view.transfer ? to('consulting', { transfer: { ...view.transfer, answered: true } }) : to('over');
    case 'TransferFailed':
      return back(e.backTo);
    case 'TransferCancelled':
      return to('talking');
    case 'TransferCompleted':
    case 'CallTransferredToQueue':
    case 'CallCompleted':
    case 'CallEnded':
      return to('over');
    case 'ThreeWayStarted':
      return to('threeWay', { threeWay: { number: e.number, joined: false } });
    case 'PartyJoined':
      return view.threeWay ? to('threeWay', { threeWay: { ...view.threeWay, joined: true } }) : view;
    case 'PartyLeft':
      return e.party === 'agent' ? to('over') : to('talking');
    case 'ThreeWayFailed':
      return back(e.backTo);
    case 'MonitorRequested':
      return to(view.phase, { monitor: { mode: e.mode, joined: false } });
    case 'SupervisorJoined':
      return to(view.phase, { monitor: { mode: e.mode, joined: true } });
    case 'SupervisorLeft':
      return to(view.phase, { monitor: null });
    default:
      return view;
  }
}

/** Whether the console should be told: anything it shows changed (not merely the seq). */
export function controlViewChanged(before: CallControlView | null, after: CallControlView | null): boolean {
  if (before === after) return false;
  if (!before || !after) return true;
  const { seq: _a, ...b } = before;
  const { seq: _b, ...a } = after;
  return JSON.stringify(a) !== JSON.stringify(b);
}
