import {
  ACTION_ROLES, ACTION_STATES, WORK_ORDER_STATUSES, effectiveStatus, transition,
  type Actor, type WorkOrder, type WorkOrderAction, type WorkOrderActionType, type WorkOrderStatus,
} from '../../../src/domain/work-order';
import { AGENT, FULL_REPORT, SUP, SYS, UNIT, UNIT2, at, ctx, local, newOrder, run, type Step } from './work-order.fixtures';

const P = 'beijing-2023';
const T0 = at('2026-03-02 09:00'); // Monday

/** Orders in every status, reached through real transitions on the default preset. */
function ordersByStatus(): Record<WorkOrderStatus, WorkOrder> {
  const draft = newOrder({ createdAt: T0 });
  const pendingDispatch = run(draft, P, [[{ type: 'accept' }, AGENT, T0]]);
  const pendingSign = run(pendingDispatch, P, [[{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0]]);
  const returnRequested = run(pendingSign, P, [[{ type: 'requestReturn', reason: 'notOurDuty', explanation: '非本单位职责', evidence: [{ id: 'f1' }] }, UNIT, T0]]);
  const inProgress = run(pendingSign, P, [[{ type: 'sign' }, UNIT, T0]]);
  const extensionRequested = run(inProgress, P, [[{ type: 'requestExtension', step: 5, reason: '需检测' }, UNIT, T0]]);
  const pendingReview = run(inProgress, P, [[{ type: 'complete', summary: '已处理' }, UNIT, T0]]);
  const pendingFeedback = run(pendingReview, P, [[{ type: 'passReview' }, SUP, T0]]);
  const pendingCallback = run(pendingFeedback, P, [[{ type: 'recordFeedback', channel: 'phone' }, UNIT, T0]]);
  const closed = run(pendingCallback, P, [[{ type: 'recordCallback', result: 'satisfied' }, AGENT, T0]]);
  const merged = run(pendingDispatch, P, [[{ type: 'merge', masterId: 'o-0' }, SUP, T0]]);
  const invalid = run(pendingDispatch, P, [[{ type: 'invalidate', reason: '骚扰电话' }, AGENT, T0]]);
  const transferred = run(draft, P, [[{ type: 'transferEmergency', target: '120' }, AGENT, T0]]);
  return {
    DRAFT: draft, PENDING_DISPATCH: pendingDispatch, PENDING_SIGN: pendingSign, RETURN_REQUESTED: returnRequested,
    IN_PROGRESS: inProgress, EXTENSION_REQUESTED: extensionRequested, PENDING_REVIEW: pendingReview,
    PENDING_FEEDBACK: pendingFeedback, PENDING_CALLBACK: pendingCallback, CLOSED: closed, MERGED: merged,
    INVALID: invalid, EMERGENCY_TRANSFERRED: transferred,
  };
}

const SAMPLE: Record<WorkOrderActionType, WorkOrderAction> = {
  accept: { type: 'accept' },
  answerDirect: { type: 'answerDirect', kbArticleId: 'kb-1', answer: '办理地点在政务服务中心' },
  invalidate: { type: 'invalidate', reason: '无效来电' },
  transferEmergency: { type: 'transferEmergency', target: '110' },
  merge: { type: 'merge', masterId: 'o-0' },
  unmerge: { type: 'unmerge', reason: '不是同一诉求' },
  dispatch: { type: 'dispatch', leadUnitId: 'unit-1' },
  sign: { type: 'sign' },
  requestReturn: { type: 'requestReturn', reason: 'notOurDuty', explanation: '非本单位职责', evidence: [{ id: 'f1' }] },
  approveReturn: { type: 'approveReturn' },
  rejectReturn: { type: 'rejectReturn', reason: '属于本单位职责' },
  recordContactAttempt: { type: 'recordContactAttempt', channel: 'phone', reached: true },
  recordHandling: { type: 'recordHandling', note: '已安排人员' },
  requestExtension: { type: 'requestExtension', step: 5, reason: '需检测' },
  approveExtension: { type: 'approveExtension' },
  rejectExtension: { type: 'rejectExtension', reason: '理由不充分' },
  complete: { type: 'complete', summary: '已处理' },
  passReview: { type: 'passReview' },
  sendBack: { type: 'sendBack', reason: '答复不完整' },
  recordFeedback: { type: 'recordFeedback', channel: 'phone' },
  recordCallback: { type: 'recordCallback', result: 'satisfied' },
  close: { type: 'close', reason: '回访期限已过' },
  linkRepeat: { type: 'linkRepeat', rootOrderId: 'o-0', repeatNumber: 1, escalate: false },
  markConfidential: { type: 'markConfidential' },
  linkCall: { type: 'linkCall', callId: 'call-1' },
  escalate: { type: 'escalate', reason: '多部门' },
  recomputeDeadlines: { type: 'recomputeDeadlines', reason: '2027 calendar v1' },
  recordNotice: { type: 'recordNotice', key: 'k1', kind: 'reminder', stage: 'feedback', level: 'reminder' },
};

/** Expected outcome of each legal pair on the default preset. */
const LEGAL: Partial<Record<WorkOrderActionType, WorkOrderStatus | 'same' | `code:${string}`>> = {
  accept: 'PENDING_DISPATCH', answerDirect: 'CLOSED', invalidate: 'INVALID', transferEmergency: 'EMERGENCY_TRANSFERRED',
  merge: 'MERGED', unmerge: 'PENDING_DISPATCH', dispatch: 'PENDING_SIGN', sign: 'IN_PROGRESS', requestReturn: 'RETURN_REQUESTED', approveReturn: 'PENDING_DISPATCH', rejectReturn: 'IN_PROGRESS',
  recordContactAttempt: 'same', recordHandling: 'same', requestExtension: 'EXTENSION_REQUESTED', approveExtension: 'IN_PROGRESS',
  rejectExtension: 'IN_PROGRESS', complete: 'PENDING_REVIEW', passReview: 'PENDING_FEEDBACK', sendBack: 'IN_PROGRESS',
  recordFeedback: 'PENDING_CALLBACK', recordCallback: 'CLOSED', close: 'CLOSED', linkRepeat: 'same', escalate: 'same', markConfidential: 'same', linkCall: 'same', recordNotice: 'same',
  recomputeDeadlines: 'code:WORK_ORDER.NOTHING_TO_RECOMPUTE',
};

function actorFor(type: WorkOrderActionType): Actor {
  const role = ACTION_ROLES[type][0];
  return role === 'unitHandler' ? UNIT : role === 'supervisor' ? SUP : role === 'system' ? SYS : AGENT;
}

describe('work-order machine: every state × action', () => {
  const orders = ordersByStatus();
  const cases = WORK_ORDER_STATUSES.flatMap((s) => (Object.keys(SAMPLE) as WorkOrderActionType[]).map((a) => [s, a] as const));

  it.each(cases)('%s × %s', (status, type) => {
    const sut = orders[status];
    expect(sut.status).toBe(status);
    const before = JSON.stringify(sut);
    const r = transition(sut, SAMPLE[type], ctx(P, at('2026-03-02 12:00'), actorFor(type), { callbackSampled: true }));
    expect(JSON.stringify(sut)).toBe(before); // never mutates
    if (!ACTION_STATES[type].includes(status)) {
      expect(r).toEqual({ ok: false, code: 'WORK_ORDER.INVALID_TRANSITION', reason: `${type} is not allowed in ${status}` });
      return;
    }
    const expected = status === 'IN_PROGRESS' && type === 'requestReturn' ? 'code:WORK_ORDER.RETURN_NOT_ALLOWED' : LEGAL[type];
    if (expected?.startsWith('code:')) {
      expect(r.ok ? 'ok' : `code:${r.code}`).toBe(expected);
      return;
    }
    if (!r.ok) throw new Error(`${status} × ${type}: ${r.code} ${r.reason}`);
    expect(r.order.status).toBe(expected === 'same' ? status : expected);
    expect(r.order.history.slice(0, sut.history.length)).toEqual(sut.history); // append-only
    expect(r.order.history).toHaveLength(sut.history.length + 1);
  });

  it('returns INVALID_INPUT for an unknown action instead of throwing', () => {
    const bogus = { type: 'teleport' } as unknown as WorkOrderAction;
    expect(transition(orders.DRAFT, bogus, ctx(P, T0, AGENT))).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
  });

  it('rejects a role that may not perform the action', () => {
    expect(transition(orders.PENDING_REVIEW, SAMPLE.passReview, ctx(P, T0, AGENT))).toMatchObject({ ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE' });
    expect(transition(orders.PENDING_SIGN, SAMPLE.sign, ctx(P, T0, SUP))).toMatchObject({ ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE' });
  });

  it('lets only the lead unit act on its order', () => {
    expect(transition(orders.PENDING_SIGN, SAMPLE.sign, ctx(P, T0, UNIT2))).toMatchObject({ ok: false, code: 'WORK_ORDER.NOT_ASSIGNED_UNIT' });
  });

  it.each([
    ['answerDirect without article', 'DRAFT', { type: 'answerDirect', kbArticleId: ' ', answer: 'x' }, AGENT],
    ['dispatch without unit', 'PENDING_DISPATCH', { type: 'dispatch', leadUnitId: '' }, AGENT],
    ['merge into itself', 'PENDING_DISPATCH', { type: 'merge', masterId: 'o-1' }, SUP],
    ['unmerge without reason', 'MERGED', { type: 'unmerge', reason: ' ' }, SUP],
    ['sendBack without reason', 'PENDING_REVIEW', { type: 'sendBack', reason: '' }, SUP],
    ['complete without summary', 'IN_PROGRESS', { type: 'complete', summary: '' }, UNIT],
    ['linkRepeat to itself', 'IN_PROGRESS', { type: 'linkRepeat', rootOrderId: 'o-1', repeatNumber: 1, escalate: false }, SYS],
  ] as const)('%s → INVALID_INPUT', (_label, status, action, actor) => {
    expect(transition(orders[status], action as WorkOrderAction, ctx(P, T0, actor))).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
  });
});

describe('work-order lifecycle (北京 2023)', () => {
  it('accept → dispatch → sign → complete → review → feedback → callback → closed, with deadlines and history', () => {
    const o = run(newOrder({ createdAt: T0 }), P, [[{ type: 'accept' }, AGENT, T0]]);
    expect(local(o.deadlines.dispatch?.dueAt)).toBe('2026-03-03T09:00:00.000+08:00'); // 一般: 24 h
    const dispatched = transition(o, { type: 'dispatch', leadUnitId: 'unit-1', coUnitIds: ['unit-3', 'unit-1'] }, ctx(P, at('2026-03-02 10:00'), AGENT));
    if (!dispatched.ok) throw new Error(dispatched.code);
    const d = dispatched.order;
    expect(d.coUnitIds).toEqual(['unit-3']);
    expect(d.leadDesignated).toBe(true);
    expect(d.deadlines.dispatch?.metAt).toEqual(at('2026-03-02 10:00'));
    expect(local(d.deadlines.sign?.dueAt)).toBe('2026-03-03T10:00:00.000+08:00'); // 24 h
    expect(local(d.deadlines.feedback?.dueAt)).toBe('2026-03-09T23:59:59.999+08:00'); // 7 ND from 03-03
    expect(d.deadlines.feedback?.rule).toMatchObject({ presetId: P, ruleId: 'feedback-general', limit: 7, unit: 'naturalDays' });
    expect(dispatched.events).toEqual([
      { type: 'StatusChanged', orderId: 'o-1', from: 'PENDING_DISPATCH', to: 'PENDING_SIGN', action: 'dispatch' },
      { type: 'DeadlinesSet', orderId: 'o-1', stages: ['sign', 'return', 'feedback'] },
    ]);
    const closed = run(d, P, [
      [{ type: 'sign' }, UNIT, at('2026-03-02 11:00')],
      [{ type: 'recordContactAttempt', channel: 'phone', reached: true }, UNIT, at('2026-03-02 11:30')],
      [{ type: 'complete', summary: '已协调停工' }, UNIT, at('2026-03-05 16:00')],
      [{ type: 'passReview' }, SUP, at('2026-03-06 09:00')],
      [{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-06 10:00')],
      [{ type: 'recordCallback', result: 'satisfied', contacted: true, feedbackReceived: true, resolution: 'resolved' }, AGENT, at('2026-03-10 10:00')],
    ]);
    expect(closed.status).toBe('CLOSED');
    expect(closed.closure).toEqual({ kind: 'callback', result: 'satisfied' });
    expect(closed.deadlines.feedback?.metAt).toEqual(at('2026-03-05 16:00'));
    expect(closed.history.map((h) => h.action)).toEqual([
      'create', 'accept', 'dispatch', 'sign', 'recordContactAttempt', 'complete', 'passReview', 'recordFeedback', 'recordCallback',
    ]);
    expect(closed.history.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(closed.history[5]).toMatchObject({ actor: 'handler-1', role: 'unitHandler', comment: '已协调停工', fromStatus: 'IN_PROGRESS', toStatus: 'PENDING_REVIEW' });
  });

  it('approved return with re-dispatch restarts the clocks for the new unit', () => {
    const o = run(newOrder({ createdAt: T0 }), P, [
      [{ type: 'accept' }, AGENT, T0],
      [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
      [{ type: 'requestReturn', reason: 'wrongArea', explanation: '属地不符', evidence: [{ id: 'photo-1', kind: 'photo' }] }, UNIT, at('2026-03-02 10:00')],
      [{ type: 'approveReturn', redispatchTo: { leadUnitId: 'unit-2' } }, SUP, at('2026-03-04 09:00')],
    ]);
    expect(o).toMatchObject({ status: 'PENDING_SIGN', leadUnitId: 'unit-2', dispatchCount: 2, forcedDispatch: false });
    expect(o.returns[0]).toMatchObject({ unitId: 'unit-1', decision: 'approved', decidedAt: at('2026-03-04 09:00') });
    expect(local(o.deadlines.feedback?.dueAt)).toBe('2026-03-11T23:59:59.999+08:00'); // 7 ND from 03-05
    expect(o.history[3]?.attachments).toEqual([{ id: 'photo-1', kind: 'photo' }]);
    expect(transition(o, { type: 'sign' }, ctx(P, at('2026-03-04 10:00'), UNIT))).toMatchObject({ code: 'WORK_ORDER.NOT_ASSIGNED_UNIT' });
    expect(run(o, P, [[{ type: 'sign' }, UNIT2, at('2026-03-04 10:00')]]).status).toBe('IN_PROGRESS');
  });

  it('approved return without a target goes back to the dispatch queue', () => {
    const o = run(newOrder({ createdAt: T0 }), P, [
      [{ type: 'accept' }, AGENT, T0],
      [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
      [{ type: 'requestReturn', reason: 'notOurDuty', explanation: 'x', evidence: [{ id: 'f' }] }, UNIT, T0],
      [{ type: 'approveReturn' }, SUP, at('2026-03-02 12:00')],
    ]);
    expect(o.status).toBe('PENDING_DISPATCH');
    expect(o.leadUnitId).toBeUndefined();
    expect(o.deadlines.feedback).toBeUndefined();
    expect(local(o.deadlines.dispatch?.dueAt)).toBe('2026-03-03T12:00:00.000+08:00');
  });

  it('rejected return forces the order on the unit (首办责任单位)', () => {
    const o = run(newOrder({ createdAt: T0 }), P, [
      [{ type: 'accept' }, AGENT, T0],
      [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
      [{ type: 'requestReturn', reason: 'notOurDuty', explanation: 'x', evidence: [{ id: 'f' }] }, UNIT, T0],
      [{ type: 'rejectReturn', reason: '属本单位职责' }, SUP, at('2026-03-02 15:00')],
    ]);
    expect(o).toMatchObject({ status: 'IN_PROGRESS', forcedDispatch: true, signedAt: at('2026-03-02 15:00') });
    expect(o.returns[0]?.decision).toBe('rejected');
  });

  it('unsatisfied callback sends the order back (重办) with a fresh limit', () => {
    const o = run(newOrder({ createdAt: T0 }), P, [
      [{ type: 'accept' }, AGENT, T0],
      [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
      [{ type: 'sign' }, UNIT, T0],
      [{ type: 'complete', summary: 'done' }, UNIT, at('2026-03-03 10:00')],
      [{ type: 'passReview' }, SUP, at('2026-03-03 11:00')],
      [{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-03 12:00')],
    ]);
    const r = transition(o, { type: 'recordCallback', result: 'unsatisfied', resolution: 'unresolved' }, ctx(P, at('2026-03-05 10:00'), AGENT));
    if (!r.ok) throw new Error(r.code);
    expect(r.order).toMatchObject({ status: 'IN_PROGRESS', reopenCount: 1 });
    expect(r.order.completedAt).toBeUndefined();
    expect(local(r.order.deadlines.feedback?.dueAt)).toBe('2026-03-12T23:59:59.999+08:00'); // 7 ND from 03-06
    expect(r.events).toContainEqual({ type: 'Reopened', orderId: 'o-1', reopenCount: 1 });
  });

  it('unreachable callbacks retry, then close after maxAttempts (3)', () => {
    let o = run(ordersAt('PENDING_CALLBACK'), P, []);
    for (const [i, time] of ['2026-03-04 10:00', '2026-03-04 11:00'].entries()) {
      const r = transition(o, { type: 'recordCallback', result: 'unreachable' }, ctx(P, at(time), AGENT));
      if (!r.ok) throw new Error(r.code);
      expect(r.order.status).toBe('PENDING_CALLBACK');
      expect(r.events).toEqual([{ type: 'CallbackDue', orderId: 'o-1', notBefore: new Date(at(time).getTime() + 3600_000) }]);
      expect(r.order.callbacks).toHaveLength(i + 1);
      o = r.order;
    }
    o = run(o, P, [[{ type: 'recordCallback', result: 'unreachable' }, AGENT, at('2026-03-04 12:00')]]);
    expect(o.closure).toEqual({ kind: 'callback', result: 'unreachable' });
  });

  it('survey handed to an agent (pressed 0): toAgent by the survey only, order waits for the agent; without an agent it is an unreachable attempt', () => {
    const o = run(ordersAt('PENDING_CALLBACK'), P, []);
    const toAgent = { type: 'recordCallback', result: 'toAgent', surveyCallId: 'survey-1', handover: { agentId: 'agent-1001' } } as const;
    const r = transition(o, toAgent, ctx(P, at('2026-03-04 10:00'), SYS));
    if (!r.ok) throw new Error(r.code);
    expect(r.order.status).toBe('PENDING_CALLBACK');
    expect(r.order.callbacks).toEqual([{ at: at('2026-03-04 10:00'), result: 'toAgent', surveyCallId: 'survey-1', handover: { agentId: 'agent-1001' } }]);
    // The callback deadline still runs: the agent's result meets it.
    expect(r.order.deadlines.callback).toEqual(o.deadlines.callback);
    expect(r.events).toEqual([]);
    const closed = run(r.order, P, [[{ type: 'recordCallback', level: '基本满意', resolution: 'resolved' }, AGENT, at('2026-03-04 10:05')]]);
    expect(closed).toMatchObject({ status: 'CLOSED', closure: { kind: 'callback', result: 'satisfied' } });
    // Only the survey records a handover, and toAgent names the agent.
    expect(transition(o, toAgent, ctx(P, at('2026-03-04 10:00'), AGENT))).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
    expect(transition(o, { ...toAgent, handover: { agentId: null } }, ctx(P, at('2026-03-04 10:00'), SYS))).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
    // No agent answered: an unreachable attempt like any other.
    const missed = transition(o, { type: 'recordCallback', result: 'unreachable', surveyCallId: 'survey-2', handover: { agentId: null } }, ctx(P, at('2026-03-04 10:00'), SYS));
    expect(missed).toMatchObject({ ok: true, order: { status: 'PENDING_CALLBACK', callbacks: [{ result: 'unreachable', handover: { agentId: null } }] } });
  });

  it('respects consent: declined at intake → no callback; declined on the phone → closed and remembered', () => {
    const noConsent = run(ordersAt('PENDING_FEEDBACK', { caller: { phone: '13800138000', callbackConsent: 'declined' } }), P, [
      [{ type: 'recordFeedback', channel: 'sms' }, UNIT, at('2026-03-04 10:00')],
    ]);
    expect(noConsent).toMatchObject({ status: 'CLOSED', closure: { kind: 'noCallback', reason: 'noConsent' } });
    const declined = run(ordersAt('PENDING_CALLBACK'), P, [[{ type: 'recordCallback', result: 'declined' }, AGENT, at('2026-03-04 10:00')]]);
    expect(declined.caller.callbackConsent).toBe('declined');
    expect(declined.closure).toEqual({ kind: 'callback', result: 'declined' });
  });

  it('not sampled → closed without callback', () => {
    const o = run(ordersAt('PENDING_FEEDBACK'), P, [[{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-04 10:00')]], { callbackSampled: false });
    expect(o.closure).toEqual({ kind: 'noCallback', reason: 'notSampled' });
  });

  it('send back clears the completion and reopens the handling deadline', () => {
    const o = run(ordersAt('PENDING_REVIEW'), P, [[{ type: 'sendBack', reason: '缺少现场照片' }, SUP, at('2026-03-04 10:00')]]);
    expect(o).toMatchObject({ status: 'IN_PROGRESS', sendBackCount: 1 });
    expect(o.completedAt).toBeUndefined();
    expect(o.deadlines.feedback?.metAt).toBeUndefined();
  });

  it('direct answer (即办) records the knowledge-base article', () => {
    const o = run(newOrder({ createdAt: T0, category: '咨询' }), P, [[{ type: 'answerDirect', kbArticleId: 'kb-42', answer: '工作日9点至17点' }, AGENT, T0]]);
    expect(o).toMatchObject({ status: 'CLOSED', kbArticleId: 'kb-42', closure: { kind: 'directAnswer', kbArticleId: 'kb-42' } });
  });

  it('a merged duplicate follows its master', () => {
    const dup = run(newOrder({ id: 'o-2', createdAt: T0 }), P, [[{ type: 'merge', masterId: 'o-1' }, SUP, T0]]);
    const master = ordersAt('IN_PROGRESS');
    expect(dup.mergedInto).toBe('o-1');
    expect(effectiveStatus(dup, master)).toBe('IN_PROGRESS');
    expect(effectiveStatus(dup, { ...master, status: 'CLOSED' })).toBe('CLOSED');
    expect(effectiveStatus(dup)).toBe('MERGED');
  });

  it('only a supervisor merges, and a supervisor can undo it: the order goes back to the status it had', () => {
    const signed = ordersAt('PENDING_SIGN');
    expect(transition(signed, { type: 'merge', masterId: 'o-0' }, ctx(P, T0, AGENT))).toMatchObject({ ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE' });
    const merged = run(signed, P, [[{ type: 'merge', masterId: 'o-0' }, SUP, T0]]);
    expect(merged).toMatchObject({ status: 'MERGED', mergedInto: 'o-0', mergedFromStatus: 'PENDING_SIGN' });
    expect(transition(merged, { type: 'unmerge', reason: '不是同一诉求' }, ctx(P, T0, AGENT))).toMatchObject({ ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE' });
    const back = run(merged, P, [[{ type: 'unmerge', reason: '不是同一诉求' }, SUP, T0]]);
    expect(back.status).toBe('PENDING_SIGN');
    expect(back.mergedInto).toBeUndefined();
    expect(back.history[back.history.length - 1]).toMatchObject({ action: 'unmerge', fromStatus: 'MERGED', toStatus: 'PENDING_SIGN', comment: '不是同一诉求' });
    // Other terminal statuses still accept nothing.
    expect(transition({ ...ordersAt('IN_PROGRESS'), status: 'CLOSED' }, { type: 'unmerge', reason: 'x' }, ctx(P, T0, SUP))).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_TRANSITION' });
  });

  it('escalation makes the order 疑难 and recomputes its open deadline (7 → 15 ND)', () => {
    const r = transition(ordersAt('IN_PROGRESS'), { type: 'escalate', reason: '涉及多部门' }, ctx(P, at('2026-03-03 10:00'), SUP));
    if (!r.ok) throw new Error(r.code);
    expect(r.order).toMatchObject({ urgency: '疑难', escalated: true });
    expect(local(r.order.deadlines.feedback?.dueAt)).toBe('2026-03-17T23:59:59.999+08:00'); // 15 ND from 03-03
    expect(r.events).toContainEqual({ type: 'DeadlinesSet', orderId: 'o-1', stages: ['feedback'] });
  });

  it('records each notice key once (idempotent sweep)', () => {
    const action: WorkOrderAction = { type: 'recordNotice', key: 'o-1:feedback:yellow:x', kind: 'supervision', stage: 'feedback', level: 'yellow' };
    const once = run(ordersAt('IN_PROGRESS'), P, [[action, SYS, at('2026-03-10 00:00')]]);
    expect(once.sentNoticeKeys).toEqual(['o-1:feedback:yellow:x']);
    expect(transition(once, action, ctx(P, at('2026-03-10 00:05'), SYS))).toMatchObject({ ok: false, code: 'WORK_ORDER.NOTICE_ALREADY_SENT' });
  });

  it('a linked repeat at the threshold is escalated', () => {
    const o = run(ordersAt('PENDING_DISPATCH'), P, [[{ type: 'linkRepeat', rootOrderId: 'o-0', repeatNumber: 5, escalate: true }, SYS, T0]]);
    expect(o).toMatchObject({ repeatOf: 'o-0', repeatNumber: 5, urgency: '疑难', escalated: true });
  });

  it('accepts the full 10-item report on presets that do not require it', () => {
    const o = run(ordersAt('IN_PROGRESS'), P, [[{ type: 'complete', summary: 'ok', report: FULL_REPORT }, UNIT, at('2026-03-03 10:00')]]);
    expect(o.completionReport).toEqual(FULL_REPORT);
  });
});

function ordersAt(status: WorkOrderStatus, overrides: Parameters<typeof newOrder>[0] = {}): WorkOrder {
  const steps: Step[] = [
    [{ type: 'accept' }, AGENT, T0],
    [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
    [{ type: 'sign' }, UNIT, T0],
    [{ type: 'complete', summary: 'done' }, UNIT, at('2026-03-03 10:00')],
    [{ type: 'passReview' }, SUP, at('2026-03-03 11:00')],
    [{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-03 12:00')],
  ];
  const upTo: Partial<Record<WorkOrderStatus, number>> = {
    PENDING_DISPATCH: 1, PENDING_SIGN: 2, IN_PROGRESS: 3, PENDING_REVIEW: 4, PENDING_FEEDBACK: 5, PENDING_CALLBACK: 6,
  };
  const n = upTo[status];
  if (n === undefined) throw new Error(`fixture for ${status}`);
  return run(newOrder({ createdAt: T0, ...overrides }), P, steps.slice(0, n), { callbackSampled: true });
}
