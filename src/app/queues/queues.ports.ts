/** Queues (as configured by administrators) and the live-monitoring settings. */
import type { ServiceLevelDenominator } from '../../domain/kpi/call-metrics';

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

export const DEFAULT_MONITORING_SETTINGS: MonitoringSettings = Object.freeze({
  serviceLevelThresholdSec: 15,
  serviceLevelDenominator: 'answered',
  shortAbandonSec: 5,
  ringAnswerThresholdSec: 10,
  waitAlertSec: 60,
  notReadyAlertSec: 900,
  missedStreakAlert: 2,
});

export interface SettingsRepository {
  get(): Promise<MonitoringSettings | null>;
  put(settings: MonitoringSettings, now: number): Promise<void>;
}
