/**
 * Seeds the local lab's database (idempotent): the agent directory for the lab's PJSIP endpoints
 * agent1001…agent1010, and one user per role with lab passwords, printed for the person at the
 * terminal. Refuses to run with NODE_ENV=production.
 */
import { loadConfig } from '../src/config/config';
import { DbConnection } from '../src/adapters/db/connection';
import { MongoAgentDirectory } from '../src/adapters/db/repositories/agent.repository';
import { MongoUserRepository } from '../src/adapters/db/repositories/user.repository';
import { BcryptPasswordHasher } from '../src/adapters/auth/bcrypt-password-hasher';
import { silentLogger } from '../src/shared/logger';
import { asAgentId, asQueueId } from '../src/shared/ids';
import type { Role } from '../src/domain/access';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.env === 'production') throw new Error('seed-lab is for the local lab only');
  const db = new DbConnection(config.mongodb.uri, silentLogger);
  await db.start(500, 30_000);
  const agents = new MongoAgentDirectory(db.connection);
  const users = new MongoUserRepository(db.connection);
  await Promise.all([agents.init(), users.init()]);
  const hasher = new BcryptPasswordHasher(10);

  for (let n = 1001; n <= 1010; n++) {
    await agents.save({
      agentId: asAgentId(`agent-${n}`),
      agentNumber: String(n),
      name: `话务员${n}`,
      endpoint: `PJSIP/agent${n}`,
      queues: [asQueueId('general')],
    });
  }

  const accounts: Array<{ username: string; password: string; role: Role; agentId?: string; unitId?: string }> = [
    { username: 'admin', password: 'lab-admin-password', role: 'admin' },
    { username: 'supervisor', password: 'lab-supervisor-password', role: 'supervisor' },
    { username: 'agent1001', password: 'lab-agent-password', role: 'agent', agentId: 'agent-1001' },
    { username: 'unit-water', password: 'lab-unit-password', role: 'unit_handler', unitId: 'unit-water' },
  ];
  const now = Date.now();
  for (const a of accounts) {
    if (await users.findByUsername(a.username)) continue;
    await users.create(
      {
        username: a.username,
        passwordHash: await hasher.hash(a.password),
        role: a.role,
        displayName: a.username,
        agentId: a.agentId ?? null,
        unitId: a.unitId ?? null,
        groupId: null,
        active: true,
      },
      now,
    );
  }
  await db.stop();
  console.log('lab users (change them before anything but a local lab):');
  for (const a of accounts) console.log(`  ${a.role.padEnd(13)} ${a.username} / ${a.password}`);
  console.log('agent directory: agent-1001 … agent-1010 (工号 1001 … 1010) on PJSIP/agent1001 …');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
