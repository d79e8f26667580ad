import { DEFAULT_WORK_CALENDAR as cal } from '../../../src/domain/calendar';
import {
  BUILT_IN_PRESETS, DEFAULT_PRESET_ID, extensionCutoff, isSampledForCallback, parseRegulationPreset, selectRule, transition,
  type WorkOrder, type WorkOrderAction,
} from '../../../src/domain/work-order';
import { AGENT, FULL_REPORT, SUP, UNIT, at, ctx, local, newOrder, preset, run, signedOrder } from './work-order.fixtures';

const ext = (step: number): WorkOrderAction => ({ type: 'requestExtension', step, reason: '需检测鉴定' });
const ret = (extra: Partial<Extract<WorkOrderAction, { type: 'requestReturn' }>> = {}): WorkOrderAction =>
  ({ type: 'requestReturn', reason: 'notOurDuty', explanation: '非本单位职责', evidence: [{ id: 'photo' }], ...extra });
const code = (o: WorkOrder, a: WorkOrderAction, presetId: string, now: Date, actor = UNIT): string => {
  const r = transition(o, a, ctx(presetId, now, actor));
  return r.ok ? `ok:${r.order.status}` : r.code;
};
function dispatched(presetId: string, receivedAt: Date, overrides: Parameters<typeof newOrder>[0] = {}): WorkOrder {
  return run(newOrder({ presetId, createdAt: receivedAt, ...overrides }), presetId, [
    [{ type: 'accept' }, AGENT, receivedAt],
    [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, receivedAt],
  ]);
}

describe('regulation presets as data', () => {
  it('ships six presets, 北京 2023 by default', () => {
    expect(BUILT_IN_PRESETS.map((p) => p.id)).toEqual(['beijing-2023', 'yanji-2019', 'qingpu-2020', 'miyun-2014', 'qilihe-2012', 'national-gb33358']);
    expect(DEFAULT_PRESET_ID).toBe('beijing-2023');
  });

  it.each(BUILT_IN_PRESETS.map((p) => [p.id, p] as const))('%s validates against the editable-preset schema', (_id, p) => {
    expect(parseRegulationPreset(JSON.parse(JSON.stringify(p)))).toEqual({ ok: true, preset: p });
    for (const rule of p.rules) expect(rule.source.length).toBeGreaterThan(5);
  });

  it.each([
    ['a negative limit', (p: Record<string, unknown>) => ({ ...p, rules: [{ ...(p.rules as object[])[0], limit: -1 }] }), 'rules.0.limit'],
    ['fractional working days', (p: Record<string, unknown>) => ({ ...p, rules: [...(p.rules as object[]), { id: 'x', stage: 'complete', limit: 1.5, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: 'test' }] }), 'rules.4.limit'],
    ['duplicate rule ids', (p: Record<string, unknown>) => ({ ...p, rules: [...(p.rules as object[]), (p.rules as object[])[0]] }), 'rules.4.id'],
    ['no handling rule for some urgency', (p: Record<string, unknown>) => ({ ...p, rules: (p.rules as { stage: string }[]).filter((r) => r.stage !== 'complete') }), 'rules'],
    ['a sampling rate above 1', (p: Record<string, unknown>) => ({ ...p, callback: { ...(p.callback as object), samplingRate: 1.5 } }), 'callback.samplingRate'],
    ['an unknown forbidden case', (p: Record<string, unknown>) => ({ ...p, return: { ...(p.return as object), forbidden: ['always'] } }), 'return.forbidden.0'],
  ])('rejects an edited preset with %s', (_label, edit, path) => {
    const sut = parseRegulationPreset(edit(JSON.parse(JSON.stringify(preset('yanji-2019')))));
    expect(sut.ok).toBe(false);
    if (!sut.ok) expect(sut.issues.map((i) => i.path)).toContain(path);
  });

  it.each([
    // 003 回访: "办理时限期满后，应全部或抽样联系诉求人进行回访"
    ['beijing-2023', true, '办理时限期满后，应全部或抽样联系诉求人进行回访'],
    // 001 第十二条: "通过电话、短信或网络等途径开展群众诉求办理情况满意度调查"
    ['yanji-2019', true, '通过电话、短信或网络等途径开展群众诉求办理情况满意度调查'],
    // 002 第八条(六): the bureau is called back by the 上级热线 and does only 二次回访 of unsatisfied orders by its staff
    ['qingpu-2020', false, '接受上级热线对已办结工单的回访'],
    // 000 第二十二条: "办结7个自然日内…进行回访"
    ['miyun-2014', true, '办结7个自然日内'],
    // 004 五(五): "定期通过电话或网络等方式进行办理结果满意抽查"
    ['qilihe-2012', true, '定期通过电话或网络等方式进行办理结果满意抽查'],
    // 国办发〔2020〕53号: 回访、评价 closed loop
    ['national-gb33358', true, '回访'],
  ])('%s: automated callback survey %s, as its regulation asks (quoted in the source)', (id, enabled, quote) => {
    const p = preset(id);
    expect(p.survey.enabled).toBe(enabled);
    expect(p.survey.source).toContain(quote);
    // 密云 fixes the survey window at 7 natural days; the others set none and keep the product default.
    expect(p.survey.withinDays).toBe(7);
    expect([p.survey.hoursFrom, p.survey.hoursTo]).toEqual(['09:00', '20:00']);
  });

  it('picks the most specific rule, ties to the first listed', () => {
    const qlh = preset('qilihe-2012');
    expect(selectRule(qlh, 'complete', { urgency: '紧急', category: '咨询' })?.id).toBe('complete-emergency');
    expect(selectRule(qlh, 'complete', { urgency: '一般', category: '投诉' })?.id).toBe('complete-complaint');
    expect(selectRule(qlh, 'complete', { urgency: '一般', category: '表扬' })?.id).toBe('complete-other');
    expect(selectRule(preset('beijing-2023'), 'dispatch', { urgency: '一般', category: '投诉', surge: true })?.id).toBe('dispatch-general-surge');
    expect(selectRule(preset('beijing-2023'), 'dispatch', { urgency: '一般', category: '投诉' })?.id).toBe('dispatch-general');
  });
});

