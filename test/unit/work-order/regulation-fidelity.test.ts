/**
 * Rules checked by hand against the seed regulations: what the extension cap counts, the five-level
 * callback, the two readings of the repeat threshold, and provisional deadlines counted again when
 * a year's official calendar arrives. Every expected date below is counted by hand in the comments.
 */
import { DEFAULT_WORK_CALENDAR, mergeCalendarYear, type WorkCalendar } from '../../../src/domain/calendar';
import {
  findRepeatLink, parseRegulationPreset, recountProvisionalDeadlines, transition,
  type RegulationPreset, type RepeatCandidate, type WorkOrder, type WorkOrderAction,
} from '../../../src/domain/work-order';
import { AGENT, SUP, SYS, UNIT, at, ctx, local, preset, run, signedOrder } from './work-order.fixtures';

const ext = (step: number): WorkOrderAction => ({ type: 'requestExtension', step, reason: '需检测鉴定' });
const reject = (): WorkOrderAction => ({ type: 'rejectExtension', reason: '理由不充分' });
const code = (o: WorkOrder, a: WorkOrderAction, p: string | RegulationPreset, now: Date, actor = UNIT): string => {
  const c = typeof p === 'string' ? ctx(p, now, actor) : { ...ctx(p.id, now, actor), preset: p };
  const r = transition(o, a, c);
  return r.ok ? `ok:${r.order.status}` : r.code;
};

