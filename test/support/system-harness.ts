/**
 * The whole product as production wires it (src/main.ts buildSystem): real Asterisk (lab chroot),
 * a real database server (FerretDB, a fresh database per test file), HTTP and Socket.IO on a free port.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type RawEnv } from '../../src/config/config';
import { createLogger } from '../../src/adapters/logging/logger';
import { buildSystem, type System } from '../../src/main';
import { silentLogger } from '../../src/shared/logger';
import { asAgentId, asQueueId } from '../../src/shared/ids';
import { ensureAsterisk } from './asterisk';
import { testMongoUri } from './db';
import { eventually } from './eventually';

export interface RunningSystem extends System {
  baseUrl: string;
  spoolDir: string;
}

export async function startSystem(name: string, env: RawEnv = {}): Promise<RunningSystem> {
  const lab = await ensureAsterisk();
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), `spool-${name}-`));
  const config = loadConfig({
    NODE_ENV: 'test',
    HTTP_PORT: '0',
    MONGODB_URI: testMongoUri(name),
    ARI_URL: lab.ariUrl,
    ARI_USERNAME: lab.ariUsername,
    ARI_PASSWORD: lab.ariPassword,
    ARI_APP: lab.ariApp,
    SPOOL_DIR: spoolDir,
    ...env,
  });
  const log = process.env['SYSTEM_LOG'] ? createLogger({ level: 'debug' }) : silentLogger;
  const system = buildSystem(config, log);
  const { port } = await system.start();
  await eventually(() => system.ari.isConnected(), 30_000);
  return Object.assign(system, { baseUrl: `http://127.0.0.1:${port}`, spoolDir });
}

/** Registers lab agents (agent1001… → sipp phones on 7001…) in the directory and logs them in, in order. */
export async function addAgents(system: System, numbers: number[], ready = true): Promise<void> {
  for (const n of numbers) {
    const profile = {
      agentId: asAgentId(`agent-${n}`),
      agentNumber: String(n),
      name: `话务员${n}`,
      endpoint: `PJSIP/agent${n}`,
      queues: [asQueueId('general')],
    };
    await system.agents.save(profile);
    system.callPath.agents.register(profile);
    system.callPath.agents.login(profile.agentId, { ready });
    // Distinct idle times: the first listed agent is the longest idle.
    await new Promise((r) => setTimeout(r, 5));
  }
}
