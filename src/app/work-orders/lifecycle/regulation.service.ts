/**
 * The regulation preset and the official calendar a deployment runs on. Both are data an
 * administrator may change: presets are validated by the domain schema, calendar years by
 * `mergeCalendarYear`; both are stored in the database and loaded at start (and on `load()`, which
 * the sweep calls every run so every instance follows an edit made on another).
 */
import {
  BUILT_IN_CALENDAR_YEARS, createWorkCalendar, mergeCalendarYear, startOfLocalDay, toLocalDate,
  type CalendarYearData, type WorkCalendar,
} from '../../../domain/calendar';
import { requirePermission, type Actor } from '../../../domain/access';
import { BUILT_IN_PRESETS, DEFAULT_PRESET_ID, builtInPreset, parseRegulationPreset, type RegulationPreset } from '../../../domain/work-order';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';
import type { Clock, StoredPreset, WorkOrderSettingsStore } from '../work-orders.ports';
import { firstUnknownField } from './strict-input';

export interface PresetSummary {
  readonly id: string;
  readonly name: string;
  /** The version in effect now. */
  readonly version: number;
  /** When the version in effect began to apply; null for a built-in version. */
  readonly effectiveFrom: string | null;
  /** A stored version that applies later, if any (the next one). */
  readonly scheduled: { readonly version: number; readonly effectiveFrom: string } | null;
  readonly builtIn: boolean;
  /** An administrator stored a version of it. */
  readonly edited: boolean;
  readonly active: boolean;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/** One version of a preset: the built-in one (effective from the start) and each stored edit. */
export interface PresetVersionSummary {
  readonly version: number;
  readonly name: string;
  readonly builtIn: boolean;
  /** Null: the built-in version, in effect until a stored one applies. */
  readonly effectiveFrom: string | null;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  /** This is the version new decisions use now. */
  readonly inEffect: boolean;
}

export interface CalendarYearSummary {
  readonly year: number;
  readonly version: number;
  readonly source: CalendarYearData['source'];
  readonly holidays: number;
  readonly makeUpWorkdays: number;
}

/** What a stored calendar year did to the open orders' provisional deadlines. */
export interface CalendarChangeResult {
  /** Open orders that had a provisional deadline. */
  readonly examined: number;
  /** Orders whose deadlines were counted again and written. */
  readonly changed: number;
}

/** Counts open provisional deadlines again after a calendar change (WorkOrderService.recomputeProvisionalDeadlines). */
export type CalendarChangeListener = (reason: string) => Promise<CalendarChangeResult>;

export interface RegulationDeps {
  readonly store: WorkOrderSettingsStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** Preset used until an administrator selects one (config). */
  readonly defaultPresetId?: string;
}

export class RegulationService {
  private calendar: WorkCalendar = createWorkCalendar();
  /** Stored versions per preset id, by ascending version. */
  private edited = new Map<string, StoredPreset[]>();
  private activeId: string;
  private calendarListener: CalendarChangeListener | undefined;

  constructor(private readonly deps: RegulationDeps) {
    this.activeId = deps.defaultPresetId ?? DEFAULT_PRESET_ID;
    if (!this.preset(this.activeId)) throw new Error(`unknown default preset ${this.activeId}`);
  }

  /** Reads presets, the active preset id and calendar years from the database. */
  async load(): Promise<void> {
    const [presets, activeId, years] = await Promise.all([
      this.deps.store.listPresets(),
      this.deps.store.getActivePresetId(),
      this.deps.store.listCalendarYears(),
    ]);
    const byId = new Map<string, StoredPreset[]>();
    for (const p of presets) byId.set(p.preset.id, [...(byId.get(p.preset.id) ?? []), p]);
    for (const versions of byId.values()) versions.sort((a, b) => a.preset.version - b.preset.version);
    this.edited = byId;
    if (activeId && this.preset(activeId)) this.activeId = activeId;
    const builtIn = new Map(BUILT_IN_CALENDAR_YEARS.map((y) => [y.year, y]));
    const newer = years.filter((y) => (builtIn.get(y.year)?.version ?? 0) < y.version);
    this.calendar = createWorkCalendar([...BUILT_IN_CALENDAR_YEARS, ...newer.sort((a, b) => a.year - b.year)]);
  }

