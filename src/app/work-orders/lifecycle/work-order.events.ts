/**
 * Work-order events for the live API (催办 reminders, 督办 supervision, escalations, scheduled
 * contact retries and callbacks, every change). Each carries the units concerned so the live
 * API can pick its audience (`unit:<unitId>`, and the `workorders` room of hotline staff).
 */
import type { DeadlineStage, WorkOrderStatus } from '../../../domain/work-order';
import { TypedEmitter } from '../../../shared/typed-emitter';

export interface WorkOrderChanged {
  readonly orderId: string;
  readonly number: string;
  readonly action: string;
  readonly from: WorkOrderStatus;
  readonly to: WorkOrderStatus;
  readonly actorId: string;
  readonly rev: number;
  readonly unitIds: readonly string[];
  readonly at: Date;
}

export interface WorkOrderNotice {
  readonly orderId: string;
  readonly number: string;
  /** Idempotency key: the same notice is never emitted twice. */
  readonly key: string;
  readonly stage: DeadlineStage;
  readonly kind: 'reminder' | 'supervision';
  /** `reminder`, or the 督办 level: yellow, red, escalation. */
  readonly level: string;
  readonly dueAt: Date;
  readonly unitIds: readonly string[];
  readonly at: Date;
}

export interface WorkOrderEscalated {
  readonly orderId: string;
  readonly number: string;
  readonly reason: string;
  readonly unitIds: readonly string[];
  readonly at: Date;
}

export interface WorkOrderScheduled {
  readonly orderId: string;
  readonly number: string;
  readonly unitIds: readonly string[];
  /** When it became due. */
  readonly dueAt: Date;
}

/** A deadline counted again on a new official calendar year (one event per stage). */
export interface WorkOrderDeadlineChanged {
  readonly orderId: string;
  readonly number: string;
  readonly stage: DeadlineStage;
  readonly previousDueAt: Date;
  readonly dueAt: Date;
  readonly unitIds: readonly string[];
  readonly at: Date;
}

export type WorkOrderEventMap = {
  'workOrder:created': WorkOrderChanged;
  'workOrder:changed': WorkOrderChanged;
  'workOrder:reminder': WorkOrderNotice;
  'workOrder:supervision': WorkOrderNotice;
  'workOrder:escalated': WorkOrderEscalated;
  'workOrder:contactRetryDue': WorkOrderScheduled;
  'workOrder:callbackDue': WorkOrderScheduled;
  'workOrder:deadlineChanged': WorkOrderDeadlineChanged;
};

export type WorkOrderEmitter = TypedEmitter<WorkOrderEventMap>;

export function createWorkOrderEmitter(onListenerError?: (err: unknown, event: keyof WorkOrderEventMap) => void): WorkOrderEmitter {
  return new TypedEmitter<WorkOrderEventMap>(onListenerError);
}
