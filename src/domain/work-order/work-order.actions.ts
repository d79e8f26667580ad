import type { WorkCalendar } from '../calendar/calendar.types';
import type { DeadlineRecount } from './deadline';
import type { RegulationPreset, SupervisionLevel } from './presets/preset.schema';
import type {
  Actor, AttachmentRef, CallbackResult, SurveyHandover, CompletionReport, DeadlineStage, ReturnReason, Resolution,
  Role, SatisfactionLevel, WorkOrder, WorkOrderStatus,
} from './work-order.types';

/** Optional audit fields every action may carry into the history entry. */
interface ActionBase {
  readonly comment?: string;
  readonly attachments?: readonly AttachmentRef[];
}

export interface DispatchTarget {
  readonly leadUnitId: string;
  readonly coUnitIds?: readonly string[];
  /** Named lead (牵头) by the hotline; defaults to true when co-units are given. */
  readonly leadDesignated?: boolean;
  /** Call volume surge: DB11 48 h dispatch rule. */
  readonly surge?: boolean;
}

export type WorkOrderAction = ActionBase &
  (
    | { readonly type: 'accept' }
    | { readonly type: 'answerDirect'; readonly kbArticleId: string; readonly answer: string }
    | { readonly type: 'invalidate'; readonly reason: string }
    | { readonly type: 'transferEmergency'; readonly target: '110' | '119' | '120' | '122' }
    | { readonly type: 'merge'; readonly masterId: string }
    | { readonly type: 'unmerge'; readonly reason: string }
    | ({ readonly type: 'dispatch' } & DispatchTarget)
    | { readonly type: 'sign' }
    | {
        readonly type: 'requestReturn';
        readonly reason: ReturnReason;
        readonly explanation: string;
        readonly needsSiteCheck?: boolean;
        readonly suggestedUnitId?: string;
        readonly evidence: readonly AttachmentRef[];
      }
    | { readonly type: 'approveReturn'; readonly redispatchTo?: DispatchTarget }
    | { readonly type: 'rejectReturn'; readonly reason: string }
    | { readonly type: 'recordContactAttempt'; readonly channel: 'phone' | 'sms'; readonly reached: boolean; readonly note?: string }
    | { readonly type: 'recordHandling'; readonly note: string }
    | { readonly type: 'requestExtension'; readonly step: number; readonly reason: string }
    | { readonly type: 'approveExtension' }
    | { readonly type: 'rejectExtension'; readonly reason: string }
    | { readonly type: 'complete'; readonly summary: string; readonly report?: CompletionReport }
    | { readonly type: 'passReview' }
    | { readonly type: 'sendBack'; readonly reason: string }
    | { readonly type: 'recordFeedback'; readonly channel: 'phone' | 'sms' | 'visit' | 'other' }
    | {
        readonly type: 'recordCallback';
        /**
         * With a `level`: absent (derived from the preset's satisfied levels). Without one: a
         * two-level answer (satisfied / unsatisfied), or unreachable / declined.
         */
        readonly result?: CallbackResult;
        readonly level?: SatisfactionLevel;
        readonly contacted?: boolean;
        readonly feedbackReceived?: boolean;
        readonly resolution?: Resolution;
        /** Recorded by the survey job: the survey call's channel id. */
        readonly surveyCallId?: string;
        /** Recorded by the survey job: the citizen pressed 0 and the call went to the agent queue. */
        readonly handover?: SurveyHandover;
      }
    | { readonly type: 'close'; readonly reason: string }
    | { readonly type: 'linkRepeat'; readonly rootOrderId: string; readonly repeatNumber: number; readonly escalate: boolean }
    | { readonly type: 'escalate'; readonly reason: string }
    /** The caller asks for confidentiality (保密, 002 第五条); it is not withdrawn. */
    | { readonly type: 'markConfidential' }
    /** The call the order was made from, for an order created without it (one call per order). */
    | { readonly type: 'linkCall'; readonly callId: string }
    /** The official calendar changed: open provisional deadlines are counted again (recomputeProvisionalDeadlines). */
    | { readonly type: 'recomputeDeadlines'; readonly reason: string }
    | {
        readonly type: 'recordNotice';
        readonly key: string;
        readonly kind: 'reminder' | 'supervision';
        readonly stage: DeadlineStage;
        readonly level: 'reminder' | SupervisionLevel;
      }
  );

