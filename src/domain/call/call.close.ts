/**
 * Closing a call nobody runs any more (the application restarted, or Asterisk lost the channel
 * while the application was away): the events that complete its record, numbered after the
 * stored ones. Pure; call recovery appends them.
 */
import type { CallId, QueueId } from '../../shared/ids';
import type { CallEvent, CallEventBody, CallStage, Party } from './call.events';
import { buildCallRecord } from './call.record';

export interface CloseOptions {
  readonly now: number;
  /** 'network' when Asterisk no longer has the channel; 'system' when we hang up a live one. */
  readonly hungUpBy: Extract<Party, 'network' | 'system'>;
  /**
   * The ring limit Asterisk applies itself (the originate's dial timeout). A ring still open in the
   * stored events ended at that limit at the latest: Asterisk cancelled it then, even while nobody
   * was listening, so it is a miss of that length, not a ring until now.
   */
  readonly ringLimitMs?: number;
}

/** The events that end an open call; none when the stored events already end it. */
export function closeOpenCall(stored: readonly CallEvent[], opts: CloseOptions): CallEvent[] {
  const record = buildCallRecord(stored);
  if (record.complete) return [];
  const bodies: CallEventBody[] = [];
  for (const a of record.attempts) {
    if (a.outcome !== 'ringing') continue;
    const ringMs = opts.now - a.offeredAt;
    if (opts.ringLimitMs !== undefined && ringMs >= opts.ringLimitMs) {
      bodies.push({ type: 'AgentRingMissed', attempt: a.attempt, agentId: a.agentId, outcome: 'no-answer', ringMs: opts.ringLimitMs });
    } else {
      bodies.push({ type: 'AgentRingCancelled', attempt: a.attempt, agentId: a.agentId, ringMs, reason: 'recovered' });
    }
  }
  const t = record.times;
  if (record.agentId !== null && t.conversationEndedAt === null) {
    bodies.push({
      type: 'CallCompleted',
      agentId: record.agentId,
      endedBy: opts.hungUpBy,
      talkMs: t.bridgedAt === null ? 0 : opts.now - t.bridgedAt,
    });
  }
  if (record.rating.status === 'pending') bodies.push({ type: 'RatingNotGiven', reason: 'recovered' });
  const stage: CallStage = record.stage === 'ended' ? 'closing' : record.stage;
  bodies.push({ type: 'CallEnded', reason: 'recovered', hungUpBy: opts.hungUpBy, stage });
  return number(record.callId, record.lastSeq, opts.now, bodies);
}

/** A call we find only as a channel in Stasis: its first event, so a record can be written. */
export function enteredUnknownCall(
  callId: CallId,
  info: { channelId: string; callerNumber: string; calledNumber: string; queueId: QueueId; at: number },
): CallEvent {
  return {
    type: 'CallEntered',
    callId,
    seq: 1,
    at: info.at,
    channelId: info.channelId,
    callerNumber: info.callerNumber,
    calledNumber: info.calledNumber,
    queueId: info.queueId,
    priority: 0,
  };
}

function number(callId: CallId, lastSeq: number, at: number, bodies: readonly CallEventBody[]): CallEvent[] {
  return bodies.map((b, i) => ({ ...b, callId, seq: lastSeq + 1 + i, at }));
}
