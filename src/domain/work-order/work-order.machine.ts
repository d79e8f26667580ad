import { isSampledForCallback } from './callback-sampling';
import { assertNever, computeDeadlines, deadlineFromRule, extendDeadline, recountProvisionalDeadlines, type DeadlineRecount } from './deadline';
import { selectRule } from './presets/rule-select';
import {
  ACTION_ROLES, ACTION_STATES, LEAD_UNIT_ACTIONS,
  type DispatchTarget, type TransitionContext, type TransitionErrorCode, type TransitionResult,
  type WorkOrderAction, type WorkOrderEvent,
} from './work-order.actions';
import { checkCompletion, checkContactAttempt, checkExtension, checkReturn } from './work-order.guards';
import type { CallbackPolicy } from './presets/preset.schema';
import {
  SATISFACTION_LEVELS,
  type CallbackResult, type SatisfactionLevel, type Closure, type Deadline, type Deadlines, type DeadlineStage, type WorkOrder, type WorkOrderStatus,
} from './work-order.types';

/** Stages whose clock starts at dispatch (and restarts on re-dispatch). */
const UNIT_STAGES: readonly DeadlineStage[] = ['sign', 'firstContact', 'return', 'complete', 'feedback'];
/** Stages that restart when the caller is unhappy and the order is redone (重办). */
const REDO_STAGES: readonly DeadlineStage[] = ['complete', 'feedback'];

/** `note`: what the step itself adds to the history entry's comment. */
type Change = { readonly order: WorkOrder; readonly events: readonly WorkOrderEvent[]; readonly note?: string };
type Step = Change | { readonly code: TransitionErrorCode; readonly reason: string };

const no = (code: TransitionErrorCode, reason: string): Step => ({ code, reason });
const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/**
 * The work-order state machine: a pure function of the order, one action and the context
 * (clock, actor, active regulation preset, calendar). It never throws for a bad action: it
 * returns `ok: false` with a stable code and leaves the order untouched.
 */
