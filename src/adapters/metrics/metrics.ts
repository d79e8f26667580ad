/**
 * Prometheus metrics (prom-client, a registry per instance): calls in progress, queue lengths,
 * agents by state, the service level's inputs (call outcomes by queue, answer wait, ring attempts,
 * abandons by stage), ARI connection, spool backlog, HTTP latency, background task failures and last
 * successes per task (`hotline_background_task_failures_total`, `hotline_background_task_last_success_seconds`:
 * scheduled jobs are the tasks `job.<name>`), and Node's default metrics under their standard names
 * (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, …) so the usual Node.js dashboards work.
 * docker/grafana/dashboards/hotline.json reads them.
 *
 * GET /metrics needs the scrape token (`Authorization: Bearer <token>`) or an administrator's access token.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';
import { roleHas } from '../../domain/access';
import type { AuthContext } from '../../app/auth/auth.service';
import type { DashboardSnapshot } from '../../app/live/dashboard.types';
import { AGENT_PRESENCES, type LiveInput } from '../../app/live/live.ports';
import type { TaskStats } from '../../shared/background';
import type { CallOutcome } from '../../domain/call/call.record';

/** Answer-wait buckets (seconds): 10 is the service-level threshold (10-second answer rate). */
export const ANSWER_WAIT_BUCKETS = [2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];

export interface MetricsOptions {
  prefix?: string;
  socketConnections?: () => number;
  background?: { stats(): ReadonlyMap<string, TaskStats> };
  /** Whether the ARI WebSocket is up. */
  ariConnected?: () => boolean;
  /** Bytes of call data waiting in the spool for the database. */
  spoolBacklogBytes?: () => number;
}

/** What a call in progress counts as when it ends (the call record's outcome, same rules). */
interface CallTally {
  queue: string;
  outcome: CallOutcome;
}

export interface LiveSource {
  snapshot(): Pick<DashboardSnapshot, 'callsInProgress' | 'queues' | 'agents'>;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly ringMisses: Counter<'outcome'>;
  private readonly ringAttempts: Counter<'outcome'>;
  private readonly callsEnded: Counter<'queue' | 'outcome'>;
  private readonly answerWait: Histogram<'queue'>;
  private readonly abandons: Counter<'queue' | 'stage'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly calls = new Map<string, CallTally>();