describe('extension cap: what it counts is part of the preset', () => {
  it('延吉 counts applications: after 3 rejected applications a 4th is refused ("每件申请延期累计不得超过3次")', () => {
    const P = 'yanji-2019';
    expect(preset(P).extension.counts).toBe('applications');
    let o = signedOrder(P, at('2026-03-02 09:00')); // 3 WD: complete due 03-05 (Thu) end; cutoff 03-05 00:00
    for (const t of ['2026-03-03 10:00', '2026-03-03 14:00', '2026-03-04 10:00']) {
      o = run(o, P, [[ext(2), UNIT, at(t)], [reject(), SUP, at(t)]]);
    }
    expect(o.extensions.map((e) => e.decision)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(code(o, ext(2), P, at('2026-03-04 15:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
    // The same order under a preset that counts approved extensions accepts the 4th application.
    const approvedOnly = { ...preset(P), extension: { ...preset(P).extension, counts: 'approved' as const } };
    expect(code(o, ext(2), approvedOnly, at('2026-03-04 15:00'))).toBe('ok:EXTENSION_REQUESTED');
  });

  it('青浦 counts approved extensions: a rejected application does not use up the one extension ("已延期过一次的工单不得再次延期")', () => {
    const P = 'qingpu-2020';
    expect(preset(P).extension.counts).toBe('approved');
    const o = run(signedOrder(P, at('2026-03-02 09:00'), { urgency: '疑难' }), P, [[ext(15), UNIT, at('2026-03-05 10:00')], [reject(), SUP, at('2026-03-05 11:00')]]);
    expect(code(o, ext(15), P, at('2026-03-06 10:00'))).toBe('ok:EXTENSION_REQUESTED');
    const extended = run(o, P, [[ext(15), UNIT, at('2026-03-06 10:00')], [{ type: 'approveExtension' }, SUP, at('2026-03-06 11:00')]]);
    expect(code(extended, ext(15), P, at('2026-03-09 10:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
  });

  it('a stored preset without the field counts approved extensions, as before', () => {
    const stored = JSON.parse(JSON.stringify(preset('yanji-2019'))) as { extension: Record<string, unknown> };
    delete stored.extension['counts'];
    const parsed = parseRegulationPreset(stored);
    expect(parsed.ok && parsed.preset.extension.counts).toBe('approved');
  });
});

describe('callback on the national five-level scale (国办发〔2019〕51号)', () => {
  const P = 'beijing-2023';
  const pendingCallback = (p: string | RegulationPreset = P): WorkOrder => {
    const id = typeof p === 'string' ? p : p.id;
    const extra = typeof p === 'string' ? {} : { preset: p };
    const o = run(signedOrder(id, at('2026-03-02 09:00')), id, [
      [{ type: 'complete', summary: '已处理' }, UNIT, at('2026-03-03 10:00')],
      [{ type: 'passReview' }, SUP, at('2026-03-03 11:00')],
      [{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-03 12:00')],
    ], { callbackSampled: true, ...extra });
    expect(o.status).toBe('PENDING_CALLBACK');
    return o;
  };
  const callback = (o: WorkOrder, a: Omit<Extract<WorkOrderAction, { type: 'recordCallback' }>, 'type'>, p: string | RegulationPreset = P) => {
    const c = typeof p === 'string' ? ctx(p, at('2026-03-04 10:00'), AGENT) : { ...ctx(p.id, at('2026-03-04 10:00'), AGENT), preset: p };
    return transition(o, { type: 'recordCallback', ...a }, c);
  };

  it('基本满意 is recorded as such and counts as satisfied under the default split; the order closes', () => {
    const r = callback(pendingCallback(), { level: '基本满意', resolution: 'resolved' });
    expect(r.ok && r.order.status).toBe('CLOSED');
    expect(r.ok && r.order.callbacks[0]).toMatchObject({ result: 'satisfied', level: '基本满意' });
    expect(r.ok && r.order.closure).toEqual({ kind: 'callback', result: 'satisfied' });
  });

  it.each([['不满意'], ['非常不满意']] as const)('%s sends the order back to the unit (重办)', (level) => {
    const r = callback(pendingCallback(), { level });
    expect(r.ok && r.order.status).toBe('IN_PROGRESS');
    expect(r.ok && r.order.reopenCount).toBe(1);
    expect(r.ok && r.order.callbacks[0]).toMatchObject({ result: 'unsatisfied', level });
  });

  it('a preset that counts only 非常满意 and 满意 and redoes only 非常不满意', () => {
    const base = preset(P);
    const strict: RegulationPreset = { ...base, callback: { ...base.callback, satisfiedLevels: ['非常满意', '满意'], redoLevels: ['非常不满意'] } };
    const o = pendingCallback(strict);
    const basic = callback(o, { level: '基本满意' }, strict);
    expect(basic.ok && basic.order.status).toBe('CLOSED');
    expect(basic.ok && basic.order.closure).toEqual({ kind: 'callback', result: 'unsatisfied' });
    const unhappy = callback(o, { level: '不满意' }, strict);
    expect(unhappy.ok && unhappy.order.status).toBe('CLOSED');
    const worst = callback(o, { level: '非常不满意' }, strict);
    expect(worst.ok && worst.order.status).toBe('IN_PROGRESS');
    // A two-level 不满意 is redone only where the preset redoes 不满意.
    const twoLevel = callback(o, { result: 'unsatisfied' }, strict);
    expect(twoLevel.ok && twoLevel.order.status).toBe('CLOSED');
    expect(callback(pendingCallback(), { result: 'unsatisfied' }).ok && callback(pendingCallback(), { result: 'unsatisfied' })).toMatchObject({ order: { status: 'IN_PROGRESS' } });
  });

  it('a level that contradicts the stated result, or neither, is refused', () => {
    expect(callback(pendingCallback(), { level: '满意', result: 'unsatisfied' })).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
    expect(callback(pendingCallback(), {})).toMatchObject({ ok: false, code: 'WORK_ORDER.INVALID_INPUT' });
  });

  it('a stored preset with redoOnUnsatisfied: false keeps never redoing', () => {
    const stored = JSON.parse(JSON.stringify(preset(P))) as { callback: Record<string, unknown> };
    delete stored.callback['redoLevels'];
    delete stored.callback['satisfiedLevels'];
    stored.callback['redoOnUnsatisfied'] = false;
    const parsed = parseRegulationPreset(stored);
    expect(parsed.ok && parsed.preset.callback).toMatchObject({ redoLevels: [], satisfiedLevels: ['非常满意', '满意', '基本满意'] });
  });
});

describe('repeat-complaint threshold: both readings of 青浦 第十三条 "重复投诉5次以上"', () => {
  const cand = (id: string, when: string): RepeatCandidate => ({ id, phone: '13800138000', category: '投诉', areaCode: '110105', acceptedAt: at(when) });
  const query = { id: 'new', phone: '13800138000', category: '投诉', areaCode: '110105', at: at('2026-03-31 10:00') };
  const earlier = ['03-02', '03-05', '03-10', '03-15', '03-20'].map((d, i) => cand(`c${i}`, `2026-${d} 09:00`));

  it('earlierOrders (青浦 preset): the 5th complaint (4 earlier) does not escalate, the 6th (5 earlier) does', () => {
    const policy = preset('qingpu-2020').repeatComplaint;
    expect(policy.thresholdCounts).toBe('earlierOrders');
    expect(policy.source).toContain('sixth complaint');
    expect(findRepeatLink(query, earlier.slice(0, 4), policy)).toMatchObject({ repeatNumber: 4, escalate: false });
    expect(findRepeatLink(query, earlier, policy)).toMatchObject({ repeatNumber: 5, escalate: true });
  });

  it('allComplaints: the 5th complaint (4 earlier) escalates, the 4th (3 earlier) does not', () => {
    const policy = { ...preset('qingpu-2020').repeatComplaint, thresholdCounts: 'allComplaints' as const };
    expect(findRepeatLink(query, earlier.slice(0, 3), policy)).toMatchObject({ repeatNumber: 3, escalate: false });
    expect(findRepeatLink(query, earlier.slice(0, 4), policy)).toMatchObject({ repeatNumber: 4, escalate: true });
  });
});

describe('provisional deadlines counted again when the year arrives', () => {
  const withYear = (input: unknown): WorkCalendar => {
    const r = mergeCalendarYear(DEFAULT_WORK_CALENDAR, input);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.calendar;
  };
  const source = { title: '国务院办公厅关于2027年部分节假日安排的通知', publishedOn: '2026-11-01' };
  // 元旦 2027-01-01 (Fri) … 01-03 (Sun).
  const cal2027 = withYear({ year: 2027, version: 1, source, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], makeUpWorkdays: [] });
  // A made-up year that moves deadlines earlier: no 元旦 break, Saturday 01-02 a 补班 day.
  const earlier2027 = withYear({ year: 2027, version: 1, source, holidays: [{ name: '春节', from: '2027-02-06', to: '2027-02-12' }], makeUpWorkdays: ['2027-01-02'] });
  const P = 'qingpu-2020';
  // 疑难 10 WD from 2026-12-30 (Wed): 12-31 (1), then 2027 assumed Mon–Fri: 01-01 (2), 01-04…08 (3–7), 01-11, 12, 13 (8–10).
  // 疑难 return window 3 WD: 12-31 (1), 01-01 (2), 01-04 (3).
  const order = (): WorkOrder => signedOrder(P, at('2026-12-30 10:00'), { urgency: '疑难' });

  it('the 2027 元旦 moves a 10-working-day deadline by a day and makes it official', () => {
    const o = order();
    expect(local(o.deadlines.complete?.dueAt)).toBe('2027-01-13T23:59:59.999+08:00');
    expect(o.deadlines.complete?.provisional).toBe(true);
    expect(local(o.deadlines.return?.dueAt)).toBe('2027-01-04T23:59:59.999+08:00');
    // complete: 12-31 (1), 01-04…08 (2–6), 01-11…14 (7–10); return: 12-31, 01-04, 01-05.
    const r = recountProvisionalDeadlines(o.deadlines, 'workingDays', cal2027, at('2027-01-04 10:00'));
    expect(local(r.deadlines.complete?.dueAt)).toBe('2027-01-14T23:59:59.999+08:00');
    expect(local(r.deadlines.return?.dueAt)).toBe('2027-01-05T23:59:59.999+08:00');
    expect(r.deadlines.complete?.provisional).toBe(false);
    expect(r.changes.map((c) => c.stage).sort()).toEqual(['complete', 'return']);
    // First contact (1 WD: 12-31) never touched 2027 and is not recounted.
    expect(r.deadlines.firstContact).toBe(o.deadlines.firstContact);
  });

  it('through the state machine: logged on the order, only for the system, and a second run has nothing to do', () => {
    const o = order();
    const c = { ...ctx(P, at('2027-01-04 10:00'), SYS), calendar: cal2027 };
    const r = transition(o, { type: 'recomputeDeadlines', reason: 'calendar 2027 v1' }, c);
    if (!r.ok) throw new Error(r.code);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'DeadlinesRecomputed' }));
    const entry = r.order.history[r.order.history.length - 1];
    expect(entry).toMatchObject({ action: 'recomputeDeadlines', actor: 'sweep', role: 'system' });
    expect(entry?.comment).toBe(
      'calendar 2027 v1 | return 2027-01-04T15:59:59.999Z → 2027-01-05T15:59:59.999Z (official); complete 2027-01-13T15:59:59.999Z → 2027-01-14T15:59:59.999Z (official)',
    );
    expect(transition(r.order, { type: 'recomputeDeadlines', reason: 'again' }, c)).toMatchObject({ ok: false, code: 'WORK_ORDER.NOTHING_TO_RECOMPUTE' });
    expect(transition(o, { type: 'recomputeDeadlines', reason: 'x' }, { ...c, actor: SUP })).toMatchObject({ ok: false, code: 'WORK_ORDER.FORBIDDEN_ROLE' });
  });

  it('a deadline moved earlier but still ahead of now moves; one whose recount has passed keeps the due instant the unit was given', () => {
    const o = order();
    // 12-31 (1), 01-01 (2), 01-02 补班 (3), 01-04…08 (4–8), 01-11, 12 (9, 10).
    const ahead = recountProvisionalDeadlines(o.deadlines, 'workingDays', earlier2027, at('2027-01-12 10:00'));
    expect(local(ahead.deadlines.complete?.dueAt)).toBe('2027-01-12T23:59:59.999+08:00');
    const passed = recountProvisionalDeadlines(o.deadlines, 'workingDays', earlier2027, at('2027-01-13 09:00'));
    expect(local(passed.deadlines.complete?.dueAt)).toBe('2027-01-13T23:59:59.999+08:00');
    expect(passed.deadlines.complete?.provisional).toBe(false);
    expect(local(passed.changes.find((c) => c.stage === 'complete')?.computedDueAt)).toBe('2027-01-12T23:59:59.999+08:00');
    // The return window (12-31, 01-01, 01-02 补班 → 01-02) had passed at both instants and was later before: it stays 01-04.
    expect(local(passed.deadlines.return?.dueAt)).toBe('2027-01-04T23:59:59.999+08:00');
  });

  it('granted extensions are added again on the new calendar; met deadlines stay as they were', () => {
    // Extended by 15 WD on the provisional calendar, then recounted: 01-14 + 15 WD = 01-15, 18…22, 25…29, 02-01…04 (15) → 02-04.
    const o = run(order(), P, [[ext(15), UNIT, at('2026-12-31 09:00')], [{ type: 'approveExtension' }, SUP, at('2026-12-31 10:00')]]);
    expect(o.deadlines.complete?.extendedBy).toBe(15);
    const r = recountProvisionalDeadlines(o.deadlines, 'workingDays', cal2027, at('2027-01-05 10:00'));
    expect(local(r.deadlines.complete?.dueAt)).toBe('2027-02-04T23:59:59.999+08:00');
    const met = { ...o.deadlines, complete: { ...(o.deadlines.complete as NonNullable<WorkOrder['deadlines']['complete']>), metAt: at('2027-01-04 10:00') } };
    expect(recountProvisionalDeadlines(met, 'workingDays', cal2027, at('2027-01-05 10:00')).changes.filter((c) => c.stage === 'complete')).toEqual([]);
  });
});
