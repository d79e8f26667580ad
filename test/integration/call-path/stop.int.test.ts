/**
 * The call side of stopping, and of the application being away, with real SIP (sipp through the
 * lab's Asterisk, real database):
 * - with the application down, a caller hears the maintenance message as early media (183) and gets
 *   503 (cause 34), the documented answer (docs/architecture.md) (it was 603 with cause 41);
 * - a graceful stop refuses new calls the same way while it drains, ends the calls still up at the
 *   drain limit (nothing left in Asterisk), and writes their last records before the database closes;
 * - a stop with Asterisk and the database already gone ends, each step logged with how it ended.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { asteriskCli, ensureAsterisk, stopAsterisk } from '../../support/asterisk';
import { startDatabase, stopDatabase } from '../../support/db';
import { eventually } from '../../support/eventually';
import { agentPortFor, probeInvite, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { addAgents, startSystem, type RunningSystem } from '../../support/system-harness';
import { createLogger } from '../../../src/adapters/logging/logger';
import type { Logger } from '../../../src/shared/logger';
import { shutdownBoundMs } from '../../../src/main';

const MESSAGES_LOG = path.resolve(__dirname, '../../../.lab/asterisk/log/messages.log');

/** Asterisk's warnings about the maintenance path since `offset` (a missing prompt or application is one). */
function promptWarnings(offset: number): string[] {
  const text = fs.readFileSync(MESSAGES_LOG, 'utf8').slice(offset);
  return text.split('\n').filter((l) => /WARNING|ERROR/.test(l) && /hotline\/maintenance|app-failed|Playback/.test(l));
}

/** A logger that keeps every line (message and fields) in memory. */
function recordingLogger(lines: Array<Record<string, unknown>>): Logger {
  const base = createLogger({ level: 'error' });
  const make = (fields: Record<string, unknown>): Logger => {
    const keep = (level: string) => (message: string, more?: Record<string, unknown>) => {
      lines.push({ level, message, ...fields, ...(more ?? {}) });
    };
    return { ...base, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error'), child: (f) => make({ ...fields, ...f }) } as Logger;
  };
  return make({});
}

describe('stopping and being away: what callers and records get', () => {
  afterEach(async () => {
    await stopAllSipp();
  });

  it('with the application down a caller hears the maintenance message (183) and gets 503', async () => {
    await ensureAsterisk();
    const offset = fs.statSync(MESSAGES_LOG).size;
    const r = await probeInvite({ fromIp: '127.0.0.1', fromUser: '13700000401', assertedIdentity: '13700000401', timeoutMs: 30_000 });
    expect(r.responses).toContain(183);
    expect(r.responses[r.responses.length - 1]).toBe(503);
    expect(r.responses).not.toContain(200);
    expect(promptWarnings(offset)).toEqual([]);
  }, 60_000);

  it('a graceful stop refuses new calls while it drains, ends the calls still up at the limit and writes their records before the database closes', async () => {
    const sut: RunningSystem = await startSystem('stop_drain', { WRAPUP_MS: '1000' });
    const uri = sut.config.mongodb.uri;
    await addAgents(sut, [1001]);
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500 });
    try {
      const first = await startCall({ callerNumber: '13700000402', timeoutMs: 90_000 });
      const session = await eventually(
        () => sut.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === '13700000402' && s.snapshot().type === 'talking'),
        30_000,
      );
      const stopped = sut.stop(4000);
      // During the drain a new call is handed back to the dialplan: maintenance message, 503.
      const refused = await probeInvite({ fromIp: '127.0.0.1', fromUser: '13700000403', assertedIdentity: '13700000403', timeoutMs: 30_000 });
      expect(refused.responses).toContain(183);
      expect(refused.responses[refused.responses.length - 1]).toBe(503);
      await stopped;
      // The first call was ended by the stop: the caller got a BYE, Asterisk has nothing left.
      expect((await first.result).success).toBe(true);
      expect((await asteriskCli('core show channels concise')).trim()).toBe('');

      // Its record reached the database before the stop closed it: complete, ended by the system.
      const conn = await mongoose.createConnection(uri).asPromise();
      try {
        const calls = conn.collection('calls');
        const rec = await calls.findOne({ callId: session.callId });
        expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', hungUpBy: 'system', conversationEndedBy: 'system' });
        expect(rec?.['endedAt']).not.toBeNull();
        // The refused call never entered the application.
        expect(await calls.countDocuments({ callerNumber: '13700000403' })).toBe(0);
      } finally {
        await conn.close();
      }
      expect(fs.readdirSync(sut.spoolDir).filter((f) => fs.statSync(path.join(sut.spoolDir, f)).size > 0)).toEqual([]);
    } finally {
      await phone.stop();
    }
  }, 120_000);

  it('a stop with Asterisk and the database already stopped ends, each step logged with how it ended', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sut = await startSystem('stop_gone', {}, { log: recordingLogger(lines) });
    try {
      await stopAsterisk();
      stopDatabase();
      await sut.stop(1000);
      const ended = lines.filter((l) => l.message === 'stop step ended').map((l) => [l.step, l.outcome]);
      expect(ended.map(([step]) => step)).toEqual([
        'drain calls', 'end calls still up', 'work orders', 'survey asterisk connection', 'callback calls', 'callback asterisk connection', 'asterisk connection',
        'agent claims', 'sockets', 'directory feed', 'http', 'agent states', 'call store', 'database',
      ]);
      // The bound on a whole stop counts every step after the drain (shutdownBoundMs).
      expect(ended.length - 1).toBe((shutdownBoundMs(sut.config) - sut.config.shutdown.drainMs) / sut.config.shutdown.stepMs);
      for (const [, outcome] of ended) expect(['done', 'failed', 'timed-out']).toContain(outcome);
      expect(lines.filter((l) => l.message === 'stop step')).toHaveLength(ended.length);
      expect(lines[lines.length - 1]?.message).toBe('stopped');
    } finally {
      startDatabase();
      await ensureAsterisk();
    }
  }, 120_000);
});
