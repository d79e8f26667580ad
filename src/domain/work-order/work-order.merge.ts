import type { WorkOrder, WorkOrderStatus } from './work-order.types';

/**
 * A merged duplicate (并单) follows its master: its visible status is the master's, and it is
 * closed when the master is. `master` is the order `mergedInto` points to (the caller loads it).
 */
export function effectiveStatus(order: WorkOrder, master?: WorkOrder): WorkOrderStatus {
  if (order.status !== 'MERGED' || !master || master.id !== order.mergedInto) return order.status;
  return master.status;
}

export function isClosedViaMaster(order: WorkOrder, master?: WorkOrder): boolean {
  return effectiveStatus(order, master) === 'CLOSED';
}
