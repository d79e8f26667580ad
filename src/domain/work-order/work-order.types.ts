/**
 * Work order (工单) model. Plain data: instants are `Date`, local dates are `YYYY-MM-DD`.
 * Everything here is persisted as-is by the repository.
 */

export const KNOWN_CATEGORIES = ['咨询', '求助', '投诉', '举报', '建议', '表扬', '其他'] as const;
export type KnownCategory = (typeof KNOWN_CATEGORIES)[number];
/** Known categories plus any a deployment adds (e.g. '意见'); `string & {}` keeps autocompletion. */
export type Category = KnownCategory | (string & {});

/** Urgency classes of DB11 (北京 2023): 紧急, 民生 (水电气热、极端天气), 一般, 疑难. */
export const URGENCIES = ['紧急', '民生', '一般', '疑难'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const ROLES = ['agent', 'supervisor', 'unitHandler', 'administrator', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** Set for `unitHandler`: the unit the person acts for. */
  readonly unitId?: string;
}

export const DEADLINE_STAGES = ['dispatch', 'sign', 'firstContact', 'return', 'complete', 'feedback', 'callback'] as const;
/** dispatch 派单, sign 签收, firstContact 先行联系, return 退单 window, complete 办结, feedback 反馈, callback 回访. */
export type DeadlineStage = (typeof DEADLINE_STAGES)[number];

export const LIMIT_UNITS = ['minutes', 'hours', 'naturalDays', 'workingDays'] as const;
export type LimitUnit = (typeof LIMIT_UNITS)[number];
/** Whether counting starts on the receipt day or on the following day. */
export type ClockStart = 'receipt' | 'nextDay';

export interface Duration {
  readonly value: number;
  readonly unit: LimitUnit;
}

export interface AttachmentRef {
  readonly id: string;
  readonly name?: string;
  readonly kind?: 'photo' | 'recording' | 'document' | 'other';
}

export type CallbackConsent = 'granted' | 'declined' | 'unknown';

export interface Caller {
  readonly name?: string;
  readonly phone?: string;
  readonly address?: string;
  /** 保密: identity hidden from anyone not handling the order (002 第五条). */
  readonly confidential: boolean;
  /** DB11: no callback when the caller said no. */
  readonly callbackConsent: CallbackConsent;
  /** Asked not to be called by a machine: surveyed by an agent only. */
  readonly noAutomatedCalls?: boolean;
}

export type WorkOrderStatus =
  | 'DRAFT' // 受理中
  | 'PENDING_DISPATCH' // 待派单
  | 'PENDING_SIGN' // 待签收
  | 'RETURN_REQUESTED' // 退单申请
  | 'IN_PROGRESS' // 办理中
  | 'EXTENSION_REQUESTED' // 延期申请
  | 'PENDING_REVIEW' // 已办结待审核
  | 'PENDING_FEEDBACK' // 待反馈来电人
  | 'PENDING_CALLBACK' // 待回访
  | 'CLOSED' // 办结归档
  | 'MERGED' // 并单
  | 'INVALID' // 无效
  | 'EMERGENCY_TRANSFERRED'; // 转110/119/120/122

export const WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = [
  'DRAFT', 'PENDING_DISPATCH', 'PENDING_SIGN', 'RETURN_REQUESTED', 'IN_PROGRESS', 'EXTENSION_REQUESTED',
  'PENDING_REVIEW', 'PENDING_FEEDBACK', 'PENDING_CALLBACK', 'CLOSED', 'MERGED', 'INVALID', 'EMERGENCY_TRANSFERRED',
];

export const TERMINAL_STATUSES: ReadonlySet<WorkOrderStatus> = new Set(['CLOSED', 'MERGED', 'INVALID', 'EMERGENCY_TRANSFERRED']);

/** The rule a deadline came from, copied onto the order so later preset edits do not rewrite history. */
export interface RuleSnapshot {
  readonly presetId: string;
  readonly ruleId: string;
  readonly limit: number;
  readonly unit: LimitUnit;
  readonly clockStart: ClockStart;
  readonly inclusive: boolean;
  readonly source: string;
}

export interface Deadline {
  readonly stage: DeadlineStage;
  readonly startAt: Date;
  readonly dueAt: Date;
  /** True when a working-day count touched a year without official calendar data. */
  readonly provisional: boolean;
  readonly rule: RuleSnapshot;
  /** Working/natural days added by approved extensions, in the rule's unit. */
  readonly extendedBy: number;
  /** When the stage was done; unset while it is open. */
  readonly metAt?: Date;
}

export type Deadlines = Partial<Record<DeadlineStage, Deadline>>;

export interface ContactAttempt {
  readonly at: Date;
  readonly channel: 'phone' | 'sms';
  readonly reached: boolean;
  readonly note?: string;
}

/** 办结报告, the ten items of 青浦 2020 第九条(四). */
export interface CompletionReport {
  readonly firstContact: string; // (1) 先行联系情况
  readonly siteVisit: string; // (2) 现场查看情况
  readonly facts: string; // (3) 事实认定情况
  readonly requestAssessment: string; // (4) 诉求认定情况
  readonly actionsAndBasis: string; // (5) 工单办理情况及相关规定、政策依据
  readonly result: string; // (6) 办理结果
  readonly replyToCaller: string; // (7) 答复市民情况
  readonly callerSatisfaction: string; // (8) 市民满意度情况
  readonly otherNotes: string; // (9) 需要说明的其他情况
  readonly handlerAndResponsible: string; // (10) 经办人、负责人信息
}

export const COMPLETION_REPORT_FIELDS: readonly (keyof CompletionReport)[] = [
  'firstContact', 'siteVisit', 'facts', 'requestAssessment', 'actionsAndBasis',
  'result', 'replyToCaller', 'callerSatisfaction', 'otherNotes', 'handlerAndResponsible',
];

export type ReturnReason = 'notOurDuty' | 'missingKeyElements' | 'duplicateOfExtended' | 'outOfScope' | 'wrongArea';

export interface ReturnRequest {
  readonly unitId: string;
  readonly requestedAt: Date;
  readonly reason: ReturnReason;
  readonly explanation: string;
  readonly needsSiteCheck: boolean;
  readonly suggestedUnitId?: string;
  readonly evidence: readonly AttachmentRef[];
  readonly decision?: 'approved' | 'rejected';
  readonly decidedAt?: Date;
  /** Status the order goes back to when the request is rejected. */
  readonly fromStatus: 'PENDING_SIGN' | 'IN_PROGRESS';
}

export interface ExtensionRequest {
  readonly requestedAt: Date;
  readonly step: Duration;
  readonly reason: string;
  readonly decision?: 'approved' | 'rejected';
  readonly decidedAt?: Date;
}

/** The national five-level scale of 好差评 (国办发〔2019〕51号), best first. */
export const SATISFACTION_LEVELS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'] as const;
export type SatisfactionLevel = (typeof SATISFACTION_LEVELS)[number];

/**
 * `satisfied` / `unsatisfied` as the order's preset counts the caller's level (callbackPolicy.satisfiedLevels);
 * a two-level answer without a level is read as 满意 / 不满意. `toAgent` (转人工): the citizen pressed 0
 * in the automated survey and an agent answered the call; the order waits for that agent's result.
 */
export type CallbackResult = 'satisfied' | 'unsatisfied' | 'unreachable' | 'declined' | 'toAgent';
export type Resolution = 'resolved' | 'partlyResolved' | 'unresolved';

export interface CallbackRecord {
  readonly at: Date;
  readonly result: CallbackResult;
  /** Caller confirms the unit contacted them (响应). */
  readonly contacted?: boolean;
  /** Caller confirms they were told the outcome (反馈). */
  readonly feedbackReceived?: boolean;
  readonly resolution?: Resolution;
  /** The caller's level on the five-level scale, when reached. */
  readonly level?: SatisfactionLevel;
  /** The automated survey call this result came from (回访 by phone; absent for an agent's callback). */
  readonly surveyCallId?: string;
  /**
   * The citizen pressed 0 in the survey and the call went to the agent queue (the call's record is
   * `surveyCallId`): the agent who answered it, or null when none did (the attempt is then unreachable).
   */
  readonly handover?: SurveyHandover;
}

export interface SurveyHandover {
  readonly agentId: string | null;
}

export type Closure =
  | { readonly kind: 'directAnswer'; readonly kbArticleId: string }
  | { readonly kind: 'callback'; readonly result: CallbackResult }
  | { readonly kind: 'noCallback'; readonly reason: 'notSampled' | 'noConsent' | 'closedBySupervisor' };

export interface HistoryEntry {
  readonly seq: number;
  readonly action: string;
  readonly actor: string;
  readonly role: Role;
  readonly at: Date;
  readonly fromStatus: WorkOrderStatus;
  readonly toStatus: WorkOrderStatus;
  readonly comment?: string;
  readonly attachments: readonly AttachmentRef[];
}

export interface WorkOrder {
  readonly id: string;
  /** Readable, unique, sortable: `WO20261123-000123`. */
  readonly number: string;
  readonly presetId: string;
  readonly status: WorkOrderStatus;
  readonly createdAt: Date;
  readonly acceptedAt?: Date;
  readonly callId?: string;
  readonly recordingId?: string;
  readonly caller: Caller;
  readonly category: Category;
  readonly urgency: Urgency;
  readonly content: string;
  /** 属地 code (district / street). */
  readonly areaCode: string;
  readonly location?: string;
  readonly leadUnitId?: string;
  readonly coUnitIds: readonly string[];
  /** A return was rejected: the unit is 首办责任单位 and may not return again. */
  readonly forcedDispatch: boolean;
  /** The hotline named this unit lead (牵头) explicitly; 002 forbids returning such orders. */
  readonly leadDesignated: boolean;
  readonly dispatchCount: number;
  readonly dispatchedAt?: Date;
  readonly signedAt?: Date;
  readonly deadlines: Deadlines;
  readonly contactAttempts: readonly ContactAttempt[];
  readonly firstContactAt?: Date;
  readonly returns: readonly ReturnRequest[];
  readonly extensions: readonly ExtensionRequest[];
  readonly completionReport?: CompletionReport;
  readonly completedAt?: Date;
  readonly reviewedAt?: Date;
  readonly sendBackCount: number;
  readonly feedbackAt?: Date;
  readonly callbacks: readonly CallbackRecord[];
  readonly reopenCount: number;
  readonly kbArticleId?: string;
  readonly mergedInto?: string;
  /** The status the order had when it was merged, restored by `unmerge`. */
  readonly mergedFromStatus?: WorkOrderStatus;
  readonly repeatOf?: string;
  readonly repeatNumber: number;
  readonly escalated: boolean;
  readonly closedAt?: Date;
  readonly closure?: Closure;
  /** Idempotency keys of 催办/督办 notices already sent. */
  readonly sentNoticeKeys: readonly string[];
  readonly history: readonly HistoryEntry[];
}
