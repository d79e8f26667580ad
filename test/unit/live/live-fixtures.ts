import type { CallEvent, CallEventBody } from '../../../src/domain/call/call.events';
import { asCallId } from '../../../src/shared/ids';
import type { LiveInput } from '../../../src/app/live/live.ports';

/** 2025-06-10 10:00:00 in Beijing. */
export const T0 = Date.UTC(2025, 5, 10, 2, 0, 0);

const seqs = new Map<string, number>();

export function ev(callId: string, at: number, body: CallEventBody, extra: Partial<Extract<LiveInput, { kind: 'call' }>> = {}): LiveInput {
  const seq = (seqs.get(callId) ?? 0) + 1;
  seqs.set(callId, seq);
  return { kind: 'call', event: { callId: asCallId(callId), seq, at, ...body } as CallEvent, ...extra };
}

export function agentState(agentId: string, at: number, state: Extract<LiveInput, { kind: 'agent' }>['state'], reason: string | null = null): LiveInput {
  return { kind: 'agent', agentId, state, reason, at };
}
