/**
 * The access policy: `can(actor, permission, resource)` = the role has the permission AND, for a
 * resource with an owner, the actor owns it:
 *  - an agent sees only the calls offered to or answered by them, and acts only on their own state;
 *  - a unit handler sees only calls that produced work for their unit (`unitIds`);
 *  - supervisors and administrators see all calls and may act on any agent.
 * `require` throws: ForbiddenError (403) when the role lacks the permission, NotFoundError (404)
 * when the resource is owned by someone else, so a caller cannot probe which ids exist.
 */
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import { roleHas, type Permission } from './permissions';
import type { CaseHandlers } from './masking';
import type { Actor } from './roles';

/** A call as far as access is concerned (who handles it: masking.ts). */
export interface CallSubject extends CaseHandlers {
  readonly kind: 'call';
  /** Every agent the call was offered to (ringing or answered). */
  readonly agentIds: readonly string[];
  /** Units that received a work order from this call (lead and co-units): they may open it. */
  readonly unitIds: readonly string[];
}

export interface AgentSubject {
  readonly kind: 'agent';
  readonly agentId: string;
}

export type Resource = CallSubject | AgentSubject;

export function can(actor: Actor, permission: Permission, resource?: Resource): boolean {
  if (!roleHas(actor.role, permission)) return false;
  if (!resource) return true;
  return owns(actor, resource);
}

/** Ownership alone (the role check is `roleHas`). */
export function owns(actor: Actor, resource: Resource): boolean {
  switch (actor.role) {
    case 'admin':
    case 'supervisor':
      return true;
    case 'agent':
      if (actor.agentId === null) return false;
      return resource.kind === 'call' ? resource.agentIds.includes(actor.agentId) : resource.agentId === actor.agentId;
    case 'unit_handler':
      if (actor.unitId === null) return false;
      return resource.kind === 'call' ? resource.unitIds.includes(actor.unitId) : false;
  }
}

/** Throws 403 when the role may not do this at all, 404 when the resource is someone else's. */
export function requirePermission(actor: Actor, permission: Permission, resource?: Resource, what = 'resource'): void {
  if (!roleHas(actor.role, permission)) throw new ForbiddenError(`role ${actor.role} may not ${permission}`);
  if (resource && !owns(actor, resource)) throw new NotFoundError(what);
}

/** How a listing must be narrowed for this actor; `null` when the role may not list at all. */
export type CallScope = { kind: 'all' } | { kind: 'agent'; agentId: string } | { kind: 'unit'; unitId: string };

export function callScope(actor: Actor): CallScope | null {
  if (!roleHas(actor.role, 'calls:read')) return null;
  switch (actor.role) {
    case 'admin':
    case 'supervisor':
      return { kind: 'all' };
    case 'agent':
      return actor.agentId === null ? null : { kind: 'agent', agentId: actor.agentId };
    case 'unit_handler':
      return actor.unitId === null ? null : { kind: 'unit', unitId: actor.unitId };
  }
}
