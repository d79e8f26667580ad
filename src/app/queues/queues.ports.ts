/** Queues (as configured by administrators) and the live-monitoring settings. */
import { DEFAULT_CALL_METRICS_OPTIONS, type CallMetricsOptions, type ServiceLevelDenominator } from '../../domain/kpi/call-metrics';

export interface QueueSettings {
  readonly queueId: string;
  readonly name: string;
  /** The unit that owns a unit-specific queue, if any. */
  readonly unitId: string | null;
  /** Service-level threshold for this queue (s), default 15 per GB/T 33358. */
  readonly serviceLevelThresholdSec: number;
  /** A caller waiting longer than this raises an alert (s). */
  readonly waitAlertSec: number;
  readonly priority: number;
  readonly active: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewQueue = Omit<QueueSettings, 'createdAt' | 'updatedAt'>;
export type QueuePatch = Partial<Omit<QueueSettings, 'queueId' | 'createdAt' | 'updatedAt'>>;

export interface QueueRepository {
  list(): Promise<QueueSettings[]>;
  get(queueId: string): Promise<QueueSettings | null>;
  /** ConflictError when the id exists. */
  create(q: NewQueue, now: number): Promise<QueueSettings>;
  update(queueId: string, patch: QueuePatch, now: number): Promise<QueueSettings | null>;
}

/** Deployment-wide settings for live monitoring and call KPIs. */
export interface MonitoringSettings {
  readonly serviceLevelThresholdSec: number;
  readonly serviceLevelDenominator: ServiceLevelDenominator;
  readonly shortAbandonSec: number;
  readonly ringAnswerThresholdSec: number;
  /** Waiting longer than this raises a wait alert (queues may set their own). */
  readonly waitAlertSec: number;
  /** An agent not ready longer than this raises an alert. */
  readonly notReadyAlertSec: number;
  /** This many consecutive missed rings raise a streak alert. */
  readonly missedStreakAlert: number;
}

const KPI = DEFAULT_CALL_METRICS_OPTIONS;

/** The KPI thresholds default to the domain's (one default per setting). */
export const DEFAULT_MONITORING_SETTINGS: MonitoringSettings = Object.freeze({
  serviceLevelThresholdSec: KPI.serviceLevelThresholdMs / 1000,
  serviceLevelDenominator: KPI.serviceLevelDenominator,
  shortAbandonSec: KPI.shortAbandonMs / 1000,
  ringAnswerThresholdSec: KPI.ringAnswerThresholdMs / 1000,
  waitAlertSec: 60,
  notReadyAlertSec: 900,
  missedStreakAlert: 2,
});

/**
 * The KPI options these settings set. The call metrics (REST, reports) and the live dashboard both
 * read their thresholds through this, so the 10-second rule and the service level are set once.
 */
export function metricsOptionsOf(s: MonitoringSettings): CallMetricsOptions {
  return {
    ringAnswerThresholdMs: s.ringAnswerThresholdSec * 1000,
    serviceLevelThresholdMs: s.serviceLevelThresholdSec * 1000,
    serviceLevelDenominator: s.serviceLevelDenominator,
    shortAbandonMs: s.shortAbandonSec * 1000,
  };
}

export interface SettingsRepository {
  get(): Promise<MonitoringSettings | null>;
  put(settings: MonitoringSettings, now: number): Promise<void>;
}
