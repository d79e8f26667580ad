/**
 * The directory of handling units (承办单位): name, short name, contact and whether orders may be
 * dispatched to it, kept by administrators. Orders keep unit ids; the screens show the names. A
 * unit that has handlers but no entry (units from before the directory) is listed under its id;
 * `seedFromHandlers` writes an entry for each such unit at start, named by its id until an
 * administrator names it.
 */
import type { Actor } from '../../../domain/access';
import { ForbiddenError, NotFoundError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';

export interface UnitInput {
  readonly name: string;
  readonly shortName: string | null;
  readonly contact: string | null;
  readonly enabled: boolean;
}

export interface UnitEntry extends UnitInput {
  readonly id: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A unit as the consoles list it: its entry and the names of its active handlers. */
export interface DirectoryUnit extends UnitInput {
  readonly id: string;
  readonly handlers: readonly string[];
}

export interface UnitRepository {
  list(): Promise<UnitEntry[]>;
  /** ConflictError when the id is taken. */
  create(id: string, input: UnitInput, now: Date): Promise<UnitEntry>;
  /** Null when there is no such unit. */
  update(id: string, input: UnitInput, now: Date): Promise<UnitEntry | null>;
  /** Of these ids, those whose entry says no dispatch (`enabled: false`). */
  stopped(ids: readonly string[]): Promise<string[]>;
  /** An entry named by its id for each id that has none; existing entries stay as they are. Returns how many were written. */
  ensure(ids: readonly string[], now: Date): Promise<number>;
}

/** Units with an active handler (the users' directory). */
export interface UnitHandlers {
  units(): Promise<ReadonlyArray<{ readonly id: string; readonly handlers: readonly string[] }>>;
}

export interface UnitDirectoryDeps {
  readonly units: UnitRepository;
  readonly handlers: UnitHandlers;
  readonly clock: () => number;
  readonly log: Logger;
}

export class UnitDirectoryService {
  constructor(private readonly deps: UnitDirectoryDeps) {}

  /** The directory's names by unit (the exports' 单位名称); a unit without an entry is not listed and the export shows its id. */
  async names(): Promise<Array<{ id: string; name: string }>> {
    return (await this.deps.units.list()).map((e) => ({ id: e.id, name: e.name }));
  }

  /** Every signed-in role: orders, radars and reports name their units. */
  async list(_actor: Actor): Promise<DirectoryUnit[]> {
    const [entries, handled] = await Promise.all([this.deps.units.list(), this.deps.handlers.units()]);
    const handlers = new Map(handled.map((u) => [u.id, u.handlers]));
    const out: DirectoryUnit[] = entries.map((e) => ({ id: e.id, name: e.name, shortName: e.shortName, contact: e.contact, enabled: e.enabled, handlers: handlers.get(e.id) ?? [] }));
    const known = new Set(entries.map((e) => e.id));
    for (const u of handled) if (!known.has(u.id)) out.push({ id: u.id, name: u.id, shortName: null, contact: null, enabled: true, handlers: u.handlers });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async create(actor: Actor, id: string, input: UnitInput): Promise<UnitEntry> {
    mustAdminister(actor);
    const e = await this.deps.units.create(id, input, new Date(this.deps.clock()));
    this.deps.log.info('unit created', { unitId: id, userId: actor.userId });
    return e;
  }

  async update(actor: Actor, id: string, input: UnitInput): Promise<UnitEntry> {
    mustAdminister(actor);
    const now = new Date(this.deps.clock());
    let e = await this.deps.units.update(id, input, now);
    // A unit known only from its handlers (no entry yet) gets its entry now.
    if (!e && (await this.deps.handlers.units()).some((u) => u.id === id)) e = await this.deps.units.create(id, input, now);
    if (!e) throw new NotFoundError('unit');
    this.deps.log.info('unit changed', { unitId: id, userId: actor.userId, enabled: input.enabled });
    return e;
  }

  /** Of these units, those that take no new orders (an entry with `enabled: false`; a unit without an entry takes them). */
  stopped(ids: readonly string[]): Promise<string[]> {
    return this.deps.units.stopped(ids);
  }

  /** Entries for the units that have handlers but none yet (idempotent; safe on several instances at once). */
  async seedFromHandlers(): Promise<number> {
    const ids = (await this.deps.handlers.units()).map((u) => u.id);
    const written = ids.length > 0 ? await this.deps.units.ensure(ids, new Date(this.deps.clock())) : 0;
    if (written > 0) this.deps.log.info('unit directory seeded from unit handlers', { written });
    return written;
  }
}

function mustAdminister(actor: Actor): void {
  if (actor.role !== 'admin') throw new ForbiddenError(`role ${actor.role} may not change the unit directory`);
}
