/**
 * Agent claims against the real database server (FerretDB v1 in the lab, whose conditional updates
 * are not atomic under concurrency; the claim relies only on a unique insert). Instances are separate
 * connections with their own owner id, as separate app instances are; one race runs in a second
 * process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Collection } from 'mongoose';
import { DbConnection } from '../../../src/adapters/db/connection';
import { agentClaimModel, type AgentClaimDoc } from '../../../src/adapters/db/models/agent-claim.model';
import { MongoAgentClaims, type MongoAgentClaimsOptions } from '../../../src/adapters/db/repositories/agent-claim.repository';
import { asAgentId, asCallId } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';

const ROOT = path.resolve(__dirname, '../../..');
const uri = testMongoUri('agent_claims');
const opened: Array<{ db: DbConnection; claims: MongoAgentClaims }> = [];

async function instance(opts: Partial<MongoAgentClaimsOptions> = {}): Promise<MongoAgentClaims> {
  const db = new DbConnection(uri, silentLogger);
  await db.start(200, 20_000);
  const claims = new MongoAgentClaims(db.connection, { log: silentLogger, ...opts });
  await claims.start();
  opened.push({ db, claims });
  return claims;
}

let docs: Collection<AgentClaimDoc>;

beforeAll(async () => {
  const a = await instance();
  docs = agentClaimModel(opened[0]!.db.connection).collection as unknown as Collection<AgentClaimDoc>;
  expect(a.owner).toBeTruthy();
});

afterAll(async () => {
  for (const { db, claims } of opened) {
    await claims.stop();
    await db.stop();
  }
});

const agent = (s: string) => asAgentId(s);
const call = (s: string) => asCallId(s);

describe('agent claims in the database', () => {
  it('two instances race for one agent, 30 rounds: exactly one wins each round; its release lets the next round in', async () => {
    const a = await instance();
    const b = await instance();
    const wins = { a: 0, b: 0 };
    for (let round = 0; round < 30; round += 1) {
      const [okA, okB] = await Promise.all([a.claim(agent('race-1'), call(`a-${round}`)), b.claim(agent('race-1'), call(`b-${round}`))]);
      expect([okA, okB].filter(Boolean)).toHaveLength(1);
      if (okA) {
        wins.a += 1;
        a.release(agent('race-1'), call(`a-${round}`));
      } else {
        wins.b += 1;
        b.release(agent('race-1'), call(`b-${round}`));
      }
    }
    expect(wins.a + wins.b).toBe(30);
    const stored = await docs.find({ agentId: 'race-1' }).sort({ gen: 1 }).toArray();
    expect(stored.map((d) => d.gen)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Every claim but possibly the last was released by its owner; the last is released too.
    await eventually(async () => (await docs.countDocuments({ agentId: 'race-1', releasedAt: null })) === 0, 5_000);
  });

  it('40 agents claimed by three instances at once: each agent has exactly one holder', async () => {
    const xs = [await instance(), await instance(), await instance()];
    const agents = Array.from({ length: 40 }, (_, i) => agent(`many-${i}`));
    const results = await Promise.all(xs.map((x, n) => Promise.all(agents.map((id) => x.claim(id, call(`x${n}-${id}`))))));
    for (let i = 0; i < agents.length; i += 1) {
      expect(results.map((r) => r[i]).filter(Boolean)).toHaveLength(1);
    }
    const held = xs.flatMap((x) => x.heldAgents().map((h) => h.agentId)).sort();
    expect(held).toEqual([...agents].sort());
    const stored = await docs.find({ agentId: { $in: agents } }).toArray();
    expect(stored).toHaveLength(40);
    expect(new Set(stored.map((d) => d.gen))).toEqual(new Set([1]));
  });

  it('a held agent is refused to the other instance until released; the holder asking again for the same call is granted', async () => {
    const a = await instance();
    const b = await instance();
    expect(await a.claim(agent('held-1'), call('c1'))).toBe(true);
    expect(await b.claim(agent('held-1'), call('c2'))).toBe(false);
    expect(await a.claim(agent('held-1'), call('c1'))).toBe(true);
    expect(await b.claim(agent('held-1'), call('c2'))).toBe(false);
    a.release(agent('held-1'), call('c1'));
    // The release is written before the same instance's next claim of that agent, and at once for others.
    await eventually(async () => (await docs.findOne({ _id: 'offer:held-1:1' }))?.releasedAt ?? null, 5_000);
    expect(await b.claim(agent('held-1'), call('c2'))).toBe(true);
    expect(await a.claim(agent('held-1'), call('c3'))).toBe(false);
  });

  it('release then claim on the same instance: the release is written first (no refusal of its own agent)', async () => {
    const a = await instance();
    for (let i = 0; i < 10; i += 1) {
      expect(await a.claim(agent('own-1'), call(`c${i}`))).toBe(true);
      a.release(agent('own-1'), call(`c${i}`));
    }
  });

  it('an instance that dies without releasing: its claim lapses after the lease, then another instance gets the agent', async () => {
    const a = await instance({ leaseMs: 1500 });
    const b = await instance({ leaseMs: 1500 });
    expect(await a.claim(agent('dies-1'), call('c1'))).toBe(true);
    await a.stop(); // no more renewals, nothing released: as if the process had died
    expect(await b.claim(agent('dies-1'), call('c2'))).toBe(false);
    const dead = await docs.findOne({ agentId: 'dies-1', callId: 'c1' });
    expect(dead?.releasedAt).toBeNull();
    await eventually(() => b.claim(agent('dies-1'), call('c2')), 10_000, 100);
    // b got the agent only once the dead claim's stored lease had run out.
    const taken = await docs.findOne({ agentId: 'dies-1', callId: 'c2' });
    expect(taken?.gen).toBe((dead?.gen ?? 0) + 1);
    expect(taken?.claimedAt.getTime()).toBeGreaterThanOrEqual(dead?.until.getTime() ?? Infinity);
  });

  it('a held claim is renewed: it outlives several lease periods', async () => {
    const a = await instance({ leaseMs: 800, renewMs: 150 });
    const b = await instance({ leaseMs: 800 });
    expect(await a.claim(agent('renew-1'), call('c1'))).toBe(true);
    for (let i = 0; i < 5; i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      expect(await b.claim(agent('renew-1'), call('c2'))).toBe(false);
    }
  });

  it("a live claim of this instance's own that it no longer holds (release not written, restart) is superseded by its next claim", async () => {
    const before = await instance({ owner: 'instance-x' });
    expect(await before.claim(agent('stale-1'), call('c1'))).toBe(true);
    await before.stop();
    const after = await instance({ owner: 'instance-x' });
    const other = await instance();
    expect(await other.claim(agent('stale-1'), call('c9'))).toBe(false);
    expect(await after.claim(agent('stale-1'), call('c2'))).toBe(true);
    const latest = await docs.find({ agentId: 'stale-1' }).sort({ gen: -1 }).limit(1).next();
    expect(latest).toMatchObject({ gen: 2, callId: 'c2', owner: 'instance-x', releasedAt: null });
  });

  it('two processes race on 60 agents at agreed moments: one winner per agent', async () => {
    const a = await instance();
    const rounds = 60;
    const periodMs = 40;
    const startAt = Date.now() + 4_000; // the other process needs a moment to start
    const other = new Promise<{ owner: string; won: number[] }>((resolve, reject) => {
      execFile(
        path.join(ROOT, 'node_modules/.bin/tsx'),
        [path.join(ROOT, 'test/support/agent-claim-racer.ts'), uri, String(startAt), String(rounds), String(periodMs), 'proc'],
        { cwd: ROOT, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim()) as { owner: string; won: number[] })),
      );
    });
    const mine: number[] = [];
    const tries: Promise<void>[] = [];
    for (let i = 0; i < rounds; i += 1) {
      await new Promise((r) => setTimeout(r, Math.max(0, startAt + i * periodMs - Date.now())));
      tries.push(
        a.claim(agent(`proc-${i}`), call(`here-${i}`)).then((ok) => {
          if (ok) mine.push(i);
        }),
      );
    }
    await Promise.all(tries);
    const theirs = await other;
    const all = [...mine, ...theirs.won].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: rounds }, (_, i) => i));
    const stored = await docs.find({ agentId: { $regex: '^proc-' } }).toArray();
    expect(stored).toHaveLength(rounds);
    for (const d of stored) expect(d.owner).toBe(theirs.won.includes(Number(d.agentId.slice(5))) ? theirs.owner : a.owner);
  });
});
