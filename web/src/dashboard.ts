/**
 * The wallboard's copy of the dashboard: a snapshot, then deltas applied in seq order. Deltas with
 * seq ≤ the copy's are skipped (a batch on its way during a join or a replay); a gap means some were
 * missed and the caller asks for a resync. The wire types are the server's own.
 */
import type { DashboardAlert, DashboardDelta, DashboardSnapshot, AgentView as ServerAgentView } from '../../src/app/live/dashboard.types';

export type Snapshot = DashboardSnapshot;
export type Delta = DashboardDelta;
export type Alert = DashboardAlert;
export type AgentView = ServerAgentView;

export function applyDeltas(snap: Snapshot, batch: Delta[]): { snapshot: Snapshot; gap: boolean } {
  let s = snap;
  for (const d of batch) {
    if (d.seq <= s.seq) continue;
    if (d.seq !== s.seq + 1) return { snapshot: s, gap: true };
    s = applyOne(s, d);
  }
  return { snapshot: s, gap: false };
}

function applyOne(s: Snapshot, d: Delta): Snapshot {
  const base = { ...s, seq: d.seq, at: d.at };
  switch (d.type) {
    case 'counters':
      return { ...base, counters: d.counters, callsInProgress: d.callsInProgress };
    case 'queue': {
      const i = s.queues.findIndex((q) => q.queueId === d.queue.queueId);
      const queues = i < 0 ? [...s.queues, d.queue] : s.queues.map((q, j) => (j === i ? d.queue : q));
      return { ...base, queues };
    }
    case 'agent': {
      const i = s.agents.findIndex((a) => a.agentId === d.agent.agentId);
      const agents = i < 0 ? [...s.agents, d.agent] : s.agents.map((a, j) => (j === i ? d.agent : a));
      return { ...base, agents };
    }
    case 'abandoned': {
      // A call already listed comes again when it is masked (its order made it confidential): it
      // replaces the entry with the number in full, in place.
      const known = s.abandoned.some((a) => a.callId === d.call.callId);
      const abandoned = known ? s.abandoned.map((a) => (a.callId === d.call.callId ? d.call : a)) : [d.call, ...s.abandoned].slice(0, 100);
      return { ...base, abandoned };
    }
    case 'alert_raised':
      return { ...base, alerts: [...s.alerts.filter((a) => a.id !== d.alert.id), d.alert] };
    case 'alert_cleared':
      return { ...base, alerts: s.alerts.filter((a) => a.id !== d.alertId) };
    case 'day_reset':
      return { ...d.snapshot, seq: d.seq, at: d.at };
    default:
      return base;
  }
}
