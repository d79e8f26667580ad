/**
 * Builds the call path's use cases from its ports and settings, in dependency order, so the
 * composition root has one call to make.
 */
import type { CallPathSettings } from '../../domain/call/call.settings';
import { BackgroundTasks, type Background } from '../../shared/background';
import type { EventBus } from '../events/event-bus';
import { AcdService } from './acd.service';
import { AgentService } from './agent.service';
import { CallRecovery } from './call-recovery';
import { CallRegistry } from './call-registry';
import { CallService } from './call.service';
import { EndpointReachability } from './endpoint-reachability';
import type { CallSession } from './call-session';
import type { CallId } from '../../shared/ids';
import type {
  AgentClaimPort,
  CallbackRequestRepository,
  CallEventStore,
  CallRecordRepository,
  Clock,
  Logger,
  Scheduler,
  TelephonyPort,
} from './calls.ports';

export interface CallPathPorts {
  readonly settings: CallPathSettings;
  readonly telephony: TelephonyPort;
  readonly events: CallEventStore;
  readonly records: CallRecordRepository;
  readonly callbacks: CallbackRequestRepository;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Agent claims shared with other call-path instances; default none (this is the only one). */
  readonly agentClaims?: AgentClaimPort;
  /** How long an agent another instance holds is skipped before it is claimed again. */
  readonly claimRetryMs?: number;
  /** Where the sessions' fire-and-forget work runs; default one of their own on `logger`. */
  readonly background?: Background;
}

export interface CallPath {
  readonly registry: CallRegistry;
  readonly agents: AgentService;
  readonly acd: AcdService;
  readonly calls: CallService;
  readonly recovery: CallRecovery;
  /** Agents' phones reachable or not, from Asterisk's endpoint states. */
  readonly reachability: EndpointReachability;
}

export function createCallPath(p: CallPathPorts): CallPath {
  const background = p.background ?? new BackgroundTasks(p.logger);
  const registry = new CallRegistry((err, event) => p.logger.error('call registry listener failed', { event: String(event), err }));
  const agents = new AgentService(
    { wrapUpMs: p.settings.wrapUpMs, missedRing: p.settings.missedRing },
    p.scheduler,
    p.clock,
    p.bus,
    p.logger.child({ component: 'agents' }),
  );
  const acd = new AcdService(
    { strategy: p.settings.strategy, overflowWhenNoAgents: p.settings.overflowWhenNoAgents, refusedRetryMs: p.settings.refusedRetryMs },
    agents,
    (callId, input) => {
      const s = registry.get(callId);
      if (!s || !s.accepts()) return false;
      s.deliver(input);
      return true;
    },
    p.clock,
    p.bus,
    p.logger.child({ component: 'acd' }),
    {
      scheduler: p.scheduler,
      ...(p.agentClaims ? { claims: p.agentClaims } : {}),
      ...(p.claimRetryMs !== undefined ? { claimRetryMs: p.claimRetryMs } : {}),
    },
  );
  const calls = new CallService(
    {
      settings: p.settings,
      telephony: p.telephony,
      events: p.events,
      records: p.records,
      callbacks: p.callbacks,
      acd,
      scheduler: p.scheduler,
      clock: p.clock,
      bus: p.bus,
      logger: p.logger,
      background,
    },
    registry,
  );
  recordWrapUps(registry, agents, p.logger);
  const recovery = new CallRecovery({
    telephony: p.telephony,
    calls,
    background,
    registry,
    events: p.events,
    records: p.records,
    clock: p.clock,
    settings: p.settings,
    logger: p.logger.child({ component: 'call-recovery' }),
  });
  const reachability = new EndpointReachability(agents, p.logger.child({ component: 'agents' }));
  return { registry, agents, acd, calls, recovery, reachability };
}

/** Most ended calls kept waiting for their agent's wrap-up to end (one per agent is the norm). */
const MAX_AWAITING_WRAP_UP = 10_000;

/**
 * Records each agent's wrap-up on its call. The wrap-up usually outlasts the caller (rating, thanks),
 * so a call whose agent answered is kept after it ended until that agent's wrap-up is over.
 */
function recordWrapUps(registry: CallRegistry, agents: AgentService, logger: Logger): void {
  const awaiting = new Map<CallId, CallSession>();
  registry.on('removed', (s) => {
    if (s.answeredBy() === null) return;
    awaiting.set(s.callId, s);
    if (awaiting.size > MAX_AWAITING_WRAP_UP) {
      const oldest = awaiting.keys().next().value;
      if (oldest !== undefined) awaiting.delete(oldest);
    }
  });
  agents.on('wrapUpEnded', ({ callId, wrapUp }) => {
    const s = registry.get(callId) ?? awaiting.get(callId);
    awaiting.delete(callId);
    if (!s) {
      logger.warn('wrap-up of a call no longer known, not recorded', { callId, agentId: wrapUp.agentId });
      return;
    }
    s.recordWrapUp(wrapUp).catch((err: unknown) => logger.error('wrap-up not recorded', { callId, err: String(err) }));
  });
}