  constructor(source: LiveSource | null, opts: MetricsOptions = {}) {
    const prefix = opts.prefix ?? 'hotline_';
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const registers = [this.registry];
    new Gauge({
      name: `${prefix}calls_in_progress`,
      help: 'Calls between entering the system and ending',
      registers,
      collect() {
        this.set(source?.snapshot().callsInProgress ?? 0);
      },
    });
    new Gauge({
      name: `${prefix}queue_waiting_calls`,
      help: 'Callers waiting in each queue',
      labelNames: ['queue'] as const,
      registers,
      collect() {
        this.reset();
        for (const q of source?.snapshot().queues ?? []) this.set({ queue: q.queueId }, q.waiting.length);
      },
    });
    new Gauge({
      name: `${prefix}queue_longest_wait_seconds`,
      help: 'Longest current wait in each queue',
      labelNames: ['queue'] as const,
      registers,
      collect() {
        this.reset();
        for (const q of source?.snapshot().queues ?? []) this.set({ queue: q.queueId }, q.longestWaitMs / 1000);
      },
    });
    new Gauge({
      name: `${prefix}agents`,
      help: 'Agents by state',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const counts = new Map<string, number>(AGENT_PRESENCES.map((s) => [s, 0]));
        for (const a of source?.snapshot().agents ?? []) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    if (opts.socketConnections) {
      const count = opts.socketConnections;
      new Gauge({
        name: `${prefix}socket_connections`,
        help: 'Socket.IO connections on this instance',
        registers,
        collect() {
          this.set(count());
        },
      });
    }
    if (opts.background) {
      const tasks = opts.background;
      new Counter({
        name: `${prefix}background_task_failures_total`,
        help: 'Failed runs of background work (timers, jobs, event handlers, fire-and-forget promises) per task',
        labelNames: ['task'] as const,
        registers,
        collect() {
          // The helper keeps the running totals; exported as they are.
          this.reset();
          for (const [task, s] of tasks.stats()) this.inc({ task }, s.failed);
        },
      });
      new Gauge({
        name: `${prefix}background_task_last_success_seconds`,
        help: 'When each background task last ran without an error (Unix time; 0 = not yet)',
        labelNames: ['task'] as const,
        registers,
        collect() {
          this.reset();
          for (const [task, s] of tasks.stats()) this.set({ task }, (s.lastSuccessAt ?? 0) / 1000);
        },
      });
    }
    if (opts.ariConnected) {
      const connected = opts.ariConnected;
      new Gauge({
        name: `${prefix}ari_connected`,
        help: 'ARI connection to Asterisk: 1 connected, 0 not',
        registers,
        collect() {
          this.set(connected() ? 1 : 0);
        },
      });
    }
    if (opts.spoolBacklogBytes) {
      const backlog = opts.spoolBacklogBytes;
      new Gauge({
        name: `${prefix}spool_backlog_bytes`,
        help: 'Call data waiting on disk for the database (0 when the database has everything)',
        registers,
        collect() {
          this.set(backlog());
        },
      });
    }
    this.callsEnded = new Counter({
      name: `${prefix}calls_ended_total`,
      help: 'Calls ended, by queue and outcome (answered, abandoned, overflow, callback-requested, lost)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    });
    this.answerWait = new Histogram({
      name: `${prefix}answer_wait_seconds`,
      help: 'Wait from entering the queue to an agent answering, by queue',
      labelNames: ['queue'] as const,
      buckets: ANSWER_WAIT_BUCKETS,
      registers,
    });
    this.ringAttempts = new Counter({
      name: `${prefix}ring_attempts_total`,
      help: 'Agent rings by outcome (answered, cancelled, or a miss: no-answer, rejected, busy, unreachable …)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.abandons = new Counter({
      name: `${prefix}abandons_total`,
      help: 'Callers who hung up before an agent answered, by queue and stage (greeting, menu, queued, ringing …)',
      labelNames: ['queue', 'stage'] as const,
      registers,
    });
    this.ringMisses = new Counter({
      name: `${prefix}ring_misses_total`,
      help: 'Agent rings not answered (no answer, rejected, busy, unreachable)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }

  /** Feed every live input (call events drive the service-level counters). */
  observe(input: LiveInput): void {
    if (input.kind !== 'call') return;
    const e = input.event;
    const tally = this.calls.get(e.callId);
    switch (e.type) {
      case 'CallEntered':
        this.calls.set(e.callId, { queue: e.queueId, outcome: 'in-progress' });
        return;
      case 'MenuChoiceMade':
      case 'MenuTimedOut':
      case 'CallQueued':
        if (tally) tally.queue = e.queueId;
        return;
      case 'AgentRingMissed':
        this.ringMisses.inc({ outcome: e.outcome });
        this.ringAttempts.inc({ outcome: e.outcome });
        return;
      case 'AgentRingCancelled':
        this.ringAttempts.inc({ outcome: 'cancelled' });
        return;
      case 'AgentAnswered':
        this.ringAttempts.inc({ outcome: 'answered' });
        if (tally) {
          tally.outcome = 'answered';
          this.answerWait.observe({ queue: tally.queue }, e.waitMs / 1000);
        }
        return;
      case 'CallAbandoned':
        this.abandons.inc({ queue: e.queueId, stage: e.stage });
        if (tally) tally.outcome = 'abandoned';
        return;
      case 'CallOverflowed':
        if (tally) tally.outcome = 'overflow';
        return;
      case 'CallbackRequested':
        if (tally) tally.outcome = 'callback-requested';
        return;
      case 'CallEnded': {
        this.calls.delete(e.callId);
        if (!tally) return; // entered before this instance started: its record still counts it
        const outcome = tally.outcome === 'in-progress' ? (e.reason === 'caller-hangup' ? 'abandoned' : 'lost') : tally.outcome;
        this.callsEnded.inc({ queue: tally.queue, outcome });
        return;
      }
      default:
        return;
    }
  }


  /** Times every request that passes; mount before the other routers. */
  httpLatency(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        end({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
      });
      next();
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The latency middleware plus GET /metrics. Put it first in HttpServer's router list. */
export function metricsRouter(
  metrics: Metrics,
  auth: { authenticate(token: string): Promise<AuthContext> },
  scrapeToken: string | null,
): Router {
  const r = Router();
  r.use(metrics.httpLatency());
  r.get('/metrics', async (req, res) => {
    const m = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const token = m?.[1];
    if (!token) throw new UnauthenticatedError('missing bearer token');
    if (!(scrapeToken && sameSecret(token, scrapeToken))) {
      const ctx = await auth.authenticate(token);
      if (!roleHas(ctx.actor.role, 'metrics:read')) throw new ForbiddenError('metrics are for administrators and the scraper');
    }
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.text());
  });
  return r;
}