describe('北京 2023 (DB11)', () => {
  const P = 'beijing-2023';
  it.each([
    ['紧急', 'sign', '2026-10-01T23:59:00.000+08:00', '2026-10-02T00:14:00.000+08:00'],
    ['民生', 'sign', '2026-10-01T23:59:00.000+08:00', '2026-10-02T00:29:00.000+08:00'],
    ['紧急', 'feedback', '2026-10-01T23:59:00.000+08:00', '2026-10-02T01:59:00.000+08:00'],
    ['民生', 'feedback', '2026-10-01T23:59:00.000+08:00', '2026-10-02T23:59:00.000+08:00'],
    ['疑难', 'feedback', '2026-10-01T23:59:00.000+08:00', '2026-10-16T23:59:59.999+08:00'], // 15 ND from 10-02
  ] as const)('%s %s dispatched at %s is due %s', (urgency, stage, when, due) => {
    const o = dispatched(P, new Date(when), { urgency });
    expect(local(o.deadlines[stage]?.dueAt)).toBe(due);
  });

  it('dispatch limit is 48 h when volume surges', () => {
    const o = run(newOrder({ createdAt: at('2026-03-02 09:00') }), P, [[{ type: 'accept' }, AGENT, at('2026-03-02 09:00')]]);
    expect(local(o.deadlines.dispatch?.dueAt)).toBe('2026-03-03T09:00:00.000+08:00');
    const d = run(o, P, [[{ type: 'dispatch', leadUnitId: 'unit-1', surge: true }, AGENT, at('2026-03-02 10:00')]]);
    expect(d.status).toBe('PENDING_SIGN');
  });

  it('return: only before 签收, with evidence, once per unit', () => {
    const o = dispatched(P, at('2026-03-02 09:00'));
    expect(code(o, ret({ evidence: [] }), P, at('2026-03-02 10:00'))).toBe('WORK_ORDER.RETURN_EVIDENCE_MISSING');
    expect(code(o, ret(), P, at('2026-03-04 00:00'))).toBe('WORK_ORDER.RETURN_WINDOW_PASSED'); // 1 WD: 03-03 end
    const signed = run(o, P, [[{ type: 'sign' }, UNIT, at('2026-03-02 10:00')]]);
    expect(code(signed, ret(), P, at('2026-03-02 11:00'))).toBe('WORK_ORDER.RETURN_NOT_ALLOWED');
    const back = run(o, P, [
      [ret(), UNIT, at('2026-03-02 10:00')],
      [{ type: 'approveReturn', redispatchTo: { leadUnitId: 'unit-1' } }, SUP, at('2026-03-02 11:00')],
    ]);
    expect(code(back, ret(), P, at('2026-03-02 12:00'))).toBe('WORK_ORDER.RETURN_LIMIT_REACHED');
  });

  it('extension: once, at most 15 ND in total, before the deadline', () => {
    const o = signedOrder(P, at('2026-03-02 09:00')); // feedback due 03-09 end
    expect(code(o, ext(16), P, at('2026-03-05 10:00'))).toBe('WORK_ORDER.EXTENSION_TOTAL_EXCEEDED');
    expect(code(o, ext(3), P, at('2026-03-10 00:00'))).toBe('WORK_ORDER.EXTENSION_TOO_LATE');
    const extended = run(o, P, [[ext(5), UNIT, at('2026-03-05 10:00')], [{ type: 'approveExtension' }, SUP, at('2026-03-05 11:00')]]);
    expect(local(extended.deadlines.feedback?.dueAt)).toBe('2026-03-14T23:59:59.999+08:00');
    expect(code(extended, ext(1), P, at('2026-03-06 10:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
  });

  it('a rejected extension leaves the deadline alone', () => {
    const o = run(signedOrder(P, at('2026-03-02 09:00')), P, [[ext(5), UNIT, at('2026-03-05 10:00')], [{ type: 'rejectExtension', reason: '不需要' }, SUP, at('2026-03-05 11:00')]]);
    expect(local(o.deadlines.feedback?.dueAt)).toBe('2026-03-09T23:59:59.999+08:00');
    expect(o.extensions[0]?.decision).toBe('rejected');
  });
});

describe('延吉 2019', () => {
  const P = 'yanji-2019';
  it('sign within 1 h; consultation 1 WD, others 3 WD', () => {
    const consult = dispatched(P, at('2026-02-12 10:00'), { category: '咨询' });
    expect(local(consult.deadlines.sign?.dueAt)).toBe('2026-02-12T11:00:00.000+08:00');
    expect(local(consult.deadlines.complete?.dueAt)).toBe('2026-02-13T23:59:59.999+08:00');
    // 02-13 (1), 02-14 Sat 补班 (2), 春节, 02-24 (3)
    expect(local(dispatched(P, at('2026-02-12 10:00')).deadlines.complete?.dueAt)).toBe('2026-02-24T23:59:59.999+08:00');
  });

  it('extension: requested before the last working day, at most 3 times', () => {
    let o = signedOrder(P, at('2026-03-02 09:00')); // complete due 03-05 (Thu) end
    expect(code(o, ext(2), P, at('2026-03-05 08:00'))).toBe('WORK_ORDER.EXTENSION_TOO_LATE');
    for (const [i, now] of ['2026-03-04 17:00', '2026-03-06 17:00', '2026-03-10 17:00'].entries()) {
      o = run(o, P, [[ext(2), UNIT, at(now)], [{ type: 'approveExtension' }, SUP, at(now)]]);
      expect(o.extensions).toHaveLength(i + 1);
    }
    // 03-05 +2 → 03-09, +2 → 03-11, +2 → 03-13
    expect(local(o.deadlines.complete?.dueAt)).toBe('2026-03-13T23:59:59.999+08:00');
    expect(code(o, ext(1), P, at('2026-03-11 09:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
  });

  it('return within 1 WD, or 2 WD when a site check is needed; allowed after signing', () => {
    const o = signedOrder(P, at('2026-03-06 09:00')); // Friday: 1 WD = 03-09, 2 WD = 03-10
    expect(code(o, ret(), P, at('2026-03-10 09:00'))).toBe('WORK_ORDER.RETURN_WINDOW_PASSED');
    expect(code(o, ret({ needsSiteCheck: true }), P, at('2026-03-10 09:00'))).toBe('ok:RETURN_REQUESTED');
    expect(code(o, ret({ needsSiteCheck: true }), P, at('2026-03-11 00:00'))).toBe('WORK_ORDER.RETURN_WINDOW_PASSED');
  });

  it('after a rejected return the unit may not return again (首办责任单位)', () => {
    const o = run(dispatched(P, at('2026-03-02 09:00')), P, [[ret(), UNIT, at('2026-03-02 09:30')], [{ type: 'rejectReturn', reason: '职责明确' }, SUP, at('2026-03-02 10:00')]]);
    expect(code(o, ret(), P, at('2026-03-02 11:00'))).toBe('WORK_ORDER.RETURN_NOT_ALLOWED');
  });
});

describe('青浦 2020', () => {
  const P = 'qingpu-2020';
  it('"1310": 紧急 1 WD, 一般 3 WD, 疑难 10 WD; first contact 1 WD', () => {
    const when = at('2026-09-29 10:00');
    expect(local(dispatched(P, when, { urgency: '紧急' }).deadlines.complete?.dueAt)).toBe('2026-09-30T23:59:59.999+08:00');
    // 09-30 (1), 国庆 10-01…07, 10-08 (2), 10-09 (3)
    expect(local(dispatched(P, when).deadlines.complete?.dueAt)).toBe('2026-10-09T23:59:59.999+08:00');
    // 09-30 (1), 10-08 (2), 10-09 (3), 10-10 Sat 补班 (4), 10-12…16 (5–9), 10-19 (10)
    expect(local(dispatched(P, when, { urgency: '疑难' }).deadlines.complete?.dueAt)).toBe('2026-10-19T23:59:59.999+08:00');
    expect(local(dispatched(P, when).deadlines.firstContact?.dueAt)).toBe('2026-09-30T23:59:59.999+08:00');
  });

  it('first contact: phone retries ≥ 1 h apart, SMS only after a failed call, required before completion', () => {
    const o = signedOrder(P, at('2026-03-02 09:00'));
    expect(code(o, { type: 'complete', summary: 'x', report: FULL_REPORT }, P, at('2026-03-02 12:00'))).toBe('WORK_ORDER.FIRST_CONTACT_MISSING');
    expect(code(o, { type: 'recordContactAttempt', channel: 'sms', reached: true }, P, at('2026-03-02 10:00'))).toBe('WORK_ORDER.CONTACT_PHONE_FIRST');
    const tried = run(o, P, [[{ type: 'recordContactAttempt', channel: 'phone', reached: false }, UNIT, at('2026-03-02 10:00')]]);
    expect(code(tried, { type: 'recordContactAttempt', channel: 'phone', reached: true }, P, at('2026-03-02 10:59'))).toBe('WORK_ORDER.CONTACT_RETRY_TOO_SOON');
    expect(run(tried, P, [[{ type: 'recordContactAttempt', channel: 'phone', reached: true }, UNIT, at('2026-03-02 11:00')]]).firstContactAt).toEqual(at('2026-03-02 11:00'));
    const sms = run(tried, P, [[{ type: 'recordContactAttempt', channel: 'sms', reached: true }, UNIT, at('2026-03-02 10:05')]]);
    expect(sms.firstContactAt).toEqual(at('2026-03-02 10:05'));
    expect(sms.deadlines.firstContact?.metAt).toEqual(at('2026-03-02 10:05'));
  });

  it('completion needs all ten report items (第九条(四))', () => {
    const o = run(signedOrder(P, at('2026-03-02 09:00')), P, [[{ type: 'recordContactAttempt', channel: 'phone', reached: true }, UNIT, at('2026-03-02 10:00')]]);
    const r = transition(o, { type: 'complete', summary: 'x', report: { ...FULL_REPORT, siteVisit: ' ', handlerAndResponsible: '' } }, ctx(P, at('2026-03-03 10:00'), UNIT));
    expect(r).toEqual({ ok: false, code: 'WORK_ORDER.COMPLETION_REPORT_INCOMPLETE', reason: 'completion report lacks: siteVisit, handlerAndResponsible' });
    expect(code(o, { type: 'complete', summary: 'x' }, P, at('2026-03-03 10:00'))).toBe('WORK_ORDER.COMPLETION_REPORT_INCOMPLETE');
    expect(code(o, { type: 'complete', summary: 'x', report: FULL_REPORT }, P, at('2026-03-03 10:00'))).toBe('ok:PENDING_REVIEW');
  });

  it('extension: one step of 15/30/60/90 WD, not within 5 WD of the deadline', () => {
    const o = signedOrder(P, at('2026-03-02 09:00'), { urgency: '疑难' }); // 10 WD: 03-16 (Mon)
    expect(local(o.deadlines.complete?.dueAt)).toBe('2026-03-16T23:59:59.999+08:00');
    // last 5 WD: 03-10…03-16 → cutoff 03-10 00:00
    expect(local(extensionCutoff(o.deadlines.complete?.dueAt ?? new Date(0), 5, { calendar: cal }))).toBe('2026-03-10T00:00:00.000+08:00');
    expect(code(o, ext(20), P, at('2026-03-05 10:00'))).toBe('WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED');
    expect(code(o, ext(15), P, at('2026-03-10 00:00'))).toBe('WORK_ORDER.EXTENSION_TOO_LATE');
    const extended = run(o, P, [[ext(15), UNIT, at('2026-03-09 23:00')], [{ type: 'approveExtension' }, SUP, at('2026-03-10 09:00')]]);
    // 03-16 + 15 WD: 03-17…20 (4), 23…27 (9), 30, 31, 04-01…03 (14), 清明 04-04…06, 04-07 (15)
    expect(local(extended.deadlines.complete?.dueAt)).toBe('2026-04-07T23:59:59.999+08:00');
    expect(code(extended, ext(15), P, at('2026-03-11 10:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
  });

  it.each([
    ['a designated lead unit', (o: WorkOrder) => o, { coUnitIds: ['unit-9'] }],
    ['a re-dispatched order (再次派单)', (o: WorkOrder) => ({ ...o, dispatchCount: 2 }), {}],
    ['a forced order', (o: WorkOrder) => ({ ...o, forcedDispatch: true }), {}],
  ])('return is forbidden for %s', (_l, patch, dispatchExtra) => {
    const base = run(newOrder({ presetId: P, createdAt: at('2026-03-02 09:00') }), P, [
      [{ type: 'accept' }, AGENT, at('2026-03-02 09:00')],
      [{ type: 'dispatch', leadUnitId: 'unit-1', ...dispatchExtra }, AGENT, at('2026-03-02 09:00')],
    ]);
    expect(code(patch(base), ret(), P, at('2026-03-02 10:00'))).toBe('WORK_ORDER.RETURN_NOT_ALLOWED');
  });

  it('return window: 1 WD simple, 3 WD 疑难', () => {
    expect(local(dispatched(P, at('2026-03-06 09:00')).deadlines.return?.dueAt)).toBe('2026-03-09T23:59:59.999+08:00');
    expect(local(dispatched(P, at('2026-03-06 09:00'), { urgency: '疑难' }).deadlines.return?.dueAt)).toBe('2026-03-11T23:59:59.999+08:00');
  });
});

describe('密云 2014', () => {
  const P = 'miyun-2014';
  it('7 ND to complete, 10 WD feedback, across 春节 2026', () => {
    const o = dispatched(P, at('2026-02-12 10:00'));
    expect(local(o.deadlines.complete?.dueAt)).toBe('2026-02-19T23:59:59.999+08:00');
    // 02-13 (1), 02-14 补班 (2), 02-24…27 (3–6), 02-28 补班 (7), 03-02…04 (8–10)
    expect(local(o.deadlines.feedback?.dueAt)).toBe('2026-03-04T23:59:59.999+08:00');
  });

  it('one extension of ≤ 3 WD, asked 2 WD before the deadline', () => {
    const o = signedOrder(P, at('2026-03-02 09:00')); // complete due 03-09 (Mon) end
    expect(code(o, ext(4), P, at('2026-03-04 10:00'))).toBe('WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED');
    // last 2 WD are 03-06 (Fri) and 03-09 (Mon): cutoff 03-06 00:00
    expect(code(o, ext(3), P, at('2026-03-06 08:00'))).toBe('WORK_ORDER.EXTENSION_TOO_LATE');
    const e = run(o, P, [[ext(3), UNIT, at('2026-03-05 18:00')], [{ type: 'approveExtension' }, SUP, at('2026-03-06 09:00')]]);
    expect(local(e.deadlines.complete?.dueAt)).toBe('2026-03-12T23:59:59.999+08:00');
    expect(code(e, ext(1), P, at('2026-03-09 09:00'))).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
  });

  it('callback sampling at 70 % is deterministic per order, with a 7 ND callback deadline', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `order-${i}`);
    const sampled = ids.filter((id) => isSampledForCallback(id, 0.7)).length;
    expect(sampled).toBeGreaterThan(650);
    expect(sampled).toBeLessThan(750);
    expect(isSampledForCallback('order-1', 0.7)).toBe(isSampledForCallback('order-1', 0.7));
    const o = run(signedOrder(P, at('2026-03-02 09:00')), P, [
      [{ type: 'complete', summary: 'x' }, UNIT, at('2026-03-03 09:00')],
      [{ type: 'passReview' }, SUP, at('2026-03-03 10:00')],
      [{ type: 'recordFeedback', channel: 'phone' }, UNIT, at('2026-03-03 11:00')],
    ], { callbackSampled: true });
    expect(local(o.deadlines.callback?.dueAt)).toBe('2026-03-10T23:59:59.999+08:00');
  });
});

describe('七里河 2012', () => {
  const P = 'qilihe-2012';
  it('emergency same day; consult/help 5 WD and complaints 15 WD from the next day', () => {
    expect(local(dispatched(P, at('2026-10-01 20:00'), { urgency: '紧急' }).deadlines.complete?.dueAt)).toBe('2026-10-01T23:59:59.999+08:00');
    // 国庆 2026: 10-08 (1), 10-09 (2), 10-10 补班 (3), 10-12 (4), 10-13 (5)
    expect(local(dispatched(P, at('2026-09-30 10:00'), { category: '求助' }).deadlines.complete?.dueAt)).toBe('2026-10-13T23:59:59.999+08:00');
    // … 10-14…16 (6–8), 10-19…23 (9–13), 10-26 (14), 10-27 (15)
    expect(local(dispatched(P, at('2026-09-30 10:00'), { category: '投诉' }).deadlines.complete?.dueAt)).toBe('2026-10-27T23:59:59.999+08:00');
  });

  it('return within 2 natural days from the next day, even over a holiday', () => {
    expect(local(dispatched(P, at('2026-09-30 10:00')).deadlines.return?.dueAt)).toBe('2026-10-02T23:59:59.999+08:00');
  });

  it('extensions have no count cap but must come before the deadline', () => {
    let o = signedOrder(P, at('2026-03-02 09:00'), { category: '咨询' }); // 5 WD → 03-09
    for (let i = 0; i < 4; i += 1) o = run(o, P, [[ext(2), UNIT, at('2026-03-05 10:00')], [{ type: 'approveExtension' }, SUP, at('2026-03-05 10:00')]]);
    // 03-09 + 4 × 2 WD: 03-10…13 (4), 03-16…19 (8)
    expect(local(o.deadlines.complete?.dueAt)).toBe('2026-03-19T23:59:59.999+08:00');
    expect(code(o, ext(1), P, at('2026-03-20 00:00'))).toBe('WORK_ORDER.EXTENSION_TOO_LATE');
  });
});

describe('national GB/T 33358 baseline', () => {
  const P = 'national-gb33358';
  it('complete in 5 WD; one extension of ≤ 10 WD', () => {
    const o = signedOrder(P, at('2026-02-12 10:00'));
    expect(local(o.deadlines.complete?.dueAt)).toBe('2026-02-26T23:59:59.999+08:00');
    expect(code(o, ext(11), P, at('2026-02-13 10:00'))).toBe('WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED');
    expect(code(o, ext(10), P, at('2026-02-13 10:00'))).toBe('ok:EXTENSION_REQUESTED');
  });
});
