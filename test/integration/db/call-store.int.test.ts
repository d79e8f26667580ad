/**
 * CallStore against a real database server: writes land once, an outage spools them to disk,
 * and they arrive exactly once when the server returns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DbConnection } from '../../../src/adapters/db/connection';
import { CallStore } from '../../../src/adapters/db/call-store';
import { Spool } from '../../../src/adapters/db/spool';
import type { CallRecordDoc } from '../../../src/adapters/db/models/call-record.model';
import { silentLogger } from '../../../src/shared/logger';
import { startDatabase, stopDatabase, testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';

function record(callId: string, version: number, outcome: string): CallRecordDoc {
  const at = new Date('2026-11-23T02:00:00Z');
  return {
    callId, version, callerNumber: '13800000001', calledNumber: '12345', queueId: 'general', agentId: null,
    agentIds: [], outcome, endReason: null, hungUpBy: 'caller', confidential: false, callerName: null, unitIds: [], rating: null, recording: null,
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
    const r = await store.records.findOne({ callId: 'c1' }).lean();
    expect(r?.outcome).toBe('answered');
    expect(r?.version).toBe(3);
  });

  it('database down → writes wait on disk → arrive once when it returns', async () => {
    stopDatabase();
    await eventually(() => !db.isUp(), 15_000);
    await store.appendEvents([ev('c2', 1), ev('c2', 2)]);
    await store.saveRecord(record('c2', 2, 'abandoned'));
    expect(store.pending()).toBe(true);
    startDatabase();
    await eventually(async () => !store.pending() && (await store.records.countDocuments({ callId: 'c2' })) === 1, 30_000, 250);
    expect(await store.events.countDocuments({ callId: 'c2' })).toBe(2);
    // A second replay of the same data (e.g. after a crash mid-replay) changes nothing.
    await store.appendEvents([ev('c2', 1)]);
    expect(await store.events.countDocuments({ callId: 'c2' })).toBe(2);
  });
});