export type WorkOrderActionType = WorkOrderAction['type'];

/** One deadline moved by a calendar change (deadline.ts `recountProvisionalDeadlines`). */
export type DeadlineChange = DeadlineRecount;

export interface TransitionContext {
  readonly now: Date;
  readonly actor: Actor;
  readonly preset: RegulationPreset;
  readonly calendar: WorkCalendar;
  /** Overrides the deterministic callback sampling (tests, manual selection). */
  readonly callbackSampled?: boolean;
}

export type WorkOrderEvent =
  | { readonly type: 'StatusChanged'; readonly orderId: string; readonly from: WorkOrderStatus; readonly to: WorkOrderStatus; readonly action: WorkOrderActionType }
  | { readonly type: 'DeadlinesSet'; readonly orderId: string; readonly stages: readonly DeadlineStage[] }
  | { readonly type: 'ReturnDecided'; readonly orderId: string; readonly unitId: string; readonly decision: 'approved' | 'rejected' }
  | { readonly type: 'ExtensionDecided'; readonly orderId: string; readonly decision: 'approved' | 'rejected' }
  | { readonly type: 'ContactRetryDue'; readonly orderId: string; readonly notBefore: Date }
  | { readonly type: 'CallbackDue'; readonly orderId: string; readonly notBefore: Date }
  | { readonly type: 'Reopened'; readonly orderId: string; readonly reopenCount: number }
  | { readonly type: 'Escalated'; readonly orderId: string; readonly reason: string }
  | { readonly type: 'DeadlinesRecomputed'; readonly orderId: string; readonly changes: readonly DeadlineChange[] }
  | { readonly type: 'NoticeRecorded'; readonly orderId: string; readonly key: string; readonly kind: 'reminder' | 'supervision'; readonly stage: DeadlineStage; readonly level: string };

export type TransitionErrorCode =
  | 'WORK_ORDER.INVALID_TRANSITION'
  | 'WORK_ORDER.FORBIDDEN_ROLE'
  | 'WORK_ORDER.NOT_ASSIGNED_UNIT'
  | 'WORK_ORDER.INVALID_INPUT'
  | 'WORK_ORDER.RETURN_NOT_ALLOWED'
  | 'WORK_ORDER.RETURN_LIMIT_REACHED'
  | 'WORK_ORDER.RETURN_WINDOW_PASSED'
  | 'WORK_ORDER.RETURN_EVIDENCE_MISSING'
  | 'WORK_ORDER.EXTENSION_LIMIT_REACHED'
  | 'WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED'
  | 'WORK_ORDER.EXTENSION_TOTAL_EXCEEDED'
  | 'WORK_ORDER.EXTENSION_TOO_LATE'
  | 'WORK_ORDER.NO_DEADLINE'
  | 'WORK_ORDER.CONTACT_RETRY_TOO_SOON'
  | 'WORK_ORDER.CONTACT_PHONE_FIRST'
  | 'WORK_ORDER.FIRST_CONTACT_MISSING'
  | 'WORK_ORDER.COMPLETION_REPORT_INCOMPLETE'
  | 'WORK_ORDER.CALLBACK_NO_CONSENT'
  | 'WORK_ORDER.NOTICE_ALREADY_SENT'
  | 'WORK_ORDER.NOTHING_TO_RECOMPUTE';

export type TransitionResult =
  | { readonly ok: true; readonly order: WorkOrder; readonly events: readonly WorkOrderEvent[] }
  | { readonly ok: false; readonly code: TransitionErrorCode; readonly reason: string };

const HOTLINE: readonly Role[] = ['agent', 'supervisor'];
const SUPERVISOR: readonly Role[] = ['supervisor'];
const UNIT: readonly Role[] = ['unitHandler'];

