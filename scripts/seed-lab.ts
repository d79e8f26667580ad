/**
 * Seeds the local lab's database (idempotent): the agent directory for the lab's PJSIP endpoints
 * agent1001…agent1010, and one user per role with lab passwords, printed for the person at the
 * terminal. Refuses to run with NODE_ENV=production.
 *
 * Each agent gets its own SIP secret the first time (or with --new-sip-secrets): printed here once,
 * stored only as the digest Asterisk needs. The seed puts the digests into Asterisk when ARI answers;
 * the app puts them there at every connection anyway.
 *
 *   npx tsx scripts/seed-lab.ts [--new-sip-secrets]
 */
import ari from 'ari-client';
import type { Client } from 'ari-client';
import { loadConfig } from '../src/config/config';
import { DbConnection } from '../src/adapters/db/connection';
import { MongoAgentDirectory } from '../src/adapters/db/repositories/agent.repository';
import { MongoUserRepository } from '../src/adapters/db/repositories/user.repository';
import { BcryptPasswordHasher } from '../src/adapters/auth/bcrypt-password-hasher';
import { nodeSipSecrets } from '../src/adapters/auth/node-secret-source';
import { AriSipAuth } from '../src/adapters/ari/ari-sip-auth';
import { AgentSipCredentials, type IssuedSipSecret } from '../src/app/agents/sip-credentials.service';
import { silentLogger } from '../src/shared/logger';
import { asAgentId, asQueueId } from '../src/shared/ids';
import type { Role } from '../src/domain/access';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.env === 'production') throw new Error('seed-lab is for the local lab only');
  const newSipSecrets = process.argv.includes('--new-sip-secrets');
  const db = new DbConnection(config.mongodb.uri, silentLogger);
  await db.start(500, 30_000);
  const agents = new MongoAgentDirectory(db.connection);
  const users = new MongoUserRepository(db.connection);
  await Promise.all([agents.init(), users.init()]);
  const hasher = new BcryptPasswordHasher(10);
  // REST only (no Stasis application): a running app keeps its calls.
  const client: Client | null = await ari.connect(config.ari.url, config.ari.username, config.ari.password).catch(() => null);
  const sipCredentials = new AgentSipCredentials({
    store: agents,
    asterisk: new AriSipAuth({
      current: () => {
        if (!client) throw new Error('ARI not reachable');
        return client;
      },
    }),
    secrets: nodeSipSecrets,
    log: silentLogger,
  });

  const issued: IssuedSipSecret[] = [];
  for (let n = 1001; n <= 1010; n++) {
    const profile = {
      agentId: asAgentId(`agent-${n}`),
      agentNumber: String(n),
      name: `话务员${n}`,
      endpoint: `PJSIP/agent${n}`,
      queues: [asQueueId('general')],
    };
    await agents.save(profile);
    if (newSipSecrets || !(await agents.hasSipCredential(profile.agentId))) issued.push(await sipCredentials.issue(profile));
  }

  const accounts: Array<{ username: string; password: string; role: Role; agentId?: string; unitId?: string }> = [
    { username: 'admin', password: 'lab-admin-password', role: 'admin' },
    { username: 'supervisor', password: 'lab-supervisor-password', role: 'supervisor' },
    // Every lab agent (the PJSIP endpoints agent1001…agent1010) has a user, so all of them show in
    // GET /api/agents and can sign in to the console.
    ...Array.from({ length: 10 }, (_, i) => ({ username: `agent${1001 + i}`, password: 'lab-agent-password', role: 'agent' as const, agentId: `agent-${1001 + i}` })),
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
  if (issued.length > 0) {
    console.log(`agents' SIP secrets (shown only now; realm ${issued[0]?.realm ?? ''}; new ones: --new-sip-secrets):`);
    for (const s of issued) console.log(`  ${s.username.padEnd(13)} ${s.secret}`);
    if (issued.some((s) => !s.applied)) console.log('  (Asterisk was not reachable: the app puts them there when it connects)');
  } else {
    console.log("agents' SIP secrets: issued earlier (new ones: --new-sip-secrets)");
  }
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
