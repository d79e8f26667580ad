/**
 * The automated callback survey (回访 by phone). A run lists the orders awaiting a callback, keeps
 * those the order's preset surveys automatically (domain/work-order/survey.ts) whose next attempt is
 * due now, and calls them, at most `concurrency` at once (the trunk keeps the rest of its channels for
 * inbound calls). Each attempt is claimed first (SurveyClaims, a unique insert), so of two instances
 * running at once only one calls a citizen. The claim is a lease renewed while the attempt runs and
 * finished once its result is recorded; an instance that dies mid-attempt leaves a claim that expires,
 * and the next run on any instance takes the attempt over (a citizen may then be called again for an
 * attempt whose call was cut off with its instance, never twice at once). An answered survey records the citizen's answer on the
 * order (recordCallback with the five-level answer and the call's id); busy, no answer, a failed call
 * or a citizen who hangs up before answering records an unreachable attempt, which the next attempt
 * is planned from, and the last such attempt closes the order as unreachable (the state machine's
 * rule on `callback.maxAttempts`).
 */
import { planSurveyAttempt, surveyAnswers, surveyChannel, nextCallingSlot, type WorkOrder, type WorkOrderAction } from '../../../domain/work-order';
import type { Logger } from '../../../shared/logger';
import { BackgroundTasks, type Background } from '../../../shared/background';
import type { Clock, ScheduledJob, SurveyCallOutcome, SurveyClaims, SurveyDialer, SurveyHandovers, WorkOrderRepository } from '../work-orders.ports';
import type { RegulationService } from './regulation.service';
import type { WorkOrderService } from './work-order.service';

export interface SurveyJobOptions {
  /** Survey calls at once (K): the trunk's other channels stay free for inbound calls. */
  readonly concurrency: number;
  /** Calls placed per run at most (the rest wait for the next run). */
  readonly maxCallsPerRun: number;
  /** Orders read per page while planning. */
  readonly pageSize: number;
  /** An attempt's claim lasts this long unless renewed (every third of it while the attempt runs). */
  readonly claimLeaseMs: number;
}

export const DEFAULT_SURVEY_JOB_OPTIONS: SurveyJobOptions = { concurrency: 4, maxCallsPerRun: 200, pageSize: 500, claimLeaseMs: 120_000 };

export interface SurveyRunResult {
  /** Orders awaiting a callback that were looked at. */
  readonly examined: number;
  /** Of those, due for an automated attempt now. */
  readonly due: number;
  /** Attempts this run claimed and placed. */
  readonly placed: number;
  /** Attempts another instance had claimed. */
  readonly taken: number;
  readonly answered: number;
  /** The citizen pressed 0 and an agent answered the call. */
  readonly toAgent: number;
  readonly unreachable: number;
  readonly failed: number;
  readonly planMs: number;
  readonly ms: number;
}

export interface SurveyJobDeps {
  readonly orders: WorkOrderRepository;
  readonly service: WorkOrderService;
  readonly regulation: RegulationService;
  readonly claims: SurveyClaims;
  readonly dialer: SurveyDialer;
  /** The call path's side of calls handed to the agent queue (absent: none are handed over). */
  readonly handovers?: SurveyHandovers;
  readonly owner: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Where the claims' renewals run; default one of its own on `log`. */
  readonly background?: Background;
}

interface DueAttempt {
  readonly order: WorkOrder;
  readonly attempt: number;
}

/** The unreachable attempts since the order was last completed (what the state machine counts). */
export function surveyAttempts(o: WorkOrder): Date[] {
  const since = o.feedbackAt?.getTime() ?? 0;
  return o.callbacks.filter((c) => c.result === 'unreachable' && c.at.getTime() >= since).map((c) => c.at);
}

/** The claim of attempt `attempt` (1, 2, …) of the order's survey since its last completion. */
export function surveyClaimKey(o: WorkOrder, attempt: number): string {
  return `${o.id}:${o.completedAt?.getTime() ?? 0}:${attempt}`;
}

export class SurveyJob {
  private readonly opts: SurveyJobOptions;
  private readonly background: Background;

  constructor(private readonly deps: SurveyJobDeps, opts: Partial<SurveyJobOptions> = {}) {
    this.opts = { ...DEFAULT_SURVEY_JOB_OPTIONS, ...opts };
    this.background = deps.background ?? new BackgroundTasks(deps.log);
  }

  /** The orders due for an attempt now, oldest completion first. */
  async plan(now: Date): Promise<{ due: DueAttempt[]; examined: number }> {
    const due: DueAttempt[] = [];
    let examined = 0;
    for (let after = ''; ; ) {
      const items = await this.deps.orders.byStatus('PENDING_CALLBACK', after, this.opts.pageSize);
      after = items[items.length - 1]?.order.id ?? after;
      for (const { order } of items) {
        examined += 1;
        const preset = this.deps.regulation.preset(order.presetId) ?? this.deps.regulation.activePreset();
        if (surveyChannel(order, preset.survey) !== 'automatic') continue;
        const attempts = surveyAttempts(order);
        const plan = planSurveyAttempt(order, preset.survey, preset.callback.maxAttempts, attempts, now);
        if (plan.kind === 'call' && plan.at.getTime() <= now.getTime()) due.push({ order, attempt: attempts.length + 1 });
      }
      if (items.length < this.opts.pageSize) break;
    }
    due.sort((a, b) => (a.order.completedAt?.getTime() ?? 0) - (b.order.completedAt?.getTime() ?? 0));
    return { due, examined };
  }