export function transition(order: WorkOrder, action: WorkOrderAction, ctx: TransitionContext): TransitionResult {
  // Actions arrive from HTTP bodies: an unknown type is an input error, not a crash.
  const states: readonly WorkOrderStatus[] | undefined = Object.hasOwn(ACTION_STATES, action.type) ? ACTION_STATES[action.type] : undefined;
  if (!states) return { ok: false, code: 'WORK_ORDER.INVALID_INPUT', reason: `unknown action ${String(action.type)}` };
  // A terminal status accepts only the actions that list it (unmerge of a merged order).
  if (!states.includes(order.status)) {
    return { ok: false, code: 'WORK_ORDER.INVALID_TRANSITION', reason: `${action.type} is not allowed in ${order.status}` };
  }
  if (!ACTION_ROLES[action.type].includes(ctx.actor.role)) {
    return { ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE', reason: `${ctx.actor.role} may not ${action.type}` };
  }
  if (ctx.actor.role === 'unitHandler' && LEAD_UNIT_ACTIONS.has(action.type) && ctx.actor.unitId !== order.leadUnitId) {
    return { ok: false, code: 'WORK_ORDER.NOT_ASSIGNED_UNIT', reason: 'only the lead unit may act on this order' };
  }
  const step = apply(order, action, ctx);
  if (!('order' in step)) return { ok: false, code: step.code, reason: step.reason };
  const next = withHistory(step.order, order.status, action, ctx, step.note);
  const events: WorkOrderEvent[] = [];
  if (next.status !== order.status) {
    events.push({ type: 'StatusChanged', orderId: order.id, from: order.status, to: next.status, action: action.type });
  }
  return { ok: true, order: next, events: [...events, ...step.events] };
}

function apply(o: WorkOrder, a: WorkOrderAction, ctx: TransitionContext): Step {
  const { now } = ctx;
  switch (a.type) {
    case 'accept': {
      const deadlines = computeDeadlines(['dispatch'], now, o, ctx.preset, ctx.calendar);
      return done({ ...o, status: 'PENDING_DISPATCH', acceptedAt: now, deadlines: { ...o.deadlines, ...deadlines } }, deadlinesSet(o, deadlines));
    }
    case 'answerDirect':
      if (blank(a.kbArticleId) || blank(a.answer)) return no('WORK_ORDER.INVALID_INPUT', 'a direct answer needs the knowledge-base article and the answer given');
      return done(close({ ...o, kbArticleId: a.kbArticleId, deadlines: met(o.deadlines, ['dispatch'], now) }, { kind: 'directAnswer', kbArticleId: a.kbArticleId }, now));
    case 'invalidate':
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the request is invalid');
      return done({ ...o, status: 'INVALID', closedAt: now });
    case 'transferEmergency':
      return done({ ...o, status: 'EMERGENCY_TRANSFERRED', closedAt: now });
    case 'merge':
      if (blank(a.masterId) || a.masterId === o.id) return no('WORK_ORDER.INVALID_INPUT', 'merge needs another order as master');
      return done({ ...o, status: 'MERGED', mergedInto: a.masterId, mergedFromStatus: o.status });
    case 'unmerge': {
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the merge is undone');
      const { mergedInto: _master, mergedFromStatus, ...rest } = o;
      // Orders merged before the status was kept go back to dispatch.
      return done({ ...rest, status: mergedFromStatus ?? 'PENDING_DISPATCH' });
    }
    case 'dispatch':
      return dispatchTo(o, a, ctx);
    case 'sign':
      return done({ ...o, status: 'IN_PROGRESS', signedAt: now, deadlines: met(o.deadlines, ['sign'], now) });
    case 'requestReturn': {
      const failure = checkReturn(o, a, ctx);
      if (failure) return failure;
      const fromStatus = o.status === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'PENDING_SIGN';
      const request = {
        unitId: o.leadUnitId ?? '', requestedAt: now, reason: a.reason, explanation: a.explanation,
        needsSiteCheck: a.needsSiteCheck ?? false, evidence: a.evidence, fromStatus,
        ...(a.suggestedUnitId !== undefined ? { suggestedUnitId: a.suggestedUnitId } : {}),
      } as const;
      return done({ ...o, status: 'RETURN_REQUESTED', returns: [...o.returns, request] });
    }
    case 'approveReturn': {
      const unitId = o.leadUnitId ?? '';
      const decided = { ...o, returns: decideLast(o.returns, 'approved', now) };
      const event: WorkOrderEvent = { type: 'ReturnDecided', orderId: o.id, unitId, decision: 'approved' };
      if (a.redispatchTo) {
        const step = dispatchTo({ ...decided, status: 'PENDING_DISPATCH' }, a.redispatchTo, ctx);
        return 'order' in step ? done(step.order, [event, ...step.events]) : step;
      }
      const dispatchDl = computeDeadlines(['dispatch'], now, o, ctx.preset, ctx.calendar);
      const deadlines = { ...withoutStages(o.deadlines, UNIT_STAGES), ...dispatchDl };
      const cleared = { ...decided, status: 'PENDING_DISPATCH' as const, deadlines, coUnitIds: [] };
      const { leadUnitId: _lead, signedAt: _signed, ...rest } = cleared;
      return done(rest, [event, ...deadlinesSet(o, dispatchDl)]);
    }
    case 'rejectReturn': {
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the return is rejected');
      // Forced dispatch: the unit now owns the order (首办责任单位) and counts as having signed.
      return done(
        {
          ...o, status: 'IN_PROGRESS', forcedDispatch: true, signedAt: o.signedAt ?? now,
          returns: decideLast(o.returns, 'rejected', now), deadlines: met(o.deadlines, ['sign'], now),
        },
        [{ type: 'ReturnDecided', orderId: o.id, unitId: o.leadUnitId ?? '', decision: 'rejected' }],
      );
    }
    case 'recordContactAttempt': {
      const failure = checkContactAttempt(o, a.channel, ctx);
      if (failure) return failure;
      const attempt = { at: now, channel: a.channel, reached: a.reached, ...(a.note !== undefined ? { note: a.note } : {}) };
      const hadFailedPhone = o.contactAttempts.some((x) => x.channel === 'phone' && !x.reached && x.at.getTime() >= (o.dispatchedAt?.getTime() ?? 0));
      const counts = !o.firstContactAt && (a.channel === 'phone' ? a.reached : ctx.preset.firstContact.smsIfNeverReached && hadFailedPhone);
      const next = { ...o, contactAttempts: [...o.contactAttempts, attempt] };
      if (counts) return done({ ...next, firstContactAt: now, deadlines: met(o.deadlines, ['firstContact'], now) });
      const retry = !o.firstContactAt && a.channel === 'phone' && !a.reached;
      const notBefore = new Date(now.getTime() + ctx.preset.firstContact.minRetryIntervalMinutes * 60_000);
      return done(next, retry ? [{ type: 'ContactRetryDue', orderId: o.id, notBefore }] : []);
    }
    case 'recordHandling':
      if (blank(a.note)) return no('WORK_ORDER.INVALID_INPUT', 'a handling record needs a note');
      return done(o);
    case 'requestExtension': {
      const failure = checkExtension(o, a.step, ctx);
      if (failure) return failure;
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'an extension needs a reason');
      const request = { requestedAt: now, step: { value: a.step, unit: ctx.preset.extension.unit }, reason: a.reason };
      return done({ ...o, status: 'EXTENSION_REQUESTED', extensions: [...o.extensions, request] });
    }
    case 'approveExtension': {
      const pending = o.extensions[o.extensions.length - 1];
      if (!pending || pending.decision) return no('WORK_ORDER.INVALID_TRANSITION', 'no pending extension request');
      const deadlines: Partial<Record<DeadlineStage, Deadline>> = { ...o.deadlines };
      const moved: DeadlineStage[] = [];
      for (const stage of REDO_STAGES) {
        const d = o.deadlines[stage];
        if (d && !d.metAt) {
          deadlines[stage] = extendDeadline(d, pending.step.value, pending.step.unit, ctx.calendar);
          moved.push(stage);
        }
      }
      return done(
        { ...o, status: 'IN_PROGRESS', deadlines, extensions: decideLast(o.extensions, 'approved', now) },
        [{ type: 'ExtensionDecided', orderId: o.id, decision: 'approved' }, { type: 'DeadlinesSet', orderId: o.id, stages: moved }],
      );
    }
    case 'rejectExtension':
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the extension is rejected');
      return done(
        { ...o, status: 'IN_PROGRESS', extensions: decideLast(o.extensions, 'rejected', now) },
        [{ type: 'ExtensionDecided', orderId: o.id, decision: 'rejected' }],
      );
    case 'complete': {
      const failure = checkCompletion(o, a.summary, a.report, ctx);
      if (failure) return failure;
      // The handling deadline (办结, or 反馈 under DB11) is met when the unit submits its result.
      const stage: DeadlineStage = o.deadlines.complete ? 'complete' : 'feedback';
      return done({
        ...o, status: 'PENDING_REVIEW', completedAt: now, deadlines: met(o.deadlines, [stage], now),
        ...(a.report ? { completionReport: a.report } : {}),
      });
    }
    case 'passReview':
      return done({ ...o, status: 'PENDING_FEEDBACK', reviewedAt: now });
    case 'sendBack': {
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the result is sent back');
      const { completedAt: _c, ...rest } = o;
      return done({ ...rest, status: 'IN_PROGRESS', sendBackCount: o.sendBackCount + 1, deadlines: unmet(o.deadlines, ['complete', 'feedback']) });
    }
    case 'recordFeedback':
      return afterFeedback({ ...o, feedbackAt: now, deadlines: met(o.deadlines, ['feedback'], now) }, ctx);
    case 'recordCallback':
      return callback(o, a, ctx);
    case 'close':
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the order is closed without a callback');
      return done(close(o, { kind: 'noCallback', reason: 'closedBySupervisor' }, now));
    case 'linkRepeat': {
      if (blank(a.rootOrderId) || a.rootOrderId === o.id || !(a.repeatNumber >= 1)) {
        return no('WORK_ORDER.INVALID_INPUT', 'a repeat link needs another order and a repeat number ≥ 1');
      }
      const linked = { ...o, repeatOf: a.rootOrderId, repeatNumber: a.repeatNumber };
      return a.escalate ? escalate(linked, `repeat complaint #${a.repeatNumber}`, ctx) : done(linked);
    }
    case 'escalate':
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say why the order is escalated');
      return escalate(o, a.reason, ctx);
    case 'markConfidential':
      return done({ ...o, caller: { ...o.caller, confidential: true } });
    case 'linkCall':
      if (blank(a.callId)) return no('WORK_ORDER.INVALID_INPUT', 'name the call');
      if (o.callId !== undefined && o.callId !== a.callId) return no('WORK_ORDER.INVALID_INPUT', 'the order was made from another call');
      return done({ ...o, callId: a.callId });
    case 'recomputeDeadlines': {
      if (blank(a.reason)) return no('WORK_ORDER.INVALID_INPUT', 'say which calendar change the deadlines follow');
      const r = recountProvisionalDeadlines(o.deadlines, ctx.preset.extension.unit, ctx.calendar, now);
      if (r.changes.length === 0) return no('WORK_ORDER.NOTHING_TO_RECOMPUTE', 'no open provisional deadline changes');
      return {
        order: { ...o, deadlines: r.deadlines },
        events: [{ type: 'DeadlinesRecomputed', orderId: o.id, changes: r.changes }],
        note: r.changes.map(describeRecount).join('; '),
      };
    }
    case 'recordNotice':
      if (o.sentNoticeKeys.includes(a.key)) return no('WORK_ORDER.NOTICE_ALREADY_SENT', `notice ${a.key} was already sent`);
      return done(
        { ...o, sentNoticeKeys: [...o.sentNoticeKeys, a.key] },
        [{ type: 'NoticeRecorded', orderId: o.id, key: a.key, kind: a.kind, stage: a.stage, level: a.level }],
      );
    default:
      return assertNever(a);
  }
}

