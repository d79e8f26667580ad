import { AuthService } from '../../../src/app/auth/auth.service';
import { UserService } from '../../../src/app/auth/user.service';
import type { Actor } from '../../../src/domain/access';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../src/shared/errors';
import { silentLogger } from '../../../src/shared/logger';
import { FakeSigner, MemoryTokens, MemoryUsers, counterSecrets, plainHasher } from './fakes';

function setup() {
  let now = 1_750_000_000_000;
  const clock = () => now;
  const users = new MemoryUsers();
  const tokens = new MemoryTokens();
  const sut = new AuthService({ users, tokens, hasher: plainHasher, signer: new FakeSigner(clock), secrets: counterSecrets(), clock, log: silentLogger }, { accessTtlSec: 60, refreshTtlSec: 3600 });
  const userService = new UserService({ users, hasher: plainHasher, auth: sut, clock });
  const admin: Actor = { userId: 'root', role: 'admin', agentId: null, unitId: null, groupId: null };
  return { sut, users, tokens, userService, admin, advance: (ms: number) => (now += ms) };
}

describe('AuthService', () => {
  it('login with the right password → tokens that authenticate to the stored role', async () => {
    const { sut, userService, admin } = setup();
    await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'agent', displayName: '李', agentId: '1001' });
    const pair = await sut.login('li', 'pass-1234');
    expect(pair.user).not.toHaveProperty('passwordHash');
    const ctx = await sut.authenticate(pair.accessToken);
    expect(ctx.actor).toEqual({ userId: pair.user.id, role: 'agent', agentId: '1001', unitId: null, groupId: null });
  });

  it('wrong password, unknown user and disabled account all give the same 401', async () => {
    const { sut, userService, admin } = setup();
    const u = await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    await expect(sut.login('li', 'nope')).rejects.toThrow('invalid username or password');
    await expect(sut.login('who', 'pass-1234')).rejects.toThrow('invalid username or password');
    await userService.update(admin, u.id, { active: false });
    await expect(sut.login('li', 'pass-1234')).rejects.toThrow('invalid username or password');
  });

  it('an expired access token is rejected', async () => {
    const { sut, userService, admin, advance } = setup();
    await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    const pair = await sut.login('li', 'pass-1234');
    advance(61_000);
    await expect(sut.authenticate(pair.accessToken)).rejects.toThrow(UnauthenticatedError);
  });

  it('refresh rotates; reusing a spent refresh token revokes the whole family', async () => {
    const { sut, userService, admin } = setup();
    await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    const first = await sut.login('li', 'pass-1234');
    const second = await sut.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(sut.refresh(first.refreshToken)).rejects.toThrow('refresh token already used');
    // the thief's reuse also killed the legitimate newer token
    await expect(sut.refresh(second.refreshToken)).rejects.toThrow(UnauthenticatedError);
  });

  it('a forged refresh token (right id, wrong secret) is rejected', async () => {
    const { sut, userService, admin } = setup();
    await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    const pair = await sut.login('li', 'pass-1234');
    const id = pair.refreshToken.split('.')[0];
    await expect(sut.refresh(`${id}.guess`)).rejects.toThrow('invalid refresh token');
    await expect(sut.refresh('garbage')).rejects.toThrow('invalid refresh token');
  });

  it('logout revokes the access token and the refresh family', async () => {
    const { sut, userService, admin } = setup();
    await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    const pair = await sut.login('li', 'pass-1234');
    const ctx = await sut.authenticate(pair.accessToken);
    await sut.logout(ctx, pair.refreshToken);
    await expect(sut.authenticate(pair.accessToken)).rejects.toThrow('token revoked');
    await expect(sut.refresh(pair.refreshToken)).rejects.toThrow(UnauthenticatedError);
  });

  it('a password change ends open sessions', async () => {
    const { sut, userService, admin, advance } = setup();
    const u = await userService.create(admin, { username: 'li', password: 'pass-1234', role: 'supervisor', displayName: '李' });
    const pair = await sut.login('li', 'pass-1234');
    advance(1);
    await userService.update(admin, u.id, { password: 'new-pass-99' });
    await expect(sut.authenticate(pair.accessToken)).rejects.toThrow('session revoked');
    await expect(sut.refresh(pair.refreshToken)).rejects.toThrow(UnauthenticatedError);
    const again = await sut.login('li', 'new-pass-99');
    await expect(sut.authenticate(again.accessToken)).resolves.toBeDefined();
  });
});

describe('UserService', () => {
  it('only administrators manage users; role fields are checked', async () => {
    const { userService, admin } = setup();
    const supervisor: Actor = { userId: 's', role: 'supervisor', agentId: null, unitId: null, groupId: null };
    await expect(userService.create(supervisor, { username: 'x', password: 'pass-1234', role: 'agent', displayName: 'x', agentId: '1' })).rejects.toThrow(ForbiddenError);
    await expect(userService.create(admin, { username: 'x', password: 'pass-1234', role: 'agent', displayName: 'x' })).rejects.toThrow(ValidationError);
    await expect(userService.create(admin, { username: 'y', password: 'pass-1234', role: 'unit_handler', displayName: 'y' })).rejects.toThrow(ValidationError);
    await userService.create(admin, { username: 'x', password: 'pass-1234', role: 'agent', displayName: 'x', agentId: '1' });
    expect(await userService.listAgents(supervisor, {})).toHaveLength(1);
  });

  it('an administrator cannot disable or demote themselves', async () => {
    const { userService, users } = setup();
    const me = await users.create({ username: 'root', passwordHash: 'h', role: 'admin', displayName: 'r', agentId: null, unitId: null, groupId: null, active: true }, 0);
    const actor: Actor = { userId: me.id, role: 'admin', agentId: null, unitId: null, groupId: null };
    await expect(userService.update(actor, me.id, { active: false })).rejects.toThrow(ValidationError);
    await expect(userService.update(actor, me.id, { role: 'supervisor' })).rejects.toThrow(ValidationError);
  });

  it('bootstrap administrator: created once when none exists, then never again', async () => {
    const { userService, users, sut } = setup();
    expect(await userService.ensureBootstrapAdmin('chief', 'a-long-bootstrap-pass')).toBe(true);
    expect(await userService.ensureBootstrapAdmin('chief', 'a-long-bootstrap-pass')).toBe(false);
    expect(await userService.ensureBootstrapAdmin('other', 'a-long-bootstrap-pass')).toBe(false);
    expect((await users.list({ role: 'admin' }, 1, 10)).total).toBe(1);
    const session = await sut.login('chief', 'a-long-bootstrap-pass');
    expect(session.user.role).toBe('admin');
  });
});