  async run(): Promise<SurveyRunResult> {
    const t0 = Date.now();
    if (!this.deps.dialer.ready()) {
      this.deps.log.warn('survey run skipped: calls cannot be placed now');
      return { examined: 0, due: 0, placed: 0, taken: 0, answered: 0, toAgent: 0, unreachable: 0, failed: 0, planMs: 0, ms: 0 };
    }
    const { due, examined } = await this.plan(new Date(this.deps.clock()));
    const planMs = Date.now() - t0;
    const queue = due.slice(0, this.opts.maxCallsPerRun);
    const counts = { placed: 0, taken: 0, answered: 0, toAgent: 0, unreachable: 0, failed: 0 };
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          const r = await this.attempt(next);
          if (r === 'later') continue;
          counts[r] += 1;
          if (r !== 'taken') counts.placed += 1;
        } catch (err) {
          counts.failed += 1;
          this.deps.log.warn('survey attempt failed', { orderId: next.order.id, err: String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency) }, worker));
    const result = { examined, due: due.length, ...counts, planMs, ms: Date.now() - t0 };
    if (result.placed > 0 || result.failed > 0) this.deps.log.info('survey run', { ...result });
    return result;
  }

  /** Claims and places one attempt, then records its outcome on the order. */
  private async attempt(d: DueAttempt): Promise<'later' | 'taken' | 'answered' | 'toAgent' | 'unreachable'> {
    const { order } = d;
    const now = new Date(this.deps.clock());
    const preset = this.deps.regulation.preset(order.presetId) ?? this.deps.regulation.activePreset();
    // The hours may have ended while earlier calls of this run were placed.
    if (nextCallingSlot(now, preset.survey).getTime() !== now.getTime()) return 'later';
    const key = surveyClaimKey(order, d.attempt);
    const { claims, owner, clock } = this.deps;
    const lease = this.opts.claimLeaseMs;
    if (!(await claims.claim(key, order.id, owner, now, lease))) return 'taken';
    const renewal = this.background.every('survey.claim-renew', Math.max(1000, Math.floor(lease / 3)), async () => {
      if (!(await claims.renew(key, owner, new Date(clock() + lease)))) this.deps.log.warn('survey claim lost while its attempt runs', { orderId: order.id, key });
    }, { orderId: order.id });
    try {
      const r = await this.placeAndRecord(d);
      // Finished only once recorded: an attempt whose result was not recorded counts for nothing and is taken over after the lease.
      await claims.finish(key, owner, new Date(clock()));
      return r;
    } finally {
      renewal.stop();
    }
  }

  private async placeAndRecord(d: DueAttempt): Promise<'answered' | 'toAgent' | 'unreachable'> {
    const { order } = d;
    const phone = order.caller.phone as string; // surveyChannel 'automatic' means there is one
    let outcome: SurveyCallOutcome;
    try {
      outcome = await this.deps.dialer.call({ orderId: order.id, orderNumber: order.number, phone });
    } catch (err) {
      this.deps.log.warn('survey call could not be placed', { orderId: order.id, err: String(err) });
      outcome = { kind: 'failed' };
    }
    // Pressed 0: the call is the agent queue's now. The attempt (and this run's slot: the call still
    // holds a trunk channel) lasts until an agent answers it or it ends without one.
    const handover = outcome.kind === 'toAgent' ? await this.handoverOf(outcome.callId) : undefined;
    const action = surveyRecord(outcome, handover);
    await this.deps.service.actAsSystem(order.id, action);
    this.deps.log.info('survey attempt', {
      orderId: order.id, attempt: d.attempt, outcome: outcome.kind,
      ...(action.level ? { level: action.level } : {}), ...(handover ? { agentId: handover.agentId } : {}),
    });
    return action.result === 'toAgent' ? 'toAgent' : action.level ? 'answered' : 'unreachable';
  }

  private async handoverOf(callId: string): Promise<{ readonly agentId: string | null }> {
    if (!this.deps.handovers) return { agentId: null };
    return this.deps.handovers.outcome(callId);
  }
}

/**
 * The callback an attempt records: the answer when both keys were valid; `toAgent` with the agent
 * when the citizen pressed 0 and an agent answered; else an unreachable attempt (with the handover,
 * when the citizen pressed 0 and no agent answered).
 */
export function surveyRecord(outcome: SurveyCallOutcome, handover?: { readonly agentId: string | null }): Extract<WorkOrderAction, { type: 'recordCallback' }> {
  const callId = outcome.callId !== undefined ? { surveyCallId: outcome.callId } : {};
  if (outcome.kind === 'toAgent') {
    const agentId = handover?.agentId ?? null;
    return { type: 'recordCallback', result: agentId ? 'toAgent' : 'unreachable', handover: { agentId }, ...callId };
  }
  if (outcome.kind === 'answered') {
    const a = surveyAnswers(outcome.solved ?? '', outcome.satisfaction ?? '');
    if (a) return { type: 'recordCallback', level: a.level, resolution: a.resolution, ...callId };
  }
  return { type: 'recordCallback', result: 'unreachable', ...callId };
}

export const SURVEY_JOB = 'work-orders.callback-survey';

/**
 * The survey as a scheduled job (every minute by default). A run holds the job's lease until its calls
 * end (the scheduler renews it), so across instances at most `concurrency` survey calls are up at once;
 * the claims keep a citizen from being called twice if two runs ever overlap.
 */
export function surveyJob(job: SurveyJob, regulation: RegulationService, cron = '*/1 * * * *'): ScheduledJob {
  return {
    name: SURVEY_JOB,
    cron,
    leaseMs: 60_000,
    run: async () => {
      await regulation.load();
      await job.run();
    },
  };
}