  /** Set once at composition: the order service, built after this one. */
  onCalendarChange(listener: CalendarChangeListener): void {
    this.calendarListener = listener;
  }

  activePreset(): RegulationPreset {
    const p = this.preset(this.activeId);
    if (!p) throw new Error(`active preset ${this.activeId} vanished`);
    return p;
  }

  /**
   * The version in effect now: the highest stored version whose effective date has come, else the
   * built-in one. Orders name their preset, not a version, so an order follows the version in
   * effect at each decision (ADR 0018).
   */
  preset(id: string): RegulationPreset | undefined {
    return this.storedInEffect(id)?.preset ?? builtInPreset(id);
  }

  private storedInEffect(id: string): StoredPreset | undefined {
    const now = this.deps.clock();
    return (this.edited.get(id) ?? []).filter((v) => v.effectiveFrom.getTime() <= now).at(-1);
  }

  private latestVersion(id: string): number {
    return Math.max(builtInPreset(id)?.version ?? 0, ...(this.edited.get(id) ?? []).map((v) => v.preset.version));
  }

  workCalendar(): WorkCalendar {
    return this.calendar;
  }

  listPresets(actor: Actor): PresetSummary[] {
    requirePermission(actor, 'settings:read');
    const ids = [...new Set([...BUILT_IN_PRESETS.map((p) => p.id), ...this.edited.keys()])];
    const now = this.deps.clock();
    return ids.flatMap((id) => {
      const p = this.preset(id);
      const e = this.storedInEffect(id);
      const next = (this.edited.get(id) ?? []).find((v) => v.effectiveFrom.getTime() > now);
      const scheduled = next ? { version: next.preset.version, effectiveFrom: next.effectiveFrom.toISOString() } : null;
      // A new preset whose first version applies later is listed with that version only.
      const shown = p ?? next?.preset;
      if (!shown) return [];
      return [{
        id, name: shown.name, version: shown.version, effectiveFrom: e?.effectiveFrom.toISOString() ?? null, scheduled,
        builtIn: builtInPreset(id) !== undefined, edited: this.edited.has(id),
        active: id === this.activeId, updatedAt: e?.updatedAt.toISOString() ?? null, updatedBy: e?.updatedBy ?? null,
      }];
    });
  }

  /** Every version of a preset, newest first, with the one in effect now marked. */
  presetVersions(actor: Actor, id: string): PresetVersionSummary[] {
    requirePermission(actor, 'settings:read');
    const built = builtInPreset(id);
    const stored = this.edited.get(id) ?? [];
    if (!built && stored.length === 0) throw new NotFoundError('preset');
    const current = this.storedInEffect(id);
    const out: PresetVersionSummary[] = stored.map((v) => ({
      version: v.preset.version, name: v.preset.name, builtIn: false, effectiveFrom: v.effectiveFrom.toISOString(),
      updatedAt: v.updatedAt.toISOString(), updatedBy: v.updatedBy, inEffect: v === current,
    }));
    if (built) out.push({ version: built.version, name: built.name, builtIn: true, effectiveFrom: null, updatedAt: null, updatedBy: null, inEffect: current === undefined });
    return out.sort((a, b) => b.version - a.version);
  }

  getPreset(actor: Actor, id: string): RegulationPreset {
    requirePermission(actor, 'settings:read');
    const p = this.preset(id);
    if (!p) throw new NotFoundError('preset');
    return p;
  }

