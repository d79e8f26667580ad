/**
 * Supervisor listen / whisper / barge on a live call. The supervisor's phone (an agent-like
 * endpoint) is called first; when it answers:
 *  - listen: a snoop channel on the agent's leg spying both ways, bridged with the supervisor's
 *    phone; nobody hears the supervisor;
 *  - whisper: the same snoop, whispering `out`: only the agent hears the supervisor;
 *  - barge: the supervisor's phone joins the call's bridge: everyone hears everyone.
 * One supervisor at a time. The monitoring ends when the supervisor hangs up or stops it, or when
 * the call leaves the agent's conversation (talking / held): the agent hung up, the caller hung up,
 * a transfer, … — whatever the input, the machine then ends it (`endMonitorIfLeft`).
 */
import { monitorBridgeId, snoopChannelId, supervisorChannelId } from './call.ids';
import type { CallInput } from './call.inputs';
import type { CallState, CallStateBody, MonitorMode } from './call.state';
import { ignore, type Outcome, type Step } from './call.step';

/** States in which a supervisor can be on the call (an agent is talking with the caller). */
const MONITORED: ReadonlySet<CallStateBody['type']> = new Set(['talking', 'held']);

/** Why a monitor request makes no sense now (409), or null. */
export function monitorRefusal(state: CallState, mode: MonitorMode): string | null {
  if (!MONITORED.has(state.type)) return `通话未在进行 (no conversation with an agent: ${state.type})`;
  if (state.core.monitor) return '已有班长在监听 (a supervisor is already on this call)';
  if (!['listen', 'whisper', 'barge'].includes(mode)) return `unknown mode ${String(mode)}`;
  return null;
}

/** talking / held + a monitor input. */
export function inMonitor(s: Step, st: Extract<CallState, { type: 'talking' | 'held' }>, i: CallInput): Outcome {
  const c = s.core;
  const m = c.monitor;
  switch (i.type) {
    case 'MonitorRequested': {
      if (m) return ignore('a supervisor is already on the call');
      c.monitors += 1;
      const n = c.monitors;
      const channelId = supervisorChannelId(c.callId, n);
      c.monitor = { n, mode: i.mode, userId: i.userId, channelId, requestedAt: s.now, joinedAt: null };
      s.emit({ type: 'MonitorRequested', n, mode: i.mode, userId: i.userId });
      s.effect({ type: 'RingSupervisor', channelId, n, endpoint: i.endpoint, callerId: c.callerNumber });
      return sameState(st);
    }
    case 'MonitorLegAnswered': {
      if (!m || m.n !== i.n || m.joinedAt !== null) return ignore('stale supervisor leg');
      c.monitor = { ...m, joinedAt: s.now };
      s.emit({ type: 'SupervisorJoined', n: m.n, mode: m.mode, userId: m.userId });
      if (m.mode === 'barge') {
        if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [m.channelId] });
      } else {
        s.effect({
          type: 'StartMonitor',
          n: m.n,
          supervisorChannelId: m.channelId,
          snoopId: snoopChannelId(c.callId, m.n),
          snoopedChannelId: st.agent.channelId,
          whisper: m.mode === 'whisper',
          bridgeId: monitorBridgeId(c.callId, m.n),
        });
      }
      return sameState(st);
    }
    case 'MonitorLegEnded':
      if (!m || m.n !== i.n) return ignore('stale supervisor leg');
      endMonitor(s, 'supervisor');
      return sameState(st);
    case 'MonitorStopRequested':
      if (!m) return ignore('no supervisor on the call');
      endMonitor(s, 'stopped');
      return sameState(st);
    default:
      return ignore('not a monitor input');
  }
}

export function isMonitorInput(i: CallInput): boolean {
  return i.type === 'MonitorRequested' || i.type === 'MonitorLegAnswered' || i.type === 'MonitorLegEnded' || i.type === 'MonitorStopRequested';
}

/** The call left the agent's conversation: a supervisor still on it goes too. */
export function endMonitorIfLeft(s: Step, next: CallStateBody): void {
  if (s.core.monitor && !MONITORED.has(next.type)) endMonitor(s, 'call-moved');
}

function endMonitor(s: Step, reason: 'supervisor' | 'stopped' | 'call-moved'): void {
  const c = s.core;
  const m = c.monitor;
  if (!m) return;
  c.monitor = null;
  s.effect({ type: 'EndMonitor', n: m.n, supervisorChannelId: m.channelId, snoopId: snoopChannelId(c.callId, m.n), bridgeId: monitorBridgeId(c.callId, m.n) });
  s.emit({ type: 'SupervisorLeft', n: m.n, userId: m.userId, reason, joinedMs: m.joinedAt === null ? 0 : s.now - m.joinedAt });
}

function sameState(st: CallState): CallStateBody {
  const { core: _core, ...body } = st;
  return body as CallStateBody;
}
