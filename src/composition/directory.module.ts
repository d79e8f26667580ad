/**
 * Wiring of the agent directory (ADR 0016): agents' SIP credentials and phones put into Asterisk
 * over ARI, the directory service over the stored agents and the call path's roster, its REST router.
 */
import { AriAgentPhones } from '../adapters/ari/ari-agent-phones';
import type { AriConnection } from '../adapters/ari/ari-connection';
import { AriSipAuth } from '../adapters/ari/ari-sip-auth';
import { nodeSipSecrets } from '../adapters/auth/node-secret-source';
import type { MongoAgentDirectory } from '../adapters/db/repositories/agent.repository';
import type { AuthService } from '../app/auth/auth.service';
import type { DocumentedRouter } from '../adapters/http/route-table';
import { directoryRouter } from '../adapters/http/routers/directory.router';
import { AgentDirectory } from '../app/agents/agent-directory.service';
import { AgentSipCredentials } from '../app/agents/sip-credentials.service';
import type { Config } from '../config/config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { CallPath } from './call-path.module';
import type { DirectoryChangeFeed } from '../app/agents/agent-directory.ports';

export interface DirectoryModuleDeps {
  readonly config: Pick<Config, 'ari' | 'agentPhones'>;
  readonly ari: AriConnection;
  readonly agents: MongoAgentDirectory;
  readonly callPath: CallPath;
  readonly auth: AuthService;
  readonly clock: Clock;
  readonly log: Logger;
  /** Several instances: changes announced to and heard from the others (RedisDirectoryFeed). */
  readonly feed?: DirectoryChangeFeed;
}

export interface DirectoryModule {
  /** Agents' own SIP secrets: issued once, kept as digests, put into Asterisk after every ARI connection. */
  readonly sipCredentials: AgentSipCredentials;
  /** The agent directory over REST; Asterisk's PJSIP agents follow it live. */
  readonly directory: AgentDirectory;
  readonly router: DocumentedRouter;
}

export function buildDirectoryModule(d: DirectoryModuleDeps): DirectoryModule {
  const { config, ari, agents, log } = d;
  // Asterisk keeps agents' credentials in memory only: the directory puts them back on every connection.
  const sipCredentials = new AgentSipCredentials({
    store: agents,
    asterisk: new AriSipAuth(ari, config.ari.requestTimeoutMs),
    secrets: nodeSipSecrets,
    log: log.child({ component: 'sip-credentials' }),
  });
  // The directory is the source of truth for agents' phones: Asterisk gets every enabled agent's
  // endpoint, AOR and auth (and loses disabled ones') on every connection and at each change.
  const directory = new AgentDirectory({
    store: agents,
    asterisk: new AriAgentPhones(ari, config.agentPhones, config.ari.requestTimeoutMs),
    roster: d.callPath.agents,
    secrets: nodeSipSecrets,
    clock: d.clock,
    log: log.child({ component: 'agent-directory' }),
    ...(d.feed ? { feed: d.feed } : {}),
  });
  return { sipCredentials, directory, router: directoryRouter(d.auth, directory) };
}
