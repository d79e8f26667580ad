/**
 * Permissions and the role → permission table. A permission says what kind of action a role may
 * take at all; whether it may take it on one resource (ownership) is decided by `can` in policy.ts.
 */
import type { Role } from './roles';

export const PERMISSIONS = [
  /** Read call records and one call's timeline (scoped: own calls / own unit's calls / all). */
  'calls:read',
  /** In-call controls on a live call: hold, resume, one-key emergency transfer (agents: the call they handle). */
  'calls:control',
  /** Listen to, whisper to (coach) or join (barge) a live call of a queue one supervises. */
  'calls:monitor',
  /** Caller history (recent calls and work orders for a number) shown with a call. */
  'callers:history',
  /** Mark a caller confidential (保密) without a work order: agents the caller of a call they answered, managers any number. */
  'callers:mark',
  /** The confidential-caller directory: its marks (numbers masked) and their audit; withdraw a mark. */
  'callers:confidential',
  /** Ratings summary (scoped like calls). */
  'ratings:read',
  /** Call KPIs (service level, ASA, AHT, …) over a period. */
  'kpi:read',
  /** The live manager dashboard: queues, agents, counters, alerts. */
  'dashboard:view',
  /** Live notices of every work order (催办, 督办, escalations, changes): the hotline staff room. */
  'workorders:watch',
  /** Agent state actions: login/logout, ready, not ready, wrap-up done (own agent, or any for managers). */
  'agents:control',
  /** List agents and their live state. */
  'agents:read',
  /** The agent directory: create, change, disable agents and set or rotate their phones' SIP secrets. */
  'agents:manage',
  /** Create, change, disable users (and so agents). */
  'users:manage',
  'queues:read',
  'queues:manage',
  'settings:read',
  'settings:manage',
  /** Prometheus metrics. */
  'metrics:read',
  /** Record a citizen's complaint against a handling unit (监督投诉). */
  'complaints:record',
  /** Read complaints against units. */
  'complaints:read',
  /** Judge a complaint upheld (经查属实) or not: it then counts in the unit's score. */
  'complaints:judge',
  /** Callback requests (回拨) left on overflow: list them (agents: those assigned to them) and close them. */
  'callbacks:read',
  /** Assign a callback request to an agent. */
  'callbacks:assign',
  /** Place a callback from one's own phone (an agent with a 工号: agent leg first, then the citizen). */
  'callbacks:place',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  agent: ['calls:read', 'calls:control', 'callers:history', 'callers:mark', 'ratings:read', 'agents:control', 'queues:read', 'complaints:record', 'callbacks:read', 'callbacks:place'],
  supervisor: [
    'calls:read',
    'calls:control',
    'calls:monitor',
    'callers:history',
    'callers:mark',
    'callers:confidential',
    'ratings:read',
    'kpi:read',
    'dashboard:view',
    'workorders:watch',
    'agents:control',
    'agents:read',
    'queues:read',
    'settings:read',
    'complaints:record',
    'complaints:read',
    'complaints:judge',
    'callbacks:read',
    'callbacks:assign',
  ],
  unit_handler: ['calls:read', 'callers:history'],
  admin: ALL,
});

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
