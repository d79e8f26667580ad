/**
 * The optional keypad menu (MENU_OPTIONS), over real Asterisk into the product wired as in
 * production: a key pressed during the greeting picks the queue; a caller who hangs up while the
 * menu waits for a key gets one complete record, abandoned in the menu.
 */
import { eventually } from '../../support/eventually';
import { startCall, stopAllSipp } from '../../support/sipp';
import { addAgents, completedCall, startSystem, storedEvents, type RunningSystem } from '../../support/system-harness';

describe('keypad menu', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('call_menu', { MENU_OPTIONS: '1=general' });
    // Logged in but not ready: calls that reach the queue wait there.
    await addAgents(sut, [1001], false);
  });

  afterEach(async () => {
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('caller hangs up while the menu waits for a key → abandoned in the menu, never queued', async () => {
    // The menu follows the ~9 s greeting and waits 5 s for a key.
    const call = await startCall({ callerNumber: '13600000301', hangupAfterMs: 11_500, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13600000301');
    expect(rec).toMatchObject({ outcome: 'abandoned', endReason: 'caller-hangup', hungUpBy: 'caller', agentId: null, attempts: [], waitMs: null });
    expect(rec.detail).toMatchObject({ abandon: { stage: 'menu', position: null }, menuDigit: null });
    expect(rec.detail.times.greetedAt).not.toBeNull();
    expect(rec.detail.times.queuedAt).toBeNull();
  }, 60_000);

  it('a menu key during the greeting picks the queue; the caller then hangs up in that queue', async () => {
    const call = await startCall({ callerNumber: '13600000302', dtmfDigit: 1, dtmfAfterMs: 2000, hangupAfterMs: 5000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13600000302');
    expect(rec).toMatchObject({ outcome: 'abandoned', hungUpBy: 'caller', queueId: 'general' });
    expect(rec.detail).toMatchObject({ menuDigit: '1', abandon: { stage: 'queued', position: 1 } });
    const types = await eventually(async () => (await storedEvents(sut, rec.callId)).map((e) => e.type));
    expect(types.slice(0, 5)).toEqual(['CallEntered', 'CallAnswered', 'GreetingFinished', 'MenuChoiceMade', 'CallQueued']);
  }, 60_000);
});
