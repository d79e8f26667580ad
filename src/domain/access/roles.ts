/**
 * Who uses the product (hotline-rules §1): 话务员 agent, 班长/值班长 supervisor, 承办单位 unit handler,
 * 热线办 administrator. A user has exactly one role.
 */
export const ROLES = ['agent', 'supervisor', 'unit_handler', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * The authenticated person a use case acts for. `agentId` (工号) is set for agents, `unitId` for
 * unit handlers, `groupId` (班组) for agents and supervisors who belong to a shift group.
 */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
  readonly agentId: string | null;
  readonly unitId: string | null;
  readonly groupId: string | null;
}