function dispatchTo(o: WorkOrder, t: DispatchTarget, ctx: TransitionContext): Step {
  if (blank(t.leadUnitId)) return no('WORK_ORDER.INVALID_INPUT', 'dispatch needs a lead unit');
  const coUnitIds = [...new Set(t.coUnitIds ?? [])].filter((u) => u !== t.leadUnitId);
  // Re-dispatch restarts every unit clock from now: the new unit gets the full limit.
  const fresh = computeDeadlines(UNIT_STAGES, ctx.now, { urgency: o.urgency, category: o.category, surge: t.surge ?? false }, ctx.preset, ctx.calendar);
  const deadlines = { ...withoutStages(met(o.deadlines, ['dispatch'], ctx.now), UNIT_STAGES), ...fresh };
  const { signedAt: _s, firstContactAt: _f, completedAt: _c, ...rest } = o;
  return done(
    {
      ...rest, status: 'PENDING_SIGN', leadUnitId: t.leadUnitId, coUnitIds,
      leadDesignated: t.leadDesignated ?? coUnitIds.length > 0, forcedDispatch: false,
      dispatchCount: o.dispatchCount + 1, dispatchedAt: ctx.now, deadlines,
    },
    deadlinesSet(o, fresh),
  );
}

function afterFeedback(o: WorkOrder, ctx: TransitionContext): Step {
  const policy = ctx.preset.callback;
  if (policy.requireConsent && o.caller.callbackConsent === 'declined') {
    return done(close(o, { kind: 'noCallback', reason: 'noConsent' }, ctx.now));
  }
  const sampled = ctx.callbackSampled ?? isSampledForCallback(o.id, policy.samplingRate);
  if (!sampled) return done(close(o, { kind: 'noCallback', reason: 'notSampled' }, ctx.now));
  const deadlines = computeDeadlines(['callback'], ctx.now, o, ctx.preset, ctx.calendar);
  return done(
    { ...o, status: 'PENDING_CALLBACK', deadlines: { ...o.deadlines, ...deadlines } },
    [...deadlinesSet(o, deadlines), { type: 'CallbackDue', orderId: o.id, notBefore: ctx.now }],
  );
}

