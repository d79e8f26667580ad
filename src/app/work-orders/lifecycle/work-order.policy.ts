/**
 * Who may do what with a work order (hotline-rules §1, issue 5 §10):
 *  - hotline staff (agent, supervisor, administrator) create, dispatch, review and supervise, and
 *    see every order;
 *  - a unit handler sees only orders whose lead or co-units include their unit (others are 404, so
 *    ids cannot be probed) and acts only as the lead unit (the state machine checks that);
 *  - a confidential caller (保密) is masked for everyone except the lead unit, which handles the
 *    case and contacts the caller, and the agent who took the call; co-units (协办) see it masked.
 * The administrator acts with the supervisor's powers in the state machine.
 */
import { caseHandlerKeys, isHandling, type Actor, type CaseHandlers } from '../../../domain/access';
import { ACTION_ROLES, viewCaller, type Actor as OrderActor, type WorkOrder, type WorkOrderActionType } from '../../../domain/work-order';

export function orderActor(actor: Actor): OrderActor {
  switch (actor.role) {
    case 'agent':
      return { id: actor.userId, role: 'agent' };
    case 'supervisor':
    case 'admin':
      return { id: actor.userId, role: 'supervisor' };
    case 'unit_handler':
      return actor.unitId === null ? { id: actor.userId, role: 'unitHandler' } : { id: actor.userId, role: 'unitHandler', unitId: actor.unitId };
  }
}

export function isHotlineStaff(actor: Actor): boolean {
  return actor.role === 'agent' || actor.role === 'supervisor' || actor.role === 'admin';
}

export function unitIdsOf(order: WorkOrder): string[] {
  return order.leadUnitId ? [order.leadUnitId, ...order.coUnitIds.filter((u) => u !== order.leadUnitId)] : [...order.coUnitIds];
}

export function canSee(actor: Actor, order: WorkOrder): boolean {
  if (isHotlineStaff(actor)) return true;
  return actor.role === 'unit_handler' && actor.unitId !== null && unitIdsOf(order).includes(actor.unitId);
}

/** The role may take this action at all (before looking at the order's state). */
export function roleMayAct(actor: Actor, type: WorkOrderActionType): boolean {
  const roles = Object.hasOwn(ACTION_ROLES, type) ? ACTION_ROLES[type] : undefined;
  return roles !== undefined && roles.includes(orderActor(actor).role);
}

/**
 * Who handles the order's case: its lead unit, and the agent user who took the call and created it
 * (a supervisor who created it is not handling it).
 */
export function orderHandlers(order: WorkOrder): CaseHandlers {
  const created = order.history[0];
  return {
    handlingAgentId: null,
    handlingUserId: created && created.role === 'agent' ? created.actor : null,
    handlingUnitIds: order.leadUnitId ? [order.leadUnitId] : [],
  };
}

/** Stored with the order so that a search by phone leaves out confidential orders the searcher does not handle. */
export function orderHandlerKeys(order: WorkOrder): string[] {
  return caseHandlerKeys(orderHandlers(order));
}

export function handlesOrder(actor: Actor, order: WorkOrder): boolean {
  return isHandling(actor, orderHandlers(order));
}

/** The order as this actor may see it. */
export function visibleOrder(actor: Actor, order: WorkOrder): WorkOrder & { readonly callerMasked: boolean } {
  const handles = handlesOrder(actor, order);
  const masked = order.caller.confidential && !handles;
  return { ...order, caller: viewCaller(order.caller, handles), callerMasked: masked };
}
