/**
 * AgentClaimPort over agent_claims (MongoDB in production, FerretDB v2 in the lab): app instances
 * that share agents never offer one agent two calls at once.
 *
 * claim(agent, call):
 *  1. read the agent's latest generation g;
 *  2. if it is live (not released, lease not passed) and another instance's → refused;
 *  3. otherwise insert generation g + 1; a duplicate key means another instance inserted it first → refused.
 * Two instances that read the same g race on the same `_id`, and the unique index lets one win.
 * release(agent, call) marks our document released; the lease is renewed every `renewMs` while we
 * hold the agent, so a claim of an instance that died lapses after `leaseMs`.
 *
 * Every operation on one agent runs after the previous one (a release is written before the next
 * claim of the same agent reads). A claim the store does not answer within `timeoutMs` is refused
 * (no offer is better than a double booking); if it succeeds later it is released at once.
 * A live claim of our own that is not for this call is stale (the ACD claims only agents it sees
 * free, e.g. after a release that could not be written) and is superseded.
 *
 * Limits: an instance paused for longer than the lease (or cut off from the database for that long)
 * may find on return that another instance has claimed its agent; the renewal then logs the loss.
 * Lease times are compared on each instance's clock: keep the clocks in sync (NTP).
 */
import { BackgroundTasks, type Background, type Repeating } from '../../../shared/background';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Collection, Connection } from 'mongoose';
import type { AgentId, CallId } from '../../../shared/ids';
import type { Logger } from '../../../shared/logger';
import type { AgentClaimPort } from '../../../app/calls/calls.ports';
import { agentClaimModel, type AgentClaimDoc } from '../models/agent-claim.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;

export interface MongoAgentClaimsOptions {
  /** This instance, written on its claims; default host:pid:random. */
  owner?: string;
  /** A claim not renewed for this long has lapsed (its instance is gone). */
  leaseMs?: number;
  /** How often held claims are renewed; default leaseMs / 4. */
  renewMs?: number;
  /** How long a claim may wait for the store before it counts as refused. */
  timeoutMs?: number;
  /** Superseded claims older than this are deleted (they are kept a while for inspection). */
  purgeAfterMs?: number;
  clock?: () => number;
  log: Logger;
  /** Where the renewals run; default one of its own on `log`. */
  background?: Background;
}

interface Held {
  id: string;
  gen: number;
  callId: CallId;
}

export class MongoAgentClaims implements AgentClaimPort {
  readonly owner: string;
  private readonly claims: Collection<AgentClaimDoc>;
  private readonly held = new Map<AgentId, Held>();
  private readonly tails = new Map<AgentId, Promise<void>>();
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly timeoutMs: number;
  private readonly purgeAfterMs: number;
  private readonly clock: () => number;
  private readonly log: Logger;
  private timer: Repeating | null = null;
  private readonly background: Background;

  constructor(
    private readonly conn: Connection,
    opts: MongoAgentClaimsOptions,
  ) {
    this.claims = agentClaimModel(conn).collection as unknown as Collection<AgentClaimDoc>;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.renewMs = opts.renewMs ?? Math.max(100, Math.floor(this.leaseMs / 4));
    this.timeoutMs = opts.timeoutMs ?? 2_000;
    this.background = opts.background ?? new BackgroundTasks(opts.log);
    this.purgeAfterMs = opts.purgeAfterMs ?? 10 * 60_000;
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log;
  }

  /** Creates the index and starts renewing held claims. */
  async start(): Promise<void> {
    await ensureIndexes(agentClaimModel(this.conn));
    if (this.timer) return;
    this.timer = this.background.every('agent-claims.renew', this.renewMs, () => this.renewAll());
  }

  /**
   * Stops renewing and waits for writes under way. Claims still held (calls that outlived the
   * shutdown drain) are not released: their agents may still be talking; they lapse after the lease.
   */
  async stop(): Promise<void> {
    this.timer?.stop();
    this.timer = null;
    await Promise.all([...this.tails.values()]);
  }

  /** Agents this instance holds now, with the call (diagnostics and tests). */
  heldAgents(): Array<{ agentId: AgentId; callId: CallId }> {
    return [...this.held.entries()].map(([agentId, h]) => ({ agentId, callId: h.callId }));
  }

