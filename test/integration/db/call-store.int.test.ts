/**
 * CallStore against a real database server: writes land once, under `_id` = callId, an outage
 * spools them to disk, and they arrive exactly once when the server returns; a call is listed once
 * under its caller number; concurrent writes of one call keep the newest version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DbConnection } from '../../../src/adapters/db/connection';
import { CallStore } from '../../../src/adapters/db/call-store';
import { Spool } from '../../../src/adapters/db/spool';
import type { CallRecordDoc } from '../../../src/adapters/db/models/call-record.model';
import { MongoCallRecordReader } from '../../../src/adapters/db/repositories/call-record.repository';
import { silentLogger } from '../../../src/shared/logger';
import { startDatabase, stopDatabase, testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';

function record(callId: string, version: number, outcome: string, callerNumber = '13800000001', at = new Date('2026-11-23T02:00:00Z')): CallRecordDoc {
  return {
    callId, version, callerNumber, calledNumber: '12345', queueId: 'general', agentId: null,
    agentIds: [], outcome, endReason: null, hungUpBy: 'caller', conversationEndedBy: null, callerLost: null, wrapUp: null, confidential: false, callerName: null, unitIds: [], rating: null, recording: null,
    timeline: [{ type: 'entered', at }], attempts: [], waitMs: null, ringMs: null, talkMs: null, wrapUpMs: null,
    startedAt: at, answeredAt: null, endedAt: at, dayKey: '2026-11-23', hourKey: '2026-11-23T10', callbackRequested: false, detail: null,
  };
}

const ev = (callId: string, seq: number) => ({
  callId, seq, type: 'test', at: new Date(), dayKey: '2026-11-23', data: { n: seq },
});

describe('CallStore (real database)', () => {
  let db: DbConnection;
  let store: CallStore;
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-'));
    db = new DbConnection(testMongoUri('callstore'), silentLogger);
    await db.start();
    store = new CallStore(db, new Spool(spoolDir, 'calls'), silentLogger, 200);
    await store.start();
  });

  afterAll(async () => {
    await store.stop();
    await db.stop();
  });

  it('a replayed event and an older record version are ignored', async () => {
    await store.appendEvents([ev('c1', 1), ev('c1', 2)]);
    await store.appendEvents([ev('c1', 2), ev('c1', 3)]);
    await store.saveRecord(record('c1', 3, 'answered'));
    await store.saveRecord(record('c1', 2, 'stale'));
    expect(await store.events.countDocuments({ callId: 'c1' })).toBe(3);
    const r = await store.records.findOne({ _id: 'c1' }).lean();
    expect(r).toMatchObject({ _id: 'c1', callId: 'c1', outcome: 'answered', version: 3 });
    expect(await store.records.countDocuments({ callId: 'c1' })).toBe(1);
  });

  it('events of several calls appended together go in one insert; a duplicate among them loses nothing else', async () => {
    await store.appendEvents([ev('b1', 1)]);
    const inserts = jest.spyOn(store.events, 'insertMany');
    try {
      await Promise.all([
        store.appendEvents([ev('b1', 1), ev('b1', 2)]),
        store.appendEvents([ev('b2', 1)]),
        store.appendEvents([ev('b3', 1), ev('b3', 2), ev('b3', 3)]),
      ]);
      expect(inserts).toHaveBeenCalledTimes(1);
    } finally {
      inserts.mockRestore();
    }
    const stored = await store.events.find({ callId: { $in: ['b1', 'b2', 'b3'] } }, { callId: 1, seq: 1 }).lean();
    expect(stored.map((e) => `${e.callId}:${e.seq}`).sort()).toEqual(['b1:1', 'b1:2', 'b2:1', 'b3:1', 'b3:2', 'b3:3']);
    expect(store.pending()).toBe(false);
  });

  it('concurrent writes of one call keep the newest version; the call is listed once under its caller', async () => {
    const versions = [5, 2, 8, 1, 7, 3, 6, 4];
    await Promise.all(versions.map((v) => store.saveRecord(record('c3', v, `v${v}`, '13800000003'))));
    expect(await store.records.findOne({ _id: 'c3' }).lean()).toMatchObject({ version: 8, outcome: 'v8' });
    expect(await store.records.countDocuments({ callId: 'c3' })).toBe(1);
    expect((await store.history.read('13800000003')).map((e) => e.value.callId)).toEqual(['c3']);
    // An older version afterwards changes nothing.
    await store.saveRecord(record('c3', 6, 'stale', '13800000003'));
    expect(await store.records.findOne({ _id: 'c3' }).lean()).toMatchObject({ version: 8, outcome: 'v8' });
  });

  it('a caller\'s history comes from the caller list: earlier calls newest first, each once', async () => {
    const t = (min: number) => new Date(Date.UTC(2026, 10, 23, 2, min));
    for (const [id, min] of [['h1', 0], ['h2', 10], ['h3', 20], ['h4', 30]] as const) {
      await store.saveRecord(record(id, 1, 'answered', '13800000004', t(min)));
      await store.saveRecord(record(id, 2, 'answered', '13800000004', t(min)));
    }
    // A retried first write may list a call twice: the history shows it once.
    await store.history.append('13800000004', { callId: 'h2', startedAt: t(10).getTime() });
    const reader = new MongoCallRecordReader(db.connection);
    expect((await reader.recentByCaller('13800000004', 10, t(30).getTime())).map((c) => c.callId)).toEqual(['h3', 'h2', 'h1']);
    expect((await reader.recentByCaller('13800000004', 2)).map((c) => c.callId)).toEqual(['h4', 'h3']);
    expect(await reader.recentByCaller('13800000099', 10)).toEqual([]);
    expect(await reader.findById('h2')).toMatchObject({ callId: 'h2', callerNumber: '13800000004' });
  });

  it('a record stored before records were keyed by call id is still updated, not duplicated', async () => {
    await store.records.collection.insertOne({ ...record('legacy-1', 1, 'in-progress') } as unknown as Record<string, unknown>);
    await store.saveRecord(record('legacy-1', 4, 'answered'));
    expect(await store.records.countDocuments({ callId: 'legacy-1' })).toBe(1);
    expect(await store.records.findOne({ callId: 'legacy-1' }).lean()).toMatchObject({ version: 4, outcome: 'answered' });
  });

  it('database down → writes wait on disk → arrive once when it returns', async () => {
    stopDatabase();
    await eventually(() => !db.isUp(), 15_000);
    await store.appendEvents([ev('c2', 1), ev('c2', 2)]);
    await store.saveRecord(record('c2', 2, 'abandoned'));
    expect(store.pending()).toBe(true);
    startDatabase();
    await eventually(async () => !store.pending() && (await store.records.countDocuments({ callId: 'c2' })) === 1, 30_000, 250);
    expect(await store.records.findOne({ _id: 'c2' }).lean()).toMatchObject({ callId: 'c2', version: 2, outcome: 'abandoned' });
    expect(await store.events.countDocuments({ callId: 'c2' })).toBe(2);
    // A second replay of the same data (e.g. after a crash mid-replay) changes nothing.
    await store.appendEvents([ev('c2', 1)]);
    expect(await store.events.countDocuments({ callId: 'c2' })).toBe(2);
  });
});