function callback(o: WorkOrder, a: Extract<WorkOrderAction, { type: 'recordCallback' }>, ctx: TransitionContext): Step {
  const { now, preset } = ctx;
  if (preset.callback.requireConsent && o.caller.callbackConsent === 'declined') {
    return no('WORK_ORDER.CALLBACK_NO_CONSENT', 'the caller declined callbacks');
  }
  if ((a.result === 'toAgent' || a.handover !== undefined) && ctx.actor.role !== 'system') {
    return no('WORK_ORDER.INVALID_INPUT', 'only the survey records a call handed to an agent');
  }
  if (a.result === 'toAgent' && !a.handover?.agentId) return no('WORK_ORDER.INVALID_INPUT', 'toAgent needs the agent who answered');
  const outcome = callbackOutcome(a, preset.callback);
  if ('code' in outcome) return outcome;
  const record = {
    at: now, result: outcome.result,
    ...(a.level !== undefined ? { level: a.level } : {}),
    ...(a.contacted !== undefined ? { contacted: a.contacted } : {}),
    ...(a.feedbackReceived !== undefined ? { feedbackReceived: a.feedbackReceived } : {}),
    ...(a.resolution !== undefined ? { resolution: a.resolution } : {}),
    ...(a.surveyCallId !== undefined ? { surveyCallId: a.surveyCallId } : {}),
    ...(a.handover !== undefined ? { handover: a.handover } : {}),
  };
  const next: WorkOrder = { ...o, callbacks: [...o.callbacks, record], deadlines: met(o.deadlines, ['callback'], now) };
  switch (outcome.result) {
    case 'satisfied':
    case 'unsatisfied': {
      if (!outcome.redo) return done(close(next, { kind: 'callback', result: outcome.result }, now));
      // 重办: back to the same unit with a fresh handling limit from now.
      const fresh = computeDeadlines(REDO_STAGES, now, o, preset, ctx.calendar);
      const { completedAt: _c, reviewedAt: _r, feedbackAt: _f, ...rest } = next;
      const reopenCount = o.reopenCount + 1;
      return done(
        { ...rest, status: 'IN_PROGRESS', reopenCount, deadlines: { ...withoutStages(next.deadlines, REDO_STAGES), ...fresh } },
        [{ type: 'Reopened', orderId: o.id, reopenCount }, ...deadlinesSet(o, fresh)],
      );
    }
    case 'toAgent':
      // The agent on the call records the citizen's answer; the callback deadline still runs.
      return done({ ...next, deadlines: o.deadlines });
    case 'declined':
      return done(close({ ...next, caller: { ...o.caller, callbackConsent: 'declined' } }, { kind: 'callback', result: 'declined' }, now));
    case 'unreachable': {
      const since = o.feedbackAt?.getTime() ?? 0;
      const tries = next.callbacks.filter((c) => c.result === 'unreachable' && c.at.getTime() >= since).length;
      if (tries >= preset.callback.maxAttempts) return done(close(next, { kind: 'callback', result: 'unreachable' }, now));
      const notBefore = new Date(now.getTime() + preset.firstContact.minRetryIntervalMinutes * 60_000);
      return done({ ...next, deadlines: o.deadlines }, [{ type: 'CallbackDue', orderId: o.id, notBefore }]);
    }
    default:
      return assertNever(outcome.result);
  }
}

