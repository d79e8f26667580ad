/**
 * Users and agents, managed by administrators. Agents are users with role `agent` and a 工号
 * (`agentId`); unit handlers carry their `unitId`. Supervisors may list agents.
 */
import { NotFoundError, ValidationError } from '../../shared/errors';
import { requirePermission, type Actor, type Role } from '../../domain/access';
import type { Clock, Page, PasswordHasher, UserFilter, UserPatch, UserRepository } from './auth.ports';
import { toPublicUser, type AuthService, type PublicUser } from './auth.service';

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
  displayName: string;
  agentId?: string | null;
  unitId?: string | null;
  groupId?: string | null;
  active?: boolean;
}

export type UpdateUserInput = Partial<Omit<CreateUserInput, 'username'>>;

export interface UserServiceDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  auth: Pick<AuthService, 'revokeSessions'>;
  clock: Clock;
}

function checkRoleFields(role: Role, agentId: string | null, unitId: string | null): void {
  if (role === 'agent' && !agentId) throw new ValidationError('agentId', 'agentId is required for role agent');
  if (role === 'unit_handler' && !unitId) throw new ValidationError('unitId', 'unitId is required for role unit_handler');
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  async list(actor: Actor, filter: UserFilter, page: number, pageSize: number): Promise<Page<PublicUser>> {
    requirePermission(actor, 'users:manage');
    const res = await this.deps.users.list(filter, page, pageSize);
    return { ...res, items: res.items.map(toPublicUser) };
  }

  /** Agents (users with role agent), for supervisors and administrators. */
  async listAgents(actor: Actor, filter: Pick<UserFilter, 'groupId' | 'active'>): Promise<PublicUser[]> {
    requirePermission(actor, 'agents:read');
    const res = await this.deps.users.list({ ...filter, role: 'agent' }, 1, 10_000);
    return res.items.map(toPublicUser);
  }

  async get(actor: Actor, id: string): Promise<PublicUser> {
    requirePermission(actor, 'users:manage');
    const u = await this.deps.users.findById(id);
    if (!u) throw new NotFoundError('user');
    return toPublicUser(u);
  }

  async create(actor: Actor, input: CreateUserInput): Promise<PublicUser> {
    requirePermission(actor, 'users:manage');
    const agentId = input.agentId ?? null;
    const unitId = input.unitId ?? null;
    checkRoleFields(input.role, agentId, unitId);
    const created = await this.deps.users.create(
      {
        username: input.username,
        passwordHash: await this.deps.hasher.hash(input.password),
        role: input.role,
        displayName: input.displayName,
        agentId,
        unitId,
        groupId: input.groupId ?? null,
        active: input.active ?? true,
      },
      this.deps.clock(),
    );
    return toPublicUser(created);
  }

  /**
   * First start of a deployment: creates the administrator from configuration when no active
   * administrator exists yet (there is no unauthenticated route that could create one). Returns
   * whether one was created.
   */
  async ensureBootstrapAdmin(username: string, password: string): Promise<boolean> {
    const admins = await this.deps.users.list({ role: 'admin', active: true }, 1, 1);
    if (admins.total > 0 || (await this.deps.users.findByUsername(username))) return false;
    await this.deps.users.create(
      {
        username,
        passwordHash: await this.deps.hasher.hash(password),
        role: 'admin',
        displayName: username,
        agentId: null,
        unitId: null,
        groupId: null,
        active: true,
      },
      this.deps.clock(),
    );
    return true;
  }

  /**
   * A new password, a disabled account, a changed role or a changed agent, unit or group ends the
   * user's open sessions (their sockets are disconnected on every instance; the rooms they joined
   * follow those ids).
   */
  async update(actor: Actor, id: string, input: UpdateUserInput): Promise<PublicUser> {
    requirePermission(actor, 'users:manage');
    const existing = await this.deps.users.findById(id);
    if (!existing) throw new NotFoundError('user');
    const role = input.role ?? existing.role;
    const agentId = input.agentId === undefined ? existing.agentId : input.agentId;
    const unitId = input.unitId === undefined ? existing.unitId : input.unitId;
    checkRoleFields(role, agentId, unitId);
    if (id === actor.userId && (input.active === false || (input.role && input.role !== 'admin'))) {
      throw new ValidationError(input.active === false ? 'active' : 'role', 'administrators cannot disable or demote themselves');
    }
    const patch: UserPatch = {
      role,
      agentId,
      unitId,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.password !== undefined ? { passwordHash: await this.deps.hasher.hash(input.password) } : {}),
    };
    const updated = await this.deps.users.update(id, patch, this.deps.clock());
    if (!updated) throw new NotFoundError('user');
    const idsChanged =
      agentId !== existing.agentId || unitId !== existing.unitId || (input.groupId !== undefined && input.groupId !== existing.groupId);
    if (input.password !== undefined || input.active === false || role !== existing.role || idsChanged) {
      await this.deps.auth.revokeSessions(id);
    }
    return toPublicUser(updated);
  }

  async revokeSessions(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'users:manage');
    const u = await this.deps.users.findById(id);
    if (!u) throw new NotFoundError('user');
    await this.deps.auth.revokeSessions(id);
  }
}
