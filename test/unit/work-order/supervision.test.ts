import { CN_2025, CN_2026, createWorkCalendar, DEFAULT_WORK_CALENDAR as cal } from '../../../src/domain/calendar';
import { dueNotices, foldSentNotices, nextNoticeAt, noticesAt, plannedNotices, transition } from '../../../src/domain/work-order';
import { SUP, SYS, UNIT, at, ctx, local, preset, run, signedOrder } from './work-order.fixtures';

describe('催办 / 督办 decisions', () => {
  const P = 'yanji-2019';
  const p = preset(P);
  // Signed 2026-03-02 09:01; complete due 03-05 (Thu) 23:59:59.999. Reminder at 75 % of the span.
  const o = signedOrder(P, at('2026-03-02 09:00'));

  it('plans a reminder and three supervision levels for the open completion deadline', () => {
    const sut = plannedNotices(o, p, cal);
    expect(sut.map((n) => [n.level, local(n.notifyAt)])).toEqual([
      // 09:00 + 0.75 × (03-05 24:00 − 03-02 09:00 = 87 h) = 09:00 + 65.25 h = 03-05 02:14:59.999
      ['reminder', '2026-03-05T02:14:59.999+08:00'],
      ['yellow', '2026-03-05T23:59:59.999+08:00'],
      ['red', '2026-03-06T23:59:59.999+08:00'], // +1 WD
      ['escalation', '2026-03-10T23:59:59.999+08:00'], // +3 WD: 03-06, 03-09, 03-10
    ]);
    expect(sut[1]?.key).toBe('o-1:complete:yellow:2026-03-05T15:59:59.999Z');
  });

  it('a calendar an administrator replaced gives its own level times, though those of the old one were remembered; a caller changing a returned time changes nothing', () => {
    const red = (c: typeof cal) => local(plannedNotices(o, p, c).find((n) => n.level === 'red')?.notifyAt);
    expect(red(cal)).toBe('2026-03-06T23:59:59.999+08:00');
    // 03-06 (Fri) declared a holiday: +1 working day from Thu 03-05 is Mon 03-09.
    const updated = createWorkCalendar([CN_2025, { ...CN_2026, version: CN_2026.version + 1, holidays: [...CN_2026.holidays, { name: '测试', from: '2026-03-06', to: '2026-03-06' }] }]);
    expect(red(updated)).toBe('2026-03-09T23:59:59.999+08:00');
    plannedNotices(o, p, cal).find((n) => n.level === 'red')?.notifyAt.setTime(0);
    expect(red(cal)).toBe('2026-03-06T23:59:59.999+08:00');
  });

  it('returns only what is due and unsent, and nothing twice', () => {
    expect(dueNotices(o, at('2026-03-04 12:00'), p, cal)).toEqual([]);
    const due = dueNotices(o, at('2026-03-05 08:00'), p, cal);
    expect(due.map((n) => n.level)).toEqual(['reminder']);
    const first = due[0];
    if (!first) throw new Error('no notice');
    const r = transition(o, { type: 'recordNotice', key: first.key, kind: first.kind, stage: first.stage, level: first.level }, ctx(P, at('2026-03-05 08:00'), SYS));
    if (!r.ok) throw new Error(r.code);
    expect(dueNotices(r.order, at('2026-03-05 09:00'), p, cal)).toEqual([]);
    expect(local(nextNoticeAt(r.order, at('2026-03-05 09:00'), p, cal))).toBe('2026-03-05T23:59:59.999+08:00');
  });

  it('the notices due after the deadline (yellow and red), folded in, are recorded once, then nothing is due', () => {
    const due = dueNotices(o, at('2026-03-07 10:00'), p, cal);
    const sent = due.map((n) => ({ key: n.key, kind: n.kind, stage: n.stage, level: n.level, at: at('2026-03-07 10:00') }));
    const first = foldSentNotices(o, sent, p, cal, SYS);
    expect(due.map((n) => n.level)).toEqual(['yellow', 'red']);
    expect(first.sentNoticeKeys).toEqual(['o-1:complete:yellow:2026-03-05T15:59:59.999Z', 'o-1:complete:red:2026-03-05T15:59:59.999Z']); // keyed by the deadline
    expect(first.history.slice(o.history.length).map((h) => h.action)).toEqual(['recordNotice', 'recordNotice']);
    const [yellow] = due;
    if (!yellow) throw new Error('no notice');
    const one = transition(o, { type: 'recordNotice', key: yellow.key, kind: yellow.kind, stage: yellow.stage, level: yellow.level }, ctx(P, at('2026-03-07 10:00'), SYS));
    expect(one.ok && one.events.map((e) => e.type)).toEqual(['NoticeRecorded']);
    expect(dueNotices(first, at('2026-03-07 10:05'), p, cal)).toEqual([]);
    expect(foldSentNotices(first, sent, p, cal, SYS)).toBe(first);
  });

  it('noticesAt: what is due now and when the next one comes, those due now counted as sent', () => {
    const before = noticesAt(o, at('2026-03-04 12:00'), p, cal);
    expect(before.due).toEqual([]);
    expect(local(before.next)).toBe('2026-03-05T02:14:59.999+08:00'); // the reminder
    const atReminder = noticesAt(o, at('2026-03-05 08:00'), p, cal);
    expect(atReminder.due.map((n) => n.level)).toEqual(['reminder']);
    expect(local(atReminder.next)).toBe('2026-03-05T23:59:59.999+08:00'); // yellow, not the reminder again
    const late = noticesAt(o, at('2026-03-07 10:00'), p, cal); // reminder dropped, yellow and red due
    expect(late.due.map((n) => n.level)).toEqual(['yellow', 'red']);
    expect(local(late.next)).toBe('2026-03-10T23:59:59.999+08:00');
    expect(noticesAt(o, at('2026-03-11 00:00'), p, cal)).toEqual({ due: dueNotices(o, at('2026-03-11 00:00'), p, cal) }); // nothing after escalation
  });

  it('foldSentNotices records sent notices at the instants they were sent, oldest first, each once', () => {
    const [reminder, yellow] = plannedNotices(o, p, cal);
    if (!reminder || !yellow) throw new Error('no plan');
    const sent = (n: typeof reminder, when: string) => ({ key: n.key, kind: n.kind, stage: n.stage, level: n.level, at: at(when) });
    const folded = foldSentNotices(o, [sent(yellow, '2026-03-06 00:00'), sent(reminder, '2026-03-05 02:15')], p, cal, SYS);
    expect(folded.sentNoticeKeys).toEqual([reminder.key, yellow.key]);
    const entries = folded.history.slice(o.history.length);
    expect(entries.map((h) => [h.action, h.actor, local(h.at)])).toEqual([
      ['recordNotice', SYS.id, '2026-03-05T02:15:00.000+08:00'],
      ['recordNotice', SYS.id, '2026-03-06T00:00:00.000+08:00'],
    ]);
    expect(foldSentNotices(folded, [sent(reminder, '2026-03-05 02:15')], p, cal, SYS)).toBe(folded);
    // Sent by one run at the same instant (yellow and red after a pause): kept in the plan's order.
    const late = dueNotices(o, at('2026-03-07 10:00'), p, cal).map((n) => sent(n, '2026-03-07 10:00'));
    expect(foldSentNotices(o, late, p, cal, SYS).sentNoticeKeys).toEqual(['o-1:complete:yellow:2026-03-05T15:59:59.999Z', 'o-1:complete:red:2026-03-05T15:59:59.999Z']);
  });

  it('drops a reminder once the deadline has passed and lets 督办 take over', () => {
    const due = dueNotices(o, at('2026-03-07 10:00'), p, cal);
    expect(due.map((n) => n.level)).toEqual(['yellow', 'red']);
  });

  it('a signed order has no sign notices; a completed one has none for completion', () => {
    const done = run(o, P, [[{ type: 'complete', summary: 'x' }, UNIT, at('2026-03-03 10:00')]]);
    expect(plannedNotices(done, p, cal)).toEqual([]);
    expect(nextNoticeAt(done, at('2026-03-03 10:00'), p, cal)).toBeUndefined();
  });

  it('an approved extension yields new keys for the new due date', () => {
    const ext = run(o, P, [
      [{ type: 'requestExtension', step: 2, reason: '需检测' }, UNIT, at('2026-03-03 10:00')],
      [{ type: 'approveExtension' }, SUP, at('2026-03-03 11:00')],
    ]);
    const keys = plannedNotices(ext, p, cal).map((n) => n.key);
    expect(keys).toContain('o-1:complete:yellow:2026-03-09T15:59:59.999Z');
  });

  it('密云: yellow only 1 working day after the deadline (第三十条)', () => {
    const m = signedOrder('miyun-2014', at('2026-03-02 09:00'));
    const yellow = plannedNotices(m, preset('miyun-2014'), cal).find((n) => n.stage === 'complete' && n.level === 'yellow');
    // complete due 03-09 (Mon) end; +1 WD = 03-10 end
    expect(local(yellow?.notifyAt)).toBe('2026-03-10T23:59:59.999+08:00');
  });
});