type CallbackOutcome = { readonly result: CallbackResult; readonly redo: boolean } | { readonly code: TransitionErrorCode; readonly reason: string };

/**
 * The result of a callback under the preset. A five-level answer counts as satisfied when the
 * preset lists its level in `satisfiedLevels` and sends the order back (重办) when it lists it in
 * `redoLevels` (国办发〔2019〕51号 levels; 延吉 细则 第十一条 "反馈不满意的退回重新办理"). A two-level
 * answer keeps its result; an unsatisfied one is redone when the preset redoes 不满意.
 */
export function callbackOutcome(
  a: { readonly result?: CallbackResult; readonly level?: SatisfactionLevel },
  policy: CallbackPolicy,
): CallbackOutcome {
  if (a.level !== undefined) {
    if (!SATISFACTION_LEVELS.includes(a.level)) return { code: 'WORK_ORDER.INVALID_INPUT', reason: `unknown satisfaction level ${String(a.level)}` };
    const result = policy.satisfiedLevels.includes(a.level) ? 'satisfied' : 'unsatisfied';
    if (a.result !== undefined && a.result !== result) {
      return { code: 'WORK_ORDER.INVALID_INPUT', reason: `level ${a.level} counts as ${result} under this preset, not ${a.result}` };
    }
    return { result, redo: policy.redoLevels.includes(a.level) };
  }
  if (a.result === undefined) return { code: 'WORK_ORDER.INVALID_INPUT', reason: 'a callback needs a result or a satisfaction level' };
  return { result: a.result, redo: a.result === 'unsatisfied' && policy.redoLevels.includes('不满意') };
}

