import { addDays, startOfLocalDay, toLocalDate } from '../calendar/local-time';
import { subtractWorkdays } from '../calendar/work-calendar';
import { computeDueAt, handlingDeadline } from './deadline';
import type { TransitionContext, TransitionErrorCode } from './work-order.actions';
import { COMPLETION_REPORT_FIELDS, type CompletionReport, type WorkOrder } from './work-order.types';

/** A guard passes (undefined) or says why not. */
export type GuardFailure = { readonly code: TransitionErrorCode; readonly reason: string } | undefined;

const fail = (code: TransitionErrorCode, reason: string): GuardFailure => ({ code, reason });

export interface ReturnInput {
  readonly explanation: string;
  readonly evidence: readonly { readonly kind?: string }[];
  readonly needsSiteCheck?: boolean;
}

/** 退单 guards of the preset's return policy (青浦 第九条(二), 延吉 五(一)2, 七里河 五(二)). */
export function checkReturn(order: WorkOrder, input: ReturnInput, ctx: TransitionContext): GuardFailure {
  const policy = ctx.preset.return;
  const unitId = order.leadUnitId ?? '';
  if (order.status === 'IN_PROGRESS' && policy.forbidden.includes('afterSign')) {
    return fail('WORK_ORDER.RETURN_NOT_ALLOWED', 'a signed order cannot be returned under this preset');
  }
  if (order.leadDesignated && policy.forbidden.includes('leadDesignated')) {
    return fail('WORK_ORDER.RETURN_NOT_ALLOWED', 'the hotline named this unit lead (牵头); it may not return the order');
  }
  if (order.forcedDispatch && policy.forbidden.includes('forcedDispatch')) {
    return fail('WORK_ORDER.RETURN_NOT_ALLOWED', 'a return was already rejected; the unit is 首办责任单位');
  }
  if (order.dispatchCount > 1 && policy.forbidden.includes('redispatched')) {
    return fail('WORK_ORDER.RETURN_NOT_ALLOWED', 'the order was dispatched again (再次派单); it may not be returned');
  }
  const byUnit = order.returns.filter((r) => r.unitId === unitId).length;
  if (policy.maxCount !== null && byUnit >= policy.maxCount) {
    return fail('WORK_ORDER.RETURN_LIMIT_REACHED', `this unit already returned the order ${byUnit} time(s); limit ${policy.maxCount}`);
  }
  if (policy.evidenceRequired && (input.explanation.trim() === '' || input.evidence.length === 0)) {
    return fail('WORK_ORDER.RETURN_EVIDENCE_MISSING', 'a return needs a reason and at least one piece of evidence (依据)');
  }
  if (policy.photoRequired && !input.evidence.some((e) => e.kind === 'photo')) {
    return fail('WORK_ORDER.RETURN_EVIDENCE_MISSING', 'a return needs a site photo (现场照片) among its evidence');
  }
  const window = order.deadlines.return;
  if (window) {
    let dueAt = window.dueAt;
    if (input.needsSiteCheck && policy.siteCheckLimit !== null) {
      dueAt = computeDueAt(window.startAt, { ...window.rule, limit: policy.siteCheckLimit }, ctx.calendar).dueAt;
    }
    if (ctx.now.getTime() > dueAt.getTime()) {
      return fail('WORK_ORDER.RETURN_WINDOW_PASSED', `the return window ended at ${dueAt.toISOString()}; the order counts as accepted`);
    }
  }
  return undefined;
}

