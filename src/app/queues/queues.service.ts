/**
 * Queues and their settings, and the monitoring settings: administrators change them, supervisors
 * and agents read queues, supervisors read settings. Listeners (the live dashboard) are told of changes.
 */
import { NotFoundError } from '../../shared/errors';
import { requirePermission, type Actor } from '../../domain/access';
import {
  DEFAULT_MONITORING_SETTINGS,
  type MonitoringSettings,
  type NewQueue,
  type QueuePatch,
  type QueueRepository,
  type QueueSettings,
  type SettingsRepository,
} from './queues.ports';

export class QueuesService {
  private settings: MonitoringSettings = DEFAULT_MONITORING_SETTINGS;
  private readonly queueCache = new Map<string, QueueSettings>();
  private readonly settingsListeners = new Set<(s: MonitoringSettings) => void>();
  private readonly queueListeners = new Set<(q: QueueSettings) => void>();

  constructor(
    private readonly queues: QueueRepository,
    private readonly settingsRepo: SettingsRepository,
    private readonly clock: () => number,
  ) {}

  /** Loads settings and queues into memory; call once at start. */
  async start(): Promise<void> {
    this.settings = { ...DEFAULT_MONITORING_SETTINGS, ...((await this.settingsRepo.get()) ?? {}) };
    for (const q of await this.queues.list()) this.queueCache.set(q.queueId, q);
    this.emitSettings();
    for (const q of this.queueCache.values()) this.emitQueue(q);
  }

  currentSettings(): MonitoringSettings {
    return this.settings;
  }

  cachedQueue(queueId: string): QueueSettings | undefined {
    return this.queueCache.get(queueId);
  }

  onSettings(l: (s: MonitoringSettings) => void): () => void {
    this.settingsListeners.add(l);
    return () => this.settingsListeners.delete(l);
  }

  onQueue(l: (q: QueueSettings) => void): () => void {
    this.queueListeners.add(l);
    return () => this.queueListeners.delete(l);
  }

  async list(actor: Actor): Promise<QueueSettings[]> {
    requirePermission(actor, 'queues:read');
    return this.queues.list();
  }

  async get(actor: Actor, queueId: string): Promise<QueueSettings> {
    requirePermission(actor, 'queues:read');
    const q = await this.queues.get(queueId);
    if (!q) throw new NotFoundError('queue');
    return q;
  }

  async create(actor: Actor, input: NewQueue): Promise<QueueSettings> {
    requirePermission(actor, 'queues:manage');
    const q = await this.queues.create(input, this.clock());
    this.queueCache.set(q.queueId, q);
    this.emitQueue(q);
    return q;
  }

  async update(actor: Actor, queueId: string, patch: QueuePatch): Promise<QueueSettings> {
    requirePermission(actor, 'queues:manage');
    const q = await this.queues.update(queueId, patch, this.clock());
    if (!q) throw new NotFoundError('queue');
    this.queueCache.set(q.queueId, q);
    this.emitQueue(q);
    return q;
  }

  getSettings(actor: Actor): MonitoringSettings {
    requirePermission(actor, 'settings:read');
    return this.settings;
  }

  async putSettings(actor: Actor, settings: MonitoringSettings): Promise<MonitoringSettings> {
    requirePermission(actor, 'settings:manage');
    await this.settingsRepo.put(settings, this.clock());
    this.settings = settings;
    this.emitSettings();
    return settings;
  }

  private emitSettings(): void {
    for (const l of this.settingsListeners) l(this.settings);
  }

  private emitQueue(q: QueueSettings): void {
    for (const l of this.queueListeners) l(q);
  }
}
