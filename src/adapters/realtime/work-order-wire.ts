/**
 * Work-order events of the app layer → Socket.IO messages and their rooms. Each payload is built
 * field by field from an allow-list (ids, number, statuses, stage, level, times), so a field added
 * to an app event later never reaches clients unnoticed, and no caller data is ever sent.
 */
import type { WorkOrderEventMap, WorkOrderScheduled } from '../../app/work-orders/lifecycle/work-order.events';
import { rooms } from './rooms';
import type { WorkOrderChangedPayload, WorkOrderNoticePayload } from './socket.events';

export type WorkOrderWire =
  | { readonly event: 'workorder:notice'; readonly payload: WorkOrderNoticePayload }
  | { readonly event: 'workorder:changed'; readonly payload: WorkOrderChangedPayload };

type Mappers = { [K in keyof WorkOrderEventMap]: (p: WorkOrderEventMap[K], now: number) => WorkOrderWire };

const changed =
  (kind: 'created' | 'changed') =>
  (p: WorkOrderEventMap['workOrder:changed']): WorkOrderWire => ({
    event: 'workorder:changed',
    payload: {
      kind,
      orderId: p.orderId,
      number: p.number,
      unitIds: [...p.unitIds],
      at: p.at.getTime(),
      key: `${p.orderId}:rev:${p.rev}`,
      action: p.action,
      from: p.from,
      to: p.to,
      actorId: p.actorId,
      rev: p.rev,
    },
  });

const deadlineNotice = (p: WorkOrderEventMap['workOrder:reminder']): WorkOrderWire => ({
  event: 'workorder:notice',
  payload: {
    kind: p.kind,
    orderId: p.orderId,
    number: p.number,
    unitIds: [...p.unitIds],
    at: p.at.getTime(),
    key: p.key,
    stage: p.stage,
    level: p.level,
    dueAt: p.dueAt.getTime(),
  },
});

const scheduled =
  (kind: 'contactRetry' | 'callback') =>
  (p: WorkOrderScheduled, now: number): WorkOrderWire => ({
    event: 'workorder:notice',
    payload: {
      kind,
      orderId: p.orderId,
      number: p.number,
      unitIds: [...p.unitIds],
      at: now,
      key: `${p.orderId}:${kind}:${p.dueAt.getTime()}`,
      dueAt: p.dueAt.getTime(),
    },
  });

/** One entry per app event: adding an event to WorkOrderEventMap fails to compile until it is mapped here. */
const MAPPERS: Mappers = {
  'workOrder:created': changed('created'),
  'workOrder:changed': changed('changed'),
  'workOrder:reminder': deadlineNotice,
  'workOrder:supervision': deadlineNotice,
  'workOrder:escalated': (p) => ({
    event: 'workorder:notice',
    // The reason is free text typed by a supervisor: it is left out (it may name the caller).
    payload: { kind: 'escalation', orderId: p.orderId, number: p.number, unitIds: [...p.unitIds], at: p.at.getTime(), key: `${p.orderId}:escalation:${p.at.getTime()}` },
  }),
  'workOrder:contactRetryDue': scheduled('contactRetry'),
  'workOrder:callbackDue': scheduled('callback'),
  'workOrder:deadlineChanged': (p) => ({
    event: 'workorder:notice',
    payload: {
      kind: 'deadlineChanged', orderId: p.orderId, number: p.number, unitIds: [...p.unitIds], at: p.at.getTime(),
      key: `${p.orderId}:deadline:${p.stage}:${p.dueAt.getTime()}`, stage: p.stage, previousDueAt: p.previousDueAt.getTime(), dueAt: p.dueAt.getTime(),
    },
  }),
};

/** Every work-order event the live API forwards. */
export const WORK_ORDER_EVENTS = Object.keys(MAPPERS) as (keyof WorkOrderEventMap)[];

/** The message for an app event; `now` stamps events that carry no time of their own. */
export function workOrderWire<E extends keyof WorkOrderEventMap>(name: E, payload: WorkOrderEventMap[E], now: number): WorkOrderWire {
  return (MAPPERS[name] as (p: WorkOrderEventMap[E], now: number) => WorkOrderWire)(payload, now);
}

/** The rooms that hear an order's events: each of its units, and the hotline staff room. */
export function workOrderRooms(unitIds: readonly string[]): string[] {
  return [...new Set(unitIds)].map((u) => rooms.unit(u)).concat(rooms.workOrders());
}