/** 延期 guards: count, step sizes, total cap, "not within N working days of the deadline". */
export function checkExtension(order: WorkOrder, step: number, ctx: TransitionContext): GuardFailure {
  const policy = ctx.preset.extension;
  if (!(step > 0) || (policy.unit === 'workingDays' && !Number.isInteger(step))) {
    return fail('WORK_ORDER.INVALID_INPUT', `extension step must be a positive ${policy.unit === 'workingDays' ? 'whole ' : ''}number of ${policy.unit}`);
  }
  const approved = order.extensions.filter((e) => e.decision === 'approved');
  // 延吉 五(一)4 "每件申请延期累计不得超过3次" caps applications; 青浦 第九条(三)2 "已延期过一次的工单不得再次延期" approved ones.
  const counted = policy.counts === 'applications' ? order.extensions.length : approved.length;
  if (policy.maxCount !== null && counted >= policy.maxCount) {
    const what = policy.counts === 'applications' ? 'applied for an extension' : 'extended';
    return fail('WORK_ORDER.EXTENSION_LIMIT_REACHED', `already ${what} ${counted} time(s); limit ${policy.maxCount}`);
  }
  if (policy.allowedSteps && !policy.allowedSteps.includes(step)) {
    return fail('WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED', `step must be one of ${policy.allowedSteps.join('/')} ${policy.unit}`);
  }
  if (policy.maxStep !== null && step > policy.maxStep) {
    return fail('WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED', `step may be at most ${policy.maxStep} ${policy.unit}`);
  }
  const total = approved.reduce((sum, e) => sum + e.step.value, 0) + step;
  if (policy.maxTotal !== null && total > policy.maxTotal) {
    return fail('WORK_ORDER.EXTENSION_TOTAL_EXCEEDED', `extensions would total ${total} ${policy.unit}; cap ${policy.maxTotal}`);
  }
  const deadline = handlingDeadline(order.deadlines);
  if (!deadline) return fail('WORK_ORDER.NO_DEADLINE', 'the order has no handling deadline to extend');
  const cutoff = extensionCutoff(deadline.dueAt, policy.notWithinWorkingDaysOfDeadline, ctx);
  if (ctx.now.getTime() >= cutoff.getTime()) {
    return fail('WORK_ORDER.EXTENSION_TOO_LATE', `an extension had to be requested before ${cutoff.toISOString()}`);
  }
  return undefined;
}

/**
 * Latest moment (exclusive) to ask for an extension: the start of the N-th working day counted
 * back from the deadline day (the deadline day itself counts when it is a working day). N = 0:
 * the deadline itself.
 */
export function extensionCutoff(dueAt: Date, n: number, ctx: Pick<TransitionContext, 'calendar'>): Date {
  if (n === 0) return new Date(dueAt.getTime() + 1);
  const dueDay = toLocalDate(dueAt);
  const first = subtractWorkdays(ctx.calendar, addDays(dueDay, 1), n).value;
  return startOfLocalDay(first);
}

/** 先行联系 retry spacing (青浦 第九条(一): ≥ 1 h) and phone-before-SMS. */
export function checkContactAttempt(order: WorkOrder, channel: 'phone' | 'sms', ctx: TransitionContext): GuardFailure {
  if (order.firstContactAt) return undefined;
  const policy = ctx.preset.firstContact;
  const since = order.dispatchedAt?.getTime() ?? 0;
  const failedPhone = order.contactAttempts.filter((a) => a.channel === 'phone' && !a.reached && a.at.getTime() >= since);
  if (channel === 'sms') {
    if (policy.smsIfNeverReached && failedPhone.length === 0) {
      return fail('WORK_ORDER.CONTACT_PHONE_FIRST', 'try the caller by phone before falling back to SMS');
    }
    return undefined;
  }
  const last = failedPhone[failedPhone.length - 1];
  if (last) {
    const next = last.at.getTime() + policy.minRetryIntervalMinutes * 60_000;
    if (ctx.now.getTime() < next) {
      return fail('WORK_ORDER.CONTACT_RETRY_TOO_SOON', `retry no earlier than ${new Date(next).toISOString()} (≥ ${policy.minRetryIntervalMinutes} min apart)`);
    }
  }
  return undefined;
}

/** 办结 guards: first contact where required, and the 10-item report (青浦 第九条(四)). */
export function checkCompletion(order: WorkOrder, summary: string, report: CompletionReport | undefined, ctx: TransitionContext): GuardFailure {
  if (summary.trim() === '') return fail('WORK_ORDER.INVALID_INPUT', 'a completion needs a summary');
  if (ctx.preset.firstContact.requiredBeforeCompletion && !order.firstContactAt) {
    return fail('WORK_ORDER.FIRST_CONTACT_MISSING', 'record the first contact with the caller (先行联系) before completing');
  }
  if (ctx.preset.completionReportRequired) {
    const missing = missingReportFields(report);
    if (missing.length > 0) {
      return fail('WORK_ORDER.COMPLETION_REPORT_INCOMPLETE', `completion report lacks: ${missing.join(', ')}`);
    }
  }
  return undefined;
}

export function missingReportFields(report: CompletionReport | undefined): (keyof CompletionReport)[] {
  if (!report) return [...COMPLETION_REPORT_FIELDS];
  return COMPLETION_REPORT_FIELDS.filter((f) => typeof report[f] !== 'string' || report[f].trim() === '');
}
