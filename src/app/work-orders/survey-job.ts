/**
 * The automated callback survey (回访 by phone). A run lists the orders awaiting a callback, keeps
 * those the order's preset surveys automatically (domain/work-order/survey.ts) whose next attempt is
 * due now, and calls them, at most `concurrency` at once (the trunk keeps the rest of its channels for
 * inbound calls). Each attempt is claimed first (SurveyClaims, a unique insert), so of two instances
 * running at once only one calls a citizen. An answered survey records the citizen's answer on the
 * order (recordCallback with the five-level answer and the call's id); busy, no answer, a failed call
 * or a citizen who hangs up before answering records an unreachable attempt, which the next attempt
 * is planned from, and the last such attempt closes the order as unreachable (the state machine's
 * rule on `callback.maxAttempts`).
 */
import { planSurveyAttempt, surveyAnswers, surveyChannel, nextCallingSlot, type WorkOrder, type WorkOrderAction } from '../../domain/work-order';
import type { Logger } from '../../shared/logger';
import type { Clock, ScheduledJob, SurveyCallOutcome, SurveyClaims, SurveyDialer, WorkOrderRepository } from './ports';
import type { RegulationService } from './regulation.service';
import type { WorkOrderService } from './work-order.service';

export interface SurveyJobOptions {
  /** Survey calls at once (K): the trunk's other channels stay free for inbound calls. */
  readonly concurrency: number;
  /** Calls placed per run at most (the rest wait for the next run). */
  readonly maxCallsPerRun: number;
  /** Orders read per page while planning. */
  readonly pageSize: number;
}

export const DEFAULT_SURVEY_JOB_OPTIONS: SurveyJobOptions = { concurrency: 4, maxCallsPerRun: 200, pageSize: 500 };

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
  readonly owner: string;
  readonly clock: Clock;
  readonly log: Logger;
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

export class SurveyJob {
  private readonly opts: SurveyJobOptions;

  constructor(private readonly deps: SurveyJobDeps, opts: Partial<SurveyJobOptions> = {}) {
    this.opts = { ...DEFAULT_SURVEY_JOB_OPTIONS, ...opts };
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
      return { examined: 0, due: 0, placed: 0, taken: 0, answered: 0, unreachable: 0, failed: 0, planMs: 0, ms: 0 };
    }
    const { due, examined } = await this.plan(new Date(this.deps.clock()));
    const planMs = Date.now() - t0;
    const queue = due.slice(0, this.opts.maxCallsPerRun);
    const counts = { placed: 0, taken: 0, answered: 0, unreachable: 0, failed: 0 };
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
  private async attempt(d: DueAttempt): Promise<'later' | 'taken' | 'answered' | 'unreachable'> {
    const { order } = d;
    const now = new Date(this.deps.clock());
    const preset = this.deps.regulation.preset(order.presetId) ?? this.deps.regulation.activePreset();
    // The hours may have ended while earlier calls of this run were placed.
    if (nextCallingSlot(now, preset.survey).getTime() !== now.getTime()) return 'later';
    const key = `${order.id}:${order.completedAt?.getTime() ?? 0}:${d.attempt}`;
    if (!(await this.deps.claims.claim(key, order.id, this.deps.owner, now))) return 'taken';
    const phone = order.caller.phone as string; // surveyChannel 'automatic' means there is one
    let outcome: SurveyCallOutcome;
    try {
      outcome = await this.deps.dialer.call({ orderId: order.id, phone });
    } catch (err) {
      this.deps.log.warn('survey call could not be placed', { orderId: order.id, err: String(err) });
      outcome = { kind: 'failed' };
    }
    const action = surveyRecord(outcome);
    await this.deps.service.actAsSystem(order.id, action);
    this.deps.log.info('survey attempt', { orderId: order.id, attempt: d.attempt, outcome: outcome.kind, ...(action.type === 'recordCallback' && action.level ? { level: action.level } : {}) });
    return action.type === 'recordCallback' && action.level ? 'answered' : 'unreachable';
  }
}

/** The callback an attempt records: the answer when both keys were valid, else an unreachable attempt. */
export function surveyRecord(outcome: SurveyCallOutcome): Extract<WorkOrderAction, { type: 'recordCallback' }> {
  const callId = outcome.callId !== undefined ? { surveyCallId: outcome.callId } : {};
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
