/**
 * The call record: a pure fold of the call's events. Folding the stored events again always gives
 * the same record, so records can be rebuilt, and a projection can be updated one event at a time.
 * Reporting keys (day and hour in Asia/Shanghai) are derived here, when the record is written.
 */
import { DateTime } from 'luxon';
import { HOTLINE_ZONE } from '../calendar/local-time';
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type {
  CallEvent,
  CallEventType,
  CallStage,
  EndReason,
  OverflowReason,
  Party,
  RatingNotGivenReason,
  SurveyOrderRef,
} from './call.events';
import type { AgentLegEnd, CallerLossReason } from './call.inputs';
import type { EmergencyLine } from './call.settings';


/**
 * How a call turned out: the one list the record writer, the stored documents, the REST reader,
 * its filters and the OpenAPI schema all use. `lost`: ended without an agent by the system or the
 * network (the caller's leg lost, Asterisk gone, reconciliation).
 */
export const CALL_OUTCOMES = ['in-progress', 'answered', 'abandoned', 'overflow', 'callback-requested', 'lost'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * The `outcome` filter of the call query: any outcome, plus two groups: `callback` (=
 * callback-requested) and `ended` (every finished call, whatever its outcome).
 */
export const OUTCOME_FILTERS = {
  'in-progress': ['in-progress'],
  answered: ['answered'],
  abandoned: ['abandoned'],
  overflow: ['overflow'],
  'callback-requested': ['callback-requested'],
  lost: ['lost'],
  callback: ['callback-requested'],
  ended: ['answered', 'abandoned', 'overflow', 'callback-requested', 'lost'],
} as const satisfies Record<string, readonly CallOutcome[]>;
export type OutcomeFilter = keyof typeof OUTCOME_FILTERS;
export const OUTCOME_FILTER_NAMES = Object.keys(OUTCOME_FILTERS) as [OutcomeFilter, ...OutcomeFilter[]];

export function isCallOutcome(v: unknown): v is CallOutcome {
  return (CALL_OUTCOMES as readonly unknown[]).includes(v);
}

export type RingAttemptOutcome = 'ringing' | 'answered' | 'no-answer' | 'rejected' | 'busy' | 'unreachable' | 'cancelled';

export interface RingAttemptRecord {
  readonly attempt: number;
  readonly agentId: AgentId;
  readonly agentNumber: string;
  readonly endpoint: string;
  readonly offeredAt: number;
  readonly endedAt: number | null;
  readonly outcome: RingAttemptOutcome;
  /** ms from the ring's start to answer, miss or cancel; null while it rings. */
  readonly ringMs: number | null;
}

export interface TimelineEntry {
  readonly seq: number;
  readonly at: number;
  readonly type: CallEventType;
  readonly attempt?: number;
  /** The event's own facts (everything but callId, seq, at and type). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The agent's after-call work (话后处理) for the call. */
export interface WrapUpRecord {
  readonly agentId: AgentId;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly endedBy: 'timer' | 'agent' | 'system';
}

/** One hold of the caller by the agent; `endedAt` null while it lasts. */
export interface HoldRecord {
  readonly startedAt: number;
  readonly endedAt: number | null;
}

/** One one-key emergency transfer: which line, when, and whether the line answered. */
export interface EmergencyTransferRecord {
  readonly n: number;
  readonly line: EmergencyLine;
  /** The number dialled through the trunk. */
  readonly number: string;
  readonly requestedAt: number;
  readonly answeredAt: number | null;
  /** When the line stopped ringing (answer or failure). */
  readonly ringEndedAt: number | null;
  readonly outcome: 'ringing' | 'answered' | AgentLegEnd | 'caller-hangup';
  /** What became of the caller when the line did not take the call. */
  readonly backTo: 'agent' | 'queue' | 'none' | null;
}

/** A handling unit's line on a three-way call (三方通话). */
export interface ThreeWayLegRecord {
  readonly n: number;
  readonly number: string;
  readonly requestedAt: number;
  readonly joinedAt: number | null;
  readonly leftAt: number | null;
  readonly outcome: 'ringing' | 'joined' | 'left' | AgentLegEnd;
}

/**
 * One transfer by the agent: to a unit's number (blind or consultative) or to another queue. The
 * call keeps its record (and its first queue time) across it.
 */
export interface TransferRecord {
  readonly n: number;
  readonly kind: 'blind' | 'consult' | 'queue';
  /** The unit's number dialled (blind / consult); null for a queue. */
  readonly number: string | null;
  /** The queue the call was sent to (queue transfers); null for a unit. */
  readonly queueId: string | null;
  readonly fromQueueId: string;
  /** The agent who transferred the call. */
  readonly agentId: string;
  readonly requestedAt: number;
  /** When the unit answered (blind: the caller was handed over; consult: the agent talked with it). */
  readonly answeredAt: number | null;
  /** When the caller was with the unit (or in the new queue) and the agent gone. */
  readonly completedAt: number | null;
  /** When the unit hung up after the caller was handed to it. */
  readonly endedAt: number | null;
  readonly outcome: 'ringing' | 'consulting' | 'completed' | 'cancelled' | 'queued' | AgentLegEnd | 'unit-left' | 'caller-hangup';
  readonly backTo: 'agent' | 'queue' | 'none' | null;
}

/** A supervisor on the call (audit: who, how, when, how long). */
export interface MonitorRecord {
  readonly n: number;
  readonly mode: 'listen' | 'whisper' | 'barge';
  readonly userId: string;
  readonly requestedAt: number;
  readonly joinedAt: number | null;
  readonly leftAt: number | null;
  readonly joinedMs: number | null;
}

export interface CallTimes {
  readonly enteredAt: number;
  readonly answeredAt: number | null;
  readonly greetedAt: number | null;
  readonly queuedAt: number | null;
  readonly connectedAt: number | null;
  readonly bridgedAt: number | null;
  readonly conversationEndedAt: number | null;
  readonly ratingAskedAt: number | null;
  readonly ratedAt: number | null;
  readonly endedAt: number | null;
}

export type RatingStatus = 'not-asked' | 'pending' | 'rated' | 'not-rated';

export interface CallRating {
  readonly status: RatingStatus;
  readonly scale: string | null;
  readonly digit: string | null;
  readonly value: number | null;
  readonly code: string | null;
  readonly label: string | null;
  readonly satisfied: boolean | null;
  readonly notRatedReason: RatingNotGivenReason | null;
  readonly invalidDigits: readonly string[];
}

export interface CallRecord {
  readonly callId: CallId;
  readonly channelId: string;
  readonly callerNumber: string;
  readonly calledNumber: string;
  readonly queueId: QueueId;
  readonly priority: number;
  /** Where the call is (or ended). */
  readonly stage: CallStage | 'ended';
  readonly complete: boolean;
  readonly lastSeq: number;
  readonly times: CallTimes;
  readonly timeline: readonly TimelineEntry[];
  readonly attempts: readonly RingAttemptRecord[];
  /** The agent who answered. */
  readonly agentId: AgentId | null;
  readonly agentNumber: string | null;
  /** From first entering the queue to the answer, or to the caller leaving the queue (abandon, overflow, end). */
  readonly waitMs: number | null;
  /** Sum over all ring attempts. */
  readonly ringMs: number;
  /** Ring of the answered attempt. */
  readonly answerRingMs: number | null;
  readonly talkMs: number | null;
  readonly totalMs: number | null;
  readonly outcome: CallOutcome;
  readonly endReason: EndReason | null;
  /** Who ended the call (the last hang-up). */
  readonly hungUpBy: Party | null;
  /** Who ended the conversation with the agent, when there was one. */
  readonly conversationEndedBy: Party | null;
  /** The caller's leg was lost without a hang-up: why, and its last sign of life. */
  readonly callerLost: { readonly why: CallerLossReason; readonly lastSignAt: number } | null;
  readonly wrapUp: WrapUpRecord | null;
  /** Wrap-up length (ms); null until it ended. */
  readonly wrapUpMs: number | null;
  readonly abandon: { readonly stage: CallStage; readonly position: number | null; readonly waitMs: number | null } | null;
  readonly overflow: { readonly reason: OverflowReason; readonly position: number | null; readonly waitMs: number } | null;
  readonly callbackRequested: boolean;
  readonly menuDigit: string | null;
  readonly rating: CallRating;
  readonly recordingName: string | null;
  /** The caller's holds by the agent, in order. */
  readonly holds: readonly HoldRecord[];
  /** Total time on hold (closed holds). */
  readonly holdMs: number;
  readonly emergencyTransfers: readonly EmergencyTransferRecord[];
  /** The emergency line the caller was handed to (the line answered), if any. */
  readonly emergencyTransferredTo: EmergencyLine | null;
  /** Units' lines added to the call (三方通话), with their join and leave times. */
  readonly threeWayLegs: readonly ThreeWayLegRecord[];
  /** When the agent left a three-way call (caller and unit went on). */
  readonly agentLeftThreeWayAt: number | null;
  /** Transfers to a unit's number or to another queue, in order. */
  readonly transfers: readonly TransferRecord[];
  /** Where the call was last handed: a unit's number or a queue (null: never transferred). */
  readonly transferredTo: { readonly kind: 'unit'; readonly number: string } | { readonly kind: 'queue'; readonly queueId: string } | null;
  /** Supervisors who listened, whispered or barged. */
  readonly monitors: readonly MonitorRecord[];
  /** The work order whose automated survey handed this call over (the citizen pressed 0); null for other calls. */
  readonly surveyOrder: SurveyOrderRef | null;
  /** Reporting keys, Asia/Shanghai, from the time the call entered. */
  readonly reportDay: string;
  readonly reportHour: number;
}

const NO_RATING: CallRating = {
  status: 'not-asked',
  scale: null,
  digit: null,
  value: null,
  code: null,
  label: null,
  satisfied: null,
  notRatedReason: null,
  invalidDigits: [],
};

/** Folds a call's events (any order, duplicates allowed) into its record. */
export function buildCallRecord(events: readonly CallEvent[]): CallRecord {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const first = sorted[0];
  if (!first || first.type !== 'CallEntered') throw new RangeError('a call record starts with CallEntered');
  let record = openRecord(first);
  for (const e of sorted.slice(1)) record = applyCallEvent(record, e);
  return record;
}

export function openRecord(e: Extract<CallEvent, { type: 'CallEntered' }>): CallRecord {
  const local = DateTime.fromMillis(e.at, { zone: HOTLINE_ZONE });
  return {
    callId: e.callId,
    channelId: e.channelId,
    callerNumber: e.callerNumber,
    calledNumber: e.calledNumber,
    queueId: e.queueId,
    priority: e.priority,
    stage: 'answering',
    complete: false,
    lastSeq: e.seq,
    times: {
      enteredAt: e.at,
      answeredAt: null,
      greetedAt: null,
      queuedAt: null,
      connectedAt: null,
      bridgedAt: null,
      conversationEndedAt: null,
      ratingAskedAt: null,
      ratedAt: null,
      endedAt: null,
    },
    timeline: [timelineEntry(e)],
    attempts: [],
    agentId: null,
    agentNumber: null,
    waitMs: null,
    ringMs: 0,
    answerRingMs: null,
    talkMs: null,
    totalMs: null,
    outcome: 'in-progress',
    endReason: null,
    hungUpBy: null,
    conversationEndedBy: null,
    callerLost: null,
    wrapUp: null,
    wrapUpMs: null,
    abandon: null,
    overflow: null,
    callbackRequested: false,
    menuDigit: null,
    rating: NO_RATING,
    recordingName: null,
    holds: [],
    holdMs: 0,
    emergencyTransfers: [],
    emergencyTransferredTo: null,
    threeWayLegs: [],
    agentLeftThreeWayAt: null,
    transfers: [],
    transferredTo: null,
    monitors: [],
    surveyOrder: e.surveyOrder ?? null,
    reportDay: local.toISODate() ?? '',
    reportHour: local.hour,
  };
}

function endAttempt(
  attempts: readonly RingAttemptRecord[],
  attempt: number,
  at: number,
  outcome: RingAttemptOutcome,
  ringMs: number,
): RingAttemptRecord[] {
  return attempts.map((a) => (a.attempt === attempt && a.outcome === 'ringing' ? { ...a, endedAt: at, outcome, ringMs } : a));
}

function mapTransfer(transfers: readonly TransferRecord[], n: number, f: (x: TransferRecord) => TransferRecord): TransferRecord[] {
  return transfers.map((x) => (x.n === n ? f(x) : x));
}

function timelineEntry(e: CallEvent): TimelineEntry {
  const { callId: _c, seq, at, type, ...data } = e;
  return 'attempt' in e ? { seq, at, type, attempt: e.attempt, data } : { seq, at, type, data };
}

/**
 * Applies one event; an event at or below `lastSeq` (a duplicate) changes nothing. After CallEnded
 * only the agent's wrap-up is still recorded (it outlasts the caller).
 */
export function applyCallEvent(r: CallRecord, e: CallEvent): CallRecord {
  if (e.seq <= r.lastSeq || e.type === 'CallEntered') return r;
  if (r.complete && e.type !== 'WrapUpEnded') return r;
  const base: CallRecord = { ...r, lastSeq: e.seq };
  if (e.type === 'InputIgnored') return base;
  const next: CallRecord = { ...base, timeline: [...r.timeline, timelineEntry(e)] };
  const t = r.times;
  switch (e.type) {
    case 'CallAnswered':
      return { ...next, stage: 'greeting', times: { ...t, answeredAt: e.at } };
    case 'GreetingFinished':
      return { ...next, stage: 'menu', times: { ...t, greetedAt: e.at } };
    case 'MenuChoiceMade':
      return { ...next, menuDigit: e.digit, queueId: e.queueId };
    case 'MenuDigitInvalid':
    case 'MenuTimedOut':
    case 'QueuePositionAnnounced':
    case 'CallAdopted':
      return next;
    case 'CallNotRebuilt':
      return { ...next, stage: 'closing' };
    case 'RecordingStarted':
      // After a transfer to another queue the next conversation is recorded apart: the record names
      // the first recording; the later ones are on the timeline.
      return { ...next, recordingName: r.recordingName ?? e.name };
    case 'RecordingFailed':
      return { ...next, recordingName: r.recordingName === e.name ? null : r.recordingName };
    case 'CallQueued':
      return { ...next, stage: 'queued', times: t.queuedAt === null ? { ...t, queuedAt: e.at } : t };
    case 'AgentOffered':
      return {
        ...next,
        stage: 'ringing',
        attempts: [
          ...r.attempts,
          {
            attempt: e.attempt,
            agentId: e.agentId,
            agentNumber: e.agentNumber,
            endpoint: e.endpoint,
            offeredAt: e.at,
            endedAt: null,
            outcome: 'ringing',
            ringMs: null,
          },
        ],
      };
    case 'AgentRingMissed':
      return { ...next, attempts: endAttempt(r.attempts, e.attempt, e.at, e.outcome, e.ringMs), ringMs: r.ringMs + e.ringMs };
    case 'AgentRingCancelled':
      return { ...next, attempts: endAttempt(r.attempts, e.attempt, e.at, 'cancelled', e.ringMs), ringMs: r.ringMs + e.ringMs };
    case 'AgentAnswered':
      return {
        ...next,
        stage: 'connecting',
        attempts: endAttempt(r.attempts, e.attempt, e.at, 'answered', e.ringMs),
        ringMs: r.ringMs + e.ringMs,
        // A call sent to another queue is answered again: its wait (ASA) and first answer stay the first.
        answerRingMs: r.answerRingMs ?? e.ringMs,
        agentId: e.agentId,
        agentNumber: e.agentNumber,
        waitMs: r.waitMs ?? e.waitMs,
        outcome: 'answered',
        times: { ...t, connectedAt: t.connectedAt ?? e.at },
      };
    case 'CallBridged':
      return { ...next, stage: 'talking', times: { ...t, bridgedAt: e.at } };
    case 'CallHeld':
      return { ...next, stage: 'held', holds: [...r.holds, { startedAt: e.at, endedAt: null }] };
    case 'CallResumed': {
      const open = r.holds.findIndex((h) => h.endedAt === null);
      if (open < 0) return next;
      return {
        ...next,
        stage: r.stage === 'held' ? 'talking' : r.stage,
        holds: r.holds.map((h, i) => (i === open ? { ...h, endedAt: e.at } : h)),
        holdMs: r.holdMs + e.heldMs,
      };
    }
    case 'EmergencyTransferStarted':
      return {
        ...next,
        stage: 'transferring',
        emergencyTransfers: [
          ...r.emergencyTransfers,
          { n: e.n, line: e.line, number: e.number, requestedAt: e.at, answeredAt: null, ringEndedAt: null, outcome: 'ringing', backTo: null },
        ],
      };
    case 'EmergencyTransferAnswered':
      return {
        ...next,
        stage: 'transferred',
        emergencyTransferredTo: e.line,
        emergencyTransfers: r.emergencyTransfers.map((x) => (x.n === e.n ? { ...x, answeredAt: e.at, ringEndedAt: e.at, outcome: 'answered' } : x)),
      };
    case 'EmergencyTransferFailed':
      return {
        ...next,
        stage: e.backTo === 'agent' ? 'talking' : r.stage,
        emergencyTransfers: r.emergencyTransfers.map((x) => (x.n === e.n ? { ...x, ringEndedAt: e.at, outcome: e.cause, backTo: e.backTo } : x)),
      };
    case 'ThreeWayStarted':
      return { ...next, stage: 'threeWay', threeWayLegs: [...r.threeWayLegs, { n: e.n, number: e.number, requestedAt: e.at, joinedAt: null, leftAt: null, outcome: 'ringing' }] };
    case 'PartyJoined':
      return { ...next, threeWayLegs: r.threeWayLegs.map((l) => (l.n === e.n ? { ...l, joinedAt: e.at, outcome: 'joined' } : l)) };
    case 'PartyLeft':
      if (e.party === 'agent') return { ...next, agentLeftThreeWayAt: e.at };
      return {
        ...next,
        stage: r.agentLeftThreeWayAt === null ? 'talking' : r.stage,
        threeWayLegs: r.threeWayLegs.map((l) => (l.n === e.n ? { ...l, leftAt: e.at, outcome: 'left' } : l)),
      };
    case 'ThreeWayFailed':
      return {
        ...next,
        stage: e.backTo === 'agent' ? 'talking' : r.stage,
        threeWayLegs: r.threeWayLegs.map((l) => (l.n === e.n ? { ...l, leftAt: e.at, outcome: e.cause } : l)),
      };
    case 'TransferStarted':
      return {
        ...next,
        stage: e.mode === 'blind' ? 'transferring' : 'consulting',
        transfers: [
          ...r.transfers,
          { n: e.n, kind: e.mode, number: e.number, queueId: null, fromQueueId: r.queueId, agentId: e.agentId, requestedAt: e.at, answeredAt: null, completedAt: null, endedAt: null, outcome: 'ringing', backTo: null },
        ],
      };
    case 'TransferAnswered':
      return { ...next, transfers: mapTransfer(r.transfers, e.n, (x) => ({ ...x, answeredAt: e.at, outcome: x.kind === 'consult' ? 'consulting' : x.outcome })) };
    case 'TransferCompleted': {
      const done = r.transfers.find((x) => x.n === e.n);
      return {
        ...next,
        stage: 'transferred',
        transferredTo: done?.number ? { kind: 'unit', number: done.number } : r.transferredTo,
        transfers: mapTransfer(r.transfers, e.n, (x) => ({ ...x, completedAt: e.at, outcome: 'completed' })),
      };
    }
    case 'TransferFailed':
      return {
        ...next,
        stage: e.backTo === 'agent' ? 'talking' : r.stage,
        transfers: mapTransfer(r.transfers, e.n, (x) => ({ ...x, endedAt: e.at, outcome: e.cause, backTo: e.backTo })),
      };
    case 'TransferCancelled':
      return { ...next, stage: 'talking', transfers: mapTransfer(r.transfers, e.n, (x) => ({ ...x, endedAt: e.at, outcome: 'cancelled', backTo: 'agent' })) };
    case 'TransferEnded':
      return { ...next, transfers: mapTransfer(r.transfers, e.n, (x) => ({ ...x, endedAt: e.at })) };
    case 'CallTransferredToQueue':
      return {
        ...next,
        queueId: e.queueId,
        transferredTo: { kind: 'queue', queueId: e.queueId },
        transfers: [
          ...r.transfers,
          { n: e.n, kind: 'queue', number: null, queueId: e.queueId, fromQueueId: e.fromQueueId, agentId: e.agentId, requestedAt: e.at, answeredAt: null, completedAt: e.at, endedAt: null, outcome: 'queued', backTo: null },
        ],
      };
    case 'MonitorRequested':
      return { ...next, monitors: [...r.monitors, { n: e.n, mode: e.mode, userId: e.userId, requestedAt: e.at, joinedAt: null, leftAt: null, joinedMs: null }] };
    case 'SupervisorJoined':
      return { ...next, monitors: r.monitors.map((m) => (m.n === e.n ? { ...m, joinedAt: e.at } : m)) };
    case 'SupervisorLeft':
      return { ...next, monitors: r.monitors.map((m) => (m.n === e.n ? { ...m, leftAt: e.at, joinedMs: e.joinedMs } : m)) };
    case 'CallCompleted':
      return {
        ...next,
        // The agent's part ends; a caller handed to an emergency line is still there.
        stage: r.stage === 'transferring' || r.stage === 'transferred' || r.stage === 'threeWay' || r.stage === 'consulting' ? r.stage : 'closing',
        // Conversations before and after a transfer to another queue add up.
        talkMs: r.talkMs !== null && r.transfers.some((x) => x.kind === 'queue') ? r.talkMs + e.talkMs : e.talkMs,
        conversationEndedBy: e.endedBy,
        times: { ...t, conversationEndedAt: e.at },
      };
    case 'CallerLost':
      return { ...next, callerLost: { why: e.why, lastSignAt: e.lastSignAt } };
    case 'WrapUpEnded':
      if (r.wrapUp !== null) return next;
      return {
        ...next,
        wrapUp: { agentId: e.agentId, startedAt: e.startedAt, endedAt: e.endedAt, endedBy: e.endedBy },
        wrapUpMs: Math.max(0, e.endedAt - e.startedAt),
      };
    case 'CallAbandoned':
      // A caller an agent already answered (then sent to another queue) was answered, not abandoned.
      if (r.outcome === 'answered') return { ...next, abandon: { stage: e.stage, position: e.position, waitMs: e.waitMs } };
      return {
        ...next,
        outcome: 'abandoned',
        waitMs: e.waitMs,
        abandon: { stage: e.stage, position: e.position, waitMs: e.waitMs },
      };
    case 'CallOverflowed':
      if (r.outcome === 'answered') return { ...next, stage: 'overflow', overflow: { reason: e.reason, position: e.position, waitMs: e.waitMs } };
      return {
        ...next,
        stage: 'overflow',
        outcome: 'overflow',
        waitMs: e.waitMs,
        overflow: { reason: e.reason, position: e.position, waitMs: e.waitMs },
      };
    case 'CallbackRequested':
      return { ...next, stage: 'closing', outcome: 'callback-requested', callbackRequested: true };
    case 'RatingRequested':
      if (r.rating.status === 'rated') return next;
      return {
        ...next,
        stage: 'rating',
        rating: { ...r.rating, status: 'pending', scale: e.scale },
        times: t.ratingAskedAt === null ? { ...t, ratingAskedAt: e.at } : t,
      };
    case 'RatingDigitInvalid':
      return { ...next, rating: { ...r.rating, invalidDigits: [...r.rating.invalidDigits, e.digit] } };
    case 'CallRated':
      // One rating per call: the first one stands.
      if (r.rating.status === 'rated') return next;
      return {
        ...next,
        stage: 'closing',
        rating: {
          ...r.rating,
          status: 'rated',
          scale: e.scale,
          digit: e.digit,
          value: e.value,
          code: e.code,
          label: e.label,
          satisfied: e.satisfied,
          notRatedReason: null,
        },
        times: { ...t, ratedAt: e.at },
      };
    case 'RatingNotGiven':
      if (r.rating.status === 'rated') return next;
      return { ...next, stage: 'closing', rating: { ...r.rating, status: 'not-rated', notRatedReason: e.reason } };
    case 'CallEnded':
      return ended(next, e);
    default:
      return assertNeverEvent(e);
  }
}

function ended(r: CallRecord, e: Extract<CallEvent, { type: 'CallEnded' }>): CallRecord {
  const t = r.times;
  let outcome = r.outcome;
  if (outcome === 'in-progress') outcome = e.reason === 'caller-hangup' ? 'abandoned' : 'lost';
  // Callers who left the queue without an agent: their wait ends now.
  const waitMs = r.waitMs ?? (t.queuedAt !== null ? e.at - t.queuedAt : null);
  const rating: CallRating =
    r.rating.status === 'pending'
      ? { ...r.rating, status: 'not-rated', notRatedReason: e.hungUpBy === 'caller' ? 'caller-hangup' : 'recovered' }
      : r.rating;
  return {
    ...r,
    stage: 'ended',
    complete: true,
    outcome,
    waitMs,
    rating,
    endReason: e.reason,
    hungUpBy: e.hungUpBy,
    totalMs: e.at - t.enteredAt,
    times: { ...t, endedAt: e.at },
  };
}

function assertNeverEvent(e: never): never {
  throw new RangeError(`unknown call event ${JSON.stringify(e)}`);
}
