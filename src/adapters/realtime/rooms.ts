/** Room names: who hears what. */
export const rooms = {
  /** One agent's consoles (all tabs and devices). */
  agent: (agentId: string) => `agent:${agentId}`,
  /** A supervisor group (班组): its supervisors and agents. */
  group: (groupId: string) => `group:${groupId}`,
  /** Everyone watching one call. */
  call: (callId: string) => `call:${callId}`,
  /** Managers who joined the dashboard. */
  dashboard: () => 'dashboard',
  /** A handling unit's handlers (承办单位): joined on connect by unit handlers of that unit. */
  unit: (unitId: string) => `unit:${unitId}`,
  /** Hotline staff (supervisors, administrators) who asked for every work order's notices. */
  workOrders: () => 'workorders',
  /** One user's sockets (for ending sessions). */
  user: (userId: string) => `user:${userId}`,
  /** The sockets of one login session (refresh-token family), for logout and reuse. */
  session: (familyId: string) => `session:${familyId}`,
  /** The sockets opened with one access token (tokens without a family). */
  token: (jti: string) => `token:${jti}`,
} as const;
