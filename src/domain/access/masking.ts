/**
 * Confidential callers (保密, hotline-rules §2, PIPL 个人信息保护法): the caller's number and name, the
 * complaint text and the recording of a confidential case are hidden from anyone who is not handling
 * it. The one policy for calls and work orders, applied by REST, sockets, exports, searches and logs.
 *
 * Handling = the agent who answered the call (or, on a work order, the agent user who took it and
 * created the order), or a handler of the case's lead unit. Co-units (协办), supervisors and
 * administrators are not handling a case and see masked values; a ringing agent is not handling the
 * call yet (the screen pop is masked).
 */
import type { Actor } from './roles';

/** Who handles a case: they see a confidential caller unmasked. */
export interface CaseHandlers {
  /** 工号 of the agent who answered the call. */
  readonly handlingAgentId: string | null;
  /** The user who took the call and created the order (orders record users, not 工号). */
  readonly handlingUserId?: string | null;
  /** Lead units of the work orders made from the case. */
  readonly handlingUnitIds: readonly string[];
}

/** 13812345678 → 138****5678; short numbers keep only their last two digits. */
export function maskPhone(number: string): string {
  const n = number.trim();
  if (n.length >= 11) return `${n.slice(0, 3)}${'*'.repeat(n.length - 7)}${n.slice(-4)}`;
  if (n.length <= 2) return '*'.repeat(n.length);
  return `${'*'.repeat(n.length - 2)}${n.slice(-2)}`;
}

/** 张三丰 → 张**; an empty name stays empty. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}

/**
 * The handler keys of a case and of an actor: the actor handles the case when they share one. Stored
 * with work orders (`handlerKeys`) so a search can leave out the confidential orders a person may not
 * see, with the same rule as `isHandling`.
 */
export function caseHandlerKeys(h: CaseHandlers): string[] {
  return [
    ...(h.handlingAgentId ? [`agent:${h.handlingAgentId}`] : []),
    ...(h.handlingUserId ? [`user:${h.handlingUserId}`] : []),
    ...h.handlingUnitIds.map((u) => `unit:${u}`),
  ];
}

export function actorHandlerKeys(actor: Actor): string[] {
  switch (actor.role) {
    case 'agent':
      return [...(actor.agentId !== null ? [`agent:${actor.agentId}`] : []), `user:${actor.userId}`];
    case 'unit_handler':
      return actor.unitId !== null ? [`unit:${actor.unitId}`] : [];
    case 'supervisor':
    case 'admin':
      return [];
  }
}

export function isHandling(actor: Actor, h: CaseHandlers): boolean {
  const mine = new Set(actorHandlerKeys(actor));
  return caseHandlerKeys(h).some((k) => mine.has(k));
}

/** Whether the actor may see the caller (and, for a confidential case, its text): not confidential, or handling it. */
export function seesCaller(actor: Actor, h: CaseHandlers, confidential: boolean): boolean {
  return !confidential || isHandling(actor, h);
}

/**
 * A call's recording is the answering agent's conversation: heard by that agent, the case's lead
 * unit, supervisors and administrators; never by other agents (e.g. one whose ring the caller missed).
 */
export function seesRecording(actor: Actor, h: CaseHandlers): boolean {
  return actor.role === 'supervisor' || actor.role === 'admin' || isHandling(actor, h);
}

export interface CallerIdentity {
  readonly callerNumber: string;
  readonly callerName?: string | null;
  readonly confidential: boolean;
}

/** The caller fields this actor may see: unchanged unless confidential and not handled by the actor. */
export function visibleCaller<T extends CallerIdentity>(actor: Actor, h: CaseHandlers, value: T): T & { masked: boolean } {
  if (seesCaller(actor, h, value.confidential)) return { ...value, masked: false };
  return { ...maskedForAudience(value), masked: true };
}

/** For audiences that never handle a case (manager dashboards, logs). */
export function maskedForAudience<T extends CallerIdentity>(value: T): T {
  if (!value.confidential) return value;
  return {
    ...value,
    callerNumber: maskPhone(value.callerNumber),
    ...(value.callerName ? { callerName: maskName(value.callerName) } : {}),
  };
}

/**
 * One key per caller whatever way the network writes the number: digits only, without the country
 * code (+86, 0086) or the trunk 0 before a mobile. A caller marked confidential under one form is
 * recognised under the others.
 */
export function callerKey(number: string): string {
  let d = number.replace(/\D/g, '');
  if (d.startsWith('0086')) d = d.slice(4);
  else if (d.startsWith('86') && d.length === 13) d = d.slice(2);
  if (d.length === 12 && d.startsWith('01')) d = d.slice(1);
  return d;
}
