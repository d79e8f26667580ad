/** Users (administrators): list, create, read, change, end sessions. */
import { z } from 'zod';
import { ROLES } from '../../../domain/access';
import type { AuthService } from '../../../app/auth/auth.service';
import type { UserService } from '../../../app/auth/user.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { boolString, id, page, pageSize, parse } from '../validate';
import { pageOf, userResponse } from '../response-schemas';

const nullableId = id.nullable();
export const createUserBody = z.strictObject({
  username: z.string().min(2).max(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
  password: z.string().min(8).max(72),
  role: z.enum(ROLES),
  displayName: z.string().min(1).max(100),
  agentId: nullableId.optional(),
  unitId: nullableId.optional(),
  groupId: nullableId.optional(),
  active: z.boolean().optional(),
});
export const updateUserBody = createUserBody.omit({ username: true }).partial();
export const userListQuery = z.strictObject({
  role: z.enum(ROLES).optional(),
  active: boolString.optional(),
  page,
  pageSize,
});
export const userParams = z.strictObject({ userId: id });

export function usersRouter(auth: AuthService, users: UserService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/users', response: pageOf(userResponse), summary: 'List users', tag: 'users', permission: 'users:manage', query: userListQuery }, authed, async (req, res) => {
    const q = parse(userListQuery, req.query, 'query');
    res.json(await users.list(authOf(res).actor, { ...(q.role ? { role: q.role } : {}), ...(q.active !== undefined ? { active: q.active } : {}) }, q.page, q.pageSize));
  });
  r.route({ method: 'post', path: '/api/users', response: userResponse, summary: 'Create a user (agents need agentId, unit handlers unitId)', tag: 'users', permission: 'users:manage', body: createUserBody, status: 201, errors: [409] }, authed, async (req, res) => {
    const b = parse(createUserBody, req.body, 'body');
    res.status(201).json(await users.create(authOf(res).actor, b));
  });
  r.route({ method: 'get', path: '/api/users/:userId', response: userResponse, summary: 'One user', tag: 'users', permission: 'users:manage', params: userParams }, authed, async (req, res) => {
    const p = parse(userParams, req.params, 'params');
    res.json(await users.get(authOf(res).actor, p.userId));
  });
  r.route({ method: 'patch', path: '/api/users/:userId', response: userResponse, summary: 'Change a user (a new password, disabling or a new role ends their sessions)', tag: 'users', permission: 'users:manage', params: userParams, body: updateUserBody, errors: [409] }, authed, async (req, res) => {
    const p = parse(userParams, req.params, 'params');
    const b = parse(updateUserBody, req.body, 'body');
    res.json(await users.update(authOf(res).actor, p.userId, b));
  });
  r.route({ method: 'post', path: '/api/users/:userId/revoke-sessions', summary: 'End every session of a user on every instance', tag: 'users', permission: 'users:manage', params: userParams, status: 204 }, authed, async (req, res) => {
    const p = parse(userParams, req.params, 'params');
    await users.revokeSessions(authOf(res).actor, p.userId);
    res.status(204).end();
  });
  return r;
}
