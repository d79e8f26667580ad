import { DEFAULT_WORK_CALENDAR } from '../../../src/domain/calendar';
import {
  builtInPreset, createWorkOrder, transition,
  type Actor, type RegulationPreset, type TransitionContext, type WorkOrder, type WorkOrderAction, type NewWorkOrderInput,
} from '../../../src/domain/work-order';

/** Local Beijing time, e.g. at('2026-02-12 10:00'). */
export function at(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}+08:00`);
}

export const AGENT: Actor = { id: 'agent-7', role: 'agent' };
export const SUP: Actor = { id: 'sup-1', role: 'supervisor' };
export const UNIT: Actor = { id: 'handler-1', role: 'unitHandler', unitId: 'unit-1' };
export const UNIT2: Actor = { id: 'handler-2', role: 'unitHandler', unitId: 'unit-2' };
export const SYS: Actor = { id: 'sweep', role: 'system' };

export function preset(id: string): RegulationPreset {
  const p = builtInPreset(id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}

export function ctx(presetId: string, now: Date, actor: Actor, extra: Partial<TransitionContext> = {}): TransitionContext {
  return { now, actor, preset: preset(presetId), calendar: DEFAULT_WORK_CALENDAR, ...extra };
}

export function newOrder(overrides: Partial<NewWorkOrderInput> = {}): WorkOrder {
  return createWorkOrder({
    id: 'o-1',
    number: 'WO20260212-000001',
    presetId: 'beijing-2023',
    createdAt: at('2026-02-12 09:00'),
    createdBy: { id: AGENT.id, role: 'agent' },
    caller: { name: '张三', phone: '13800138000', confidential: false, callbackConsent: 'granted' },
    category: '投诉',
    urgency: '一般',
    content: '小区夜间施工噪音',
    areaCode: '110105',
    ...overrides,
  });
}

export type Step = readonly [WorkOrderAction, Actor, Date];

/** Applies steps; a failing step fails the test with its code. */
export function run(order: WorkOrder, presetId: string, steps: readonly Step[], extra: Partial<TransitionContext> = {}): WorkOrder {
  let o = order;
  for (const [action, actor, now] of steps) {
    const r = transition(o, action, ctx(presetId, now, actor, extra));
    if (!r.ok) throw new Error(`${action.type} failed: ${r.code} ${r.reason}`);
    o = r.order;
  }
  return o;
}

/** An order accepted, dispatched to unit-1 and signed, on the given preset. */
export function signedOrder(presetId: string, receivedAt: Date, overrides: Partial<NewWorkOrderInput> = {}, signAt?: Date): WorkOrder {
  return run(newOrder({ presetId, createdAt: receivedAt, ...overrides }), presetId, [
    [{ type: 'accept' }, AGENT, receivedAt],
    [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, receivedAt],
    [{ type: 'sign' }, UNIT, signAt ?? new Date(receivedAt.getTime() + 60_000)],
  ]);
}

export const FULL_REPORT = {
  firstContact: '已电话联系', siteVisit: '已现场查看', facts: '情况属实', requestAssessment: '诉求合理',
  actionsAndBasis: '依据噪声污染防治法责令停工', result: '已停工', replyToCaller: '已电话答复',
  callerSatisfaction: '满意', otherNotes: '无', handlerAndResponsible: '李四 / 王五',
};

/** Local ISO string of an instant, e.g. '2026-02-26T23:59:59.999+08:00'. */
export function local(d: Date | undefined): string {
  if (!d) return 'undefined';
  const shifted = new Date(d.getTime() + 8 * 3600_000).toISOString().replace('Z', '+08:00');
  return shifted;
}
