/**
 * Confidential callers (保密, hotline-rules §2): the caller's number and name are hidden from anyone
 * who is not handling that case. Handling = the agent who answered the call, or a handler of a unit
 * that received a work order from it. Supervisors and administrators are not handling a case and
 * see masked values too; a ringing agent is not handling it yet (the screen pop is masked).
 */
import type { CallSubject } from './policy';
import type { Actor } from './roles';

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

export function isHandling(actor: Actor, subject: Pick<CallSubject, 'handlingAgentId' | 'unitIds'>): boolean {
  if (actor.role === 'agent') return actor.agentId !== null && subject.handlingAgentId === actor.agentId;
  if (actor.role === 'unit_handler') return actor.unitId !== null && subject.unitIds.includes(actor.unitId);
  return false;
}

export interface CallerIdentity {
  readonly callerNumber: string;
  readonly callerName?: string | null;
  readonly confidential: boolean;
}

/** The caller fields this actor may see: unchanged unless confidential and not handled by the actor. */
export function visibleCaller<T extends CallerIdentity>(
  actor: Actor,
  subject: Pick<CallSubject, 'handlingAgentId' | 'unitIds'>,
  value: T,
): T & { masked: boolean } {
  if (!value.confidential || isHandling(actor, subject)) return { ...value, masked: false };
  return {
    ...value,
    callerNumber: maskPhone(value.callerNumber),
    ...(value.callerName ? { callerName: maskName(value.callerName) } : {}),
    masked: true,
  };
}

/** For audiences that never handle a case (manager dashboards). */
export function maskedForAudience<T extends CallerIdentity>(value: T): T {
  if (!value.confidential) return value;
  return {
    ...value,
    callerNumber: maskPhone(value.callerNumber),
    ...(value.callerName ? { callerName: maskName(value.callerName) } : {}),
  };
}
