/** Callback requests (回拨) over REST: the list (an agent's: those assigned to them), assign, place, close. */
import { api } from '../api';

export type CallbackStatus = 'open' | 'assigned' | 'closed';
export type CallbackResult = 'reached' | 'unreachable' | 'invalid';

export interface CallbackCall {
  callId: string;
  agentId: string;
  placedAt: number;
  agentAnsweredAt: number | null;
  citizenAnsweredAt: number | null;
  endedAt: number | null;
  outcome: 'in-progress' | 'answered' | 'agent-no-answer' | 'citizen-no-answer' | 'citizen-busy' | 'failed';
  talkMs: number | null;
}

export interface Callback {
  id: string;
  callId: string;
  /** Masked (138****5678) for a confidential case the user does not handle. */
  callerNumber: string;
  masked: boolean;
  queueId: string;
  requestedAt: number;
  status: CallbackStatus;
  assignedAgentId: string | null;
  assignedAt: number | null;
  closedAt: number | null;
  result: CallbackResult | null;
  note: string | null;
  calls: CallbackCall[];
}

export interface AgentOption {
  agentId: string;
  displayName: string;
}

export const CALLBACK_STATUS_TEXT: Record<CallbackStatus, string> = { open: '待分配', assigned: '已分配', closed: '已结单' };
export const CALLBACK_RESULT_TEXT: Record<CallbackResult, string> = { reached: '已联系上', unreachable: '无法联系', invalid: '无效请求' };
export const CALL_OUTCOME_TEXT: Record<CallbackCall['outcome'], string> = {
  'in-progress': '通话中',
  answered: '已接通',
  'agent-no-answer': '坐席未接',
  'citizen-no-answer': '市民未接',
  'citizen-busy': '市民占线',
  failed: '呼叫失败',
};

export const listCallbacks = (q: { status?: CallbackStatus; page: number; pageSize: number }) =>
  api<{ items: Callback[]; total: number }>('GET', `/api/callbacks?${new URLSearchParams({ ...(q.status ? { status: q.status } : {}), page: String(q.page), pageSize: String(q.pageSize) }).toString()}`);
export const getCallback = (id: string) => api<Callback>('GET', `/api/callbacks/${encodeURIComponent(id)}`);
export const assignCallback = (id: string, agentId: string) => api<Callback>('POST', `/api/callbacks/${encodeURIComponent(id)}/assign`, { agentId });
export const placeCallback = (id: string) => api<CallbackCall>('POST', `/api/callbacks/${encodeURIComponent(id)}/call`);
export const closeCallback = (id: string, result: CallbackResult, note: string) =>
  api<Callback>('POST', `/api/callbacks/${encodeURIComponent(id)}/close`, { result, ...(note.trim() ? { note: note.trim() } : {}) });

export async function listAgents(): Promise<AgentOption[]> {
  const r = await api<{ items: Array<{ agentId: string | null; displayName: string }> }>('GET', '/api/agents');
  return r.items.flatMap((u) => (u.agentId ? [{ agentId: u.agentId, displayName: u.displayName }] : []));
}

/** The last placed call, as one line: outcome and time. */
export function lastCall(c: Callback): CallbackCall | null {
  return c.calls.length > 0 ? (c.calls[c.calls.length - 1] ?? null) : null;
}