  /**
   * Stores a new version of a preset (edited or new); its `version` must be higher than every
   * stored one. It applies from `effectiveFrom` (an instant not before today's start, Asia/Shanghai;
   * default now); until then the version in effect stays.
   */
  async putPreset(actor: Actor, id: string, input: unknown, effectiveFrom?: Date): Promise<RegulationPreset> {
    requirePermission(actor, 'settings:manage');
    const parsed = parseRegulationPreset(input);
    if (!parsed.ok) {
      const issue = parsed.issues[0];
      throw new ValidationError(issue?.path ? `body.${issue.path}` : 'body', issue?.message ?? 'invalid preset');
    }
    const unknown = firstUnknownField(input, parsed.preset);
    if (unknown) throw new ValidationError(`body.${unknown}`, `unknown field ${unknown.split('.').pop() ?? ''}`);
    if (parsed.preset.id !== id) throw new ValidationError('body.id', `must equal the path id ${id}`);
    const latest = this.latestVersion(id);
    if (latest >= parsed.preset.version) {
      throw new ConflictError(`version must be greater than ${latest}`, { field: 'body.version' });
    }
    const now = new Date(this.deps.clock());
    const from = effectiveFrom ?? now;
    if (from.getTime() < startOfLocalDay(toLocalDate(now)).getTime()) {
      throw new ValidationError('body.effectiveFrom', 'must not be before today (Asia/Shanghai)');
    }
    const stored: StoredPreset = { preset: parsed.preset, updatedAt: now, updatedBy: actor.userId, effectiveFrom: from };
    if (!(await this.deps.store.putPreset(stored))) {
      throw new ConflictError(`version ${parsed.preset.version} is stored already`, { field: 'body.version' });
    }
    this.edited.set(id, [...(this.edited.get(id) ?? []), stored].sort((a, b) => a.preset.version - b.preset.version));
    this.deps.log.info('regulation preset stored', { presetId: id, version: parsed.preset.version, effectiveFrom: from.toISOString(), userId: actor.userId });
    return parsed.preset;
  }

  activePresetId(actor: Actor): { presetId: string } {
    requirePermission(actor, 'settings:read');
    return { presetId: this.activeId };
  }

  async setActivePreset(actor: Actor, id: string): Promise<{ presetId: string }> {
    requirePermission(actor, 'settings:manage');
    if (!this.preset(id)) throw new ValidationError('body.presetId', `unknown preset ${id}`);
    await this.deps.store.setActivePresetId(id, actor.userId, new Date(this.deps.clock()));
    this.activeId = id;
    this.deps.log.info('active regulation preset changed', { presetId: id, userId: actor.userId });
    return { presetId: id };
  }

  listCalendarYears(actor: Actor): CalendarYearSummary[] {
    requirePermission(actor, 'settings:read');
    return [...this.calendar.years.values()]
      .sort((a, b) => a.year - b.year)
      .map((y) => ({ year: y.year, version: y.version, source: y.source, holidays: y.holidays.length, makeUpWorkdays: y.makeUpWorkdays.length }));
  }

  getCalendarYear(actor: Actor, year: number): CalendarYearData {
    requirePermission(actor, 'settings:read');
    const y = this.calendar.years.get(year);
    if (!y) throw new NotFoundError('calendar year');
    return y;
  }

  /** Adds or corrects a year of the official calendar (a higher `version` replaces an older one). */
  async putCalendarYear(actor: Actor, year: number, input: unknown): Promise<CalendarYearSummary & { readonly provisionalDeadlines: CalendarChangeResult }> {
    requirePermission(actor, 'settings:manage');
    const merged = mergeCalendarYear(this.calendar, input);
    if (!merged.ok) {
      const issue = merged.issues[0];
      const field = issue?.path ? `body.${issue.path}` : 'body';
      if (merged.code === 'CALENDAR.STALE_VERSION') throw new ConflictError(issue?.message ?? 'stale version', { field });
      throw new ValidationError(field, issue?.message ?? 'invalid calendar year');
    }
    const unknown = firstUnknownField(input, merged.year);
    if (unknown) throw new ValidationError(`body.${unknown}`, `unknown field ${unknown.split('.').pop() ?? ''}`);
    if (merged.year.year !== year) throw new ValidationError('body.year', `must equal the path year ${year}`);
    const stored = await this.deps.store.putCalendarYear(merged.year, actor.userId, new Date(this.deps.clock()));
    if (!stored) throw new ConflictError('a newer version of this year is stored', { field: 'body.version' });
    this.calendar = merged.calendar;
    this.deps.log.info('calendar year stored', { year, version: merged.year.version, userId: actor.userId });
    const y = merged.year;
    const provisionalDeadlines = this.calendarListener
      ? await this.calendarListener(`calendar ${y.year} v${y.version} stored by ${actor.userId}`)
      : { examined: 0, changed: 0 };
    return { year: y.year, version: y.version, source: y.source, holidays: y.holidays.length, makeUpWorkdays: y.makeUpWorkdays.length, provisionalDeadlines };
  }
}