/** 疑难 + escalated; open deadlines are recomputed from their own start with the 疑难 rule. */
function escalate(o: WorkOrder, reason: string, ctx: TransitionContext): Step {
  const deadlines: Partial<Record<DeadlineStage, Deadline>> = { ...o.deadlines };
  const changed: DeadlineStage[] = [];
  for (const [stage, d] of Object.entries(o.deadlines) as [DeadlineStage, Deadline][]) {
    if (d.metAt) continue;
    const rule = selectRule(ctx.preset, stage, { urgency: '疑难', category: o.category });
    if (!rule || rule.id === d.rule.ruleId) continue;
    const fresh = deadlineFromRule(stage, d.startAt, rule, ctx.preset.id, ctx.calendar);
    deadlines[stage] = d.extendedBy > 0 ? extendDeadline(fresh, d.extendedBy, ctx.preset.extension.unit, ctx.calendar) : fresh;
    changed.push(stage);
  }
  const events: WorkOrderEvent[] = [{ type: 'Escalated', orderId: o.id, reason }];
  if (changed.length > 0) events.push({ type: 'DeadlinesSet', orderId: o.id, stages: changed });
  return done({ ...o, urgency: '疑难', escalated: true, deadlines }, events);
}

function done(order: WorkOrder, events: readonly WorkOrderEvent[] = []): Change {
  return { order, events };
}

function close(o: WorkOrder, closure: Closure, now: Date): WorkOrder {
  return { ...o, status: 'CLOSED', closure, closedAt: now };
}

function deadlinesSet(o: WorkOrder, d: Deadlines): WorkOrderEvent[] {
  const stages = Object.keys(d) as DeadlineStage[];
  return stages.length > 0 ? [{ type: 'DeadlinesSet', orderId: o.id, stages }] : [];
}

function met(deadlines: Deadlines, stages: readonly DeadlineStage[], at: Date): Deadlines {
  const out: Partial<Record<DeadlineStage, Deadline>> = { ...deadlines };
  for (const s of stages) {
    const d = deadlines[s];
    if (d && !d.metAt) out[s] = { ...d, metAt: at };
  }
  return out;
}

function unmet(deadlines: Deadlines, stages: readonly DeadlineStage[]): Deadlines {
  const out: Partial<Record<DeadlineStage, Deadline>> = { ...deadlines };
  for (const s of stages) {
    const d = deadlines[s];
    if (d?.metAt) {
      const { metAt: _m, ...open } = d;
      out[s] = open;
    }
  }
  return out;
}

function withoutStages(deadlines: Deadlines, stages: readonly DeadlineStage[]): Deadlines {
  const out: Partial<Record<DeadlineStage, Deadline>> = { ...deadlines };
  for (const s of stages) delete out[s];
  return out;
}

function decideLast<T extends { readonly decision?: 'approved' | 'rejected' }>(items: readonly T[], decision: 'approved' | 'rejected', at: Date): T[] {
  return items.map((item, i) => (i === items.length - 1 && !item.decision ? { ...item, decision, decidedAt: at } : item));
}

/** e.g. `complete 2027-01-14T15:59:59.999Z → 2027-01-15T15:59:59.999Z (official)`. */
function describeRecount(c: DeadlineRecount): string {
  const kept = c.dueAt.getTime() !== c.computedDueAt.getTime() ? `, kept: the recount ${c.computedDueAt.toISOString()} had passed` : '';
  return `${c.stage} ${c.previousDueAt.toISOString()} → ${c.dueAt.toISOString()} (${c.provisional ? 'still provisional' : 'official'}${kept})`;
}

function withHistory(o: WorkOrder, from: WorkOrderStatus, a: WorkOrderAction, ctx: TransitionContext, note?: string): WorkOrder {
  const last = o.history[o.history.length - 1];
  const comment = [historyComment(a), note].filter((x) => x !== undefined).join(' | ');
  const entry = {
    seq: (last?.seq ?? 0) + 1, action: a.type, actor: ctx.actor.id, role: ctx.actor.role, at: ctx.now,
    fromStatus: from, toStatus: o.status, attachments: [...(a.attachments ?? []), ...(a.type === 'requestReturn' ? a.evidence : [])],
    ...(comment !== '' ? { comment } : {}),
  };
  return { ...o, history: [...o.history, entry] };
}

/** The free-text part of an action, kept in the audit trail. */
function historyComment(a: WorkOrderAction): string | undefined {
  const parts: string[] = [];
  if ('reason' in a && typeof a.reason === 'string') parts.push(a.reason);
  if ('explanation' in a) parts.push(a.explanation);
  if ('note' in a && a.note) parts.push(a.note);
  if ('summary' in a) parts.push(a.summary);
  if ('answer' in a) parts.push(a.answer);
  if (a.comment) parts.push(a.comment);
  return parts.length > 0 ? parts.join(' | ') : undefined;
}