/** Who may perform each action. Fine-grained access (which unit, masking) is the app layer's job. */
export const ACTION_ROLES: Readonly<Record<WorkOrderActionType, readonly Role[]>> = {
  accept: HOTLINE,
  answerDirect: HOTLINE,
  invalidate: HOTLINE,
  // The system too: an order made from a call the agent handed to 110/119/120/122 follows the call.
  transferEmergency: ['agent', 'supervisor', 'system'],
  // Merging makes an order follow another one, and linking a repeat can escalate it: the
  // supervisor's decisions, as escalating is (the app checks the target exists and is visible).
  merge: ['supervisor', 'system'],
  unmerge: SUPERVISOR,
  dispatch: HOTLINE,
  sign: UNIT,
  requestReturn: UNIT,
  approveReturn: SUPERVISOR,
  rejectReturn: SUPERVISOR,
  // The system records the SMS it sent when the unit's calls did not reach the citizen (smsIfNeverReached).
  recordContactAttempt: [...UNIT, 'system'],
  recordHandling: UNIT,
  requestExtension: UNIT,
  approveExtension: SUPERVISOR,
  rejectExtension: SUPERVISOR,
  complete: UNIT,
  passReview: SUPERVISOR,
  sendBack: SUPERVISOR,
  recordFeedback: ['unitHandler', 'agent', 'supervisor'],
  recordCallback: ['agent', 'supervisor', 'system'],
  close: ['supervisor', 'system'],
  linkRepeat: ['supervisor', 'system'],
  escalate: ['supervisor', 'system'],
  markConfidential: HOTLINE,
  linkCall: HOTLINE,
  recomputeDeadlines: ['system'],
  recordNotice: ['supervisor', 'system'],
};

const OPEN_BEFORE_REVIEW: readonly WorkOrderStatus[] = [
  'DRAFT', 'PENDING_DISPATCH', 'PENDING_SIGN', 'RETURN_REQUESTED', 'IN_PROGRESS', 'EXTENSION_REQUESTED', 'PENDING_REVIEW',
];

/** States in which each action is accepted; everything else is `WORK_ORDER.INVALID_TRANSITION`. */
export const ACTION_STATES: Readonly<Record<WorkOrderActionType, readonly WorkOrderStatus[]>> = {
  accept: ['DRAFT'],
  answerDirect: ['DRAFT', 'PENDING_DISPATCH'],
  invalidate: ['DRAFT', 'PENDING_DISPATCH'],
  transferEmergency: ['DRAFT', 'PENDING_DISPATCH'],
  merge: ['DRAFT', 'PENDING_DISPATCH', 'PENDING_SIGN'],
  unmerge: ['MERGED'],
  dispatch: ['PENDING_DISPATCH'],
  sign: ['PENDING_SIGN'],
  requestReturn: ['PENDING_SIGN', 'IN_PROGRESS'],
  approveReturn: ['RETURN_REQUESTED'],
  rejectReturn: ['RETURN_REQUESTED'],
  recordContactAttempt: ['IN_PROGRESS', 'EXTENSION_REQUESTED'],
  recordHandling: ['IN_PROGRESS', 'EXTENSION_REQUESTED'],
  requestExtension: ['IN_PROGRESS'],
  approveExtension: ['EXTENSION_REQUESTED'],
  rejectExtension: ['EXTENSION_REQUESTED'],
  complete: ['IN_PROGRESS'],
  passReview: ['PENDING_REVIEW'],
  sendBack: ['PENDING_REVIEW'],
  recordFeedback: ['PENDING_FEEDBACK'],
  recordCallback: ['PENDING_CALLBACK'],
  close: ['PENDING_CALLBACK'],
  linkRepeat: OPEN_BEFORE_REVIEW,
  escalate: OPEN_BEFORE_REVIEW,
  markConfidential: [...OPEN_BEFORE_REVIEW, 'PENDING_FEEDBACK', 'PENDING_CALLBACK'],
  linkCall: [...OPEN_BEFORE_REVIEW, 'PENDING_FEEDBACK', 'PENDING_CALLBACK'],
  recomputeDeadlines: [...OPEN_BEFORE_REVIEW, 'PENDING_FEEDBACK', 'PENDING_CALLBACK'],
  recordNotice: [...OPEN_BEFORE_REVIEW, 'PENDING_FEEDBACK', 'PENDING_CALLBACK'],
};

/** Actions a unit handler takes on its own order: the actor must belong to the lead unit. */
export const LEAD_UNIT_ACTIONS: ReadonlySet<WorkOrderActionType> = new Set([
  'sign', 'requestReturn', 'recordContactAttempt', 'recordHandling', 'requestExtension', 'complete', 'recordFeedback',
]);