  claim(agentId: AgentId, callId: CallId): Promise<boolean> {
    let gaveUp = false;
    const op = this.serial(agentId, () => this.tryClaim(agentId, callId));
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        gaveUp = true;
        this.log.warn('agent claim timed out, agent skipped', { agentId, callId, timeoutMs: this.timeoutMs });
        resolve(false);
      }, this.timeoutMs);
      op.then(
        (ok) => {
          clearTimeout(timer);
          // Won after the ACD stopped waiting: nobody will use it.
          if (gaveUp && ok) this.release(agentId, callId);
          resolve(ok);
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (!gaveUp) this.log.warn('agent claim failed, agent skipped', { agentId, callId, err: String(err) });
          resolve(false);
        },
      );
    });
  }

  release(agentId: AgentId, callId: CallId): void {
    const h = this.held.get(agentId);
    if (!h || h.callId !== callId) return;
    this.held.delete(agentId);
    void this.serial(agentId, async () => {
      await this.claims.updateOne({ _id: h.id }, { $set: { releasedAt: new Date(this.clock()) } });
    }).catch((err: unknown) => this.log.warn('agent claim not released, it lapses with its lease', { agentId, callId, err: String(err) }));
  }

  private async tryClaim(agentId: AgentId, callId: CallId): Promise<boolean> {
    const now = this.clock();
    const latest = await this.claims.find({ agentId }).sort({ gen: -1 }).limit(1).next();
    if (latest && latest.releasedAt === null && latest.until.getTime() > now) {
      if (latest.owner !== this.owner) return false;
      const mine = this.held.get(agentId);
      if (mine && mine.id === latest._id && mine.callId === callId) return true;
      this.log.warn('stale agent claim of this instance superseded', { agentId, claim: latest._id, callId: latest.callId });
    }
    const gen = (latest?.gen ?? 0) + 1;
    const id = `offer:${agentId}:${gen}`;
    try {
      await this.claims.insertOne({
        _id: id,
        agentId,
        gen,
        callId,
        owner: this.owner,
        claimedAt: new Date(now),
        until: new Date(now + this.leaseMs),
        releasedAt: null,
      });
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
    this.held.set(agentId, { id, gen, callId });
    // Generations before this one no longer decide anything; old ones go (every tenth claim, to spare writes).
    if (gen % 10 === 0) {
      void this.claims
        .deleteMany({ agentId, gen: { $lt: gen }, claimedAt: { $lt: new Date(now - this.purgeAfterMs) } })
        .catch((err: unknown) => this.log.debug('old agent claims not purged', { agentId, err: String(err) }));
    }
    return true;
  }

  /** Extends the lease of every held claim; a claim another instance superseded meanwhile is dropped. */
  /** Renews every held claim; fails (for the task's count) when any renewal did, after trying them all. */
  private async renewAll(): Promise<void> {
    const renewals = [...this.held].map(([agentId, h]) =>
      this.serial(agentId, async () => {
        if (this.held.get(agentId)?.id !== h.id) return; // released or replaced meanwhile
        await this.claims.updateOne({ _id: h.id }, { $set: { until: new Date(this.clock() + this.leaseMs) } });
        const newer = await this.claims.findOne({ agentId, gen: { $gt: h.gen } });
        if (newer) {
          this.log.error('agent claim lost to another instance after its lease passed', { agentId, callId: h.callId, by: newer.owner });
          if (this.held.get(agentId)?.id === h.id) this.held.delete(agentId);
        }
      }).then(
        () => true,
        (err: unknown) => {
          this.log.warn('agent claim not renewed', { agentId, callId: h.callId, err: String(err) });
          return false;
        },
      ),
    );
    const failed = (await Promise.all(renewals)).filter((ok) => !ok).length;
    if (failed > 0) throw new Error(`${failed} of ${renewals.length} agent claims not renewed`);
  }

  /** Runs `task` after every earlier operation on the same agent. */
  private serial<T>(agentId: AgentId, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(agentId) ?? Promise.resolve();
    const result = prev.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(agentId, tail);
    this.background.run('agent-claims.tail', () =>
      tail.then(() => {
        if (this.tails.get(agentId) === tail) this.tails.delete(agentId);
      }),
    );
    return result;
  }
}
