/**
 * 通话控制 on the agent console in Chromium, over a real call (sipp caller through the lab's Asterisk,
 * sipp agent phone, sipp as the 110 line behind the trunk): 保持 puts the caller on hold and 恢复通话
 * takes it back; on 班长监控 the supervisor's 监听 rings the supervisor's own phone, which then hears the
 * call, and 结束 ends it; the one-key 110 transfer asks for a confirmation, then hands the caller to
 * the line. Both pages with the controls have no serious or critical axe-core violation.
 */
import { asAgentId } from '../../../src/shared/ids';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, signInReady, type ConsolePage, type RunningBrowser, waitText } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { sessionIn } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, startEmergencyLine, stopAllSipp } from '../../support/sipp';
import { completedCall, consoleStaff, startSystem, type RunningSystem } from '../../support/system-harness';

const CALLER = '13955556666';

describe('通话控制 on the agent console with a real call', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  let agent: ConsolePage;
  let boss: ConsolePage;

  beforeAll(async () => {
    sut = await startSystem('call_controls_ui', { WRAPUP_MS: '2000', EMERGENCY_RING_SECONDS: '10' });
    // The supervisor on a seat of the call's queue: their own phone.
    await consoleStaff(sut, { supervisorSeat: true });
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('保持 / 恢复通话, 监听 from 班长监控, then 110 after a confirmation; accessible', async () => {
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000);
    agent = await openPage(chrome.browser, sut.baseUrl);
    await signInReady(agent.page, 'agent1001', 'agent-password-1');
    const line = await startEmergencyLine({ mode: 'answer', expectNumber: '110', expectCaller: CALLER, answerAfterMs: 300, hangupAfterMs: 4000 });
    const call = await startCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 90_000 });
    await waitText(agent.page, 'pop-number', (t) => t === CALLER, 40_000);
    const session = await sessionIn(sut, CALLER, 'talking', 30_000);
    const controls = agent.page.getByTestId('call-controls');
    await controls.waitFor();
    const violations = await seriousAxeViolations(agent.page);
    expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);

    await controls.getByRole('button', { name: '保持' }).click();
    await sessionIn(sut, CALLER, 'held', 10_000);
    await waitText(agent.page, 'call-control-notice', (t) => t.includes('已保持'));
    await screenshots(agent.page, 'agent-console-call-held');
    await controls.getByRole('button', { name: '恢复通话' }).click();
    await sessionIn(sut, CALLER, 'talking', 10_000);

    // 班长监控: 监听 on the agent's row rings the supervisor's phone, which then hears the call.
    const seatPhone = await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 300 });
    boss = await openPage(chrome.browser, sut.baseUrl);
    await signIn(boss.page, 'boss', 'supervisor-password');
    await waitText(boss.page, 'connection', (t) => t.includes('已连接'));
    const listen = boss.page.getByRole('button', { name: /^监听 / });
    await listen.waitFor({ timeout: 20_000 });
    const bossViolations = await seriousAxeViolations(boss.page);
    expect(bossViolations.map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);
    await listen.click();
    await eventually(() => (session.snapshot().core.monitor?.joinedAt ? true : null), 20_000, 100);
    expect(session.snapshot().core.monitor).toMatchObject({ mode: 'listen', userId: expect.any(String) });
    await boss.page.getByRole('button', { name: '结束' }).click();
    await eventually(() => (session.snapshot().core.monitor === null ? true : null), 20_000, 100);
    await seatPhone.stop();

    // One key, then a confirmation: nothing is dialled before it.
    await controls.getByRole('button', { name: '110' }).click();
    await agent.page.getByText('确认将来电一键转接至 110 报警？').waitFor();
    expect(session.snapshot().core.transfers).toBe(0);
    await agent.page.getByRole('button', { name: '确认转接' }).click();
    await sessionIn(sut, CALLER, 'transferred', 20_000);
    expect((await line.exited).success).toBe(true);
    const rec = await completedCall(sut, CALLER, 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ emergencyTransferredTo: '110', holds: [expect.objectContaining({ endedAt: expect.any(Number) })], monitors: [{ mode: 'listen' }] });
    await phone.stop();
    expect(agent.problems).toEqual([]);
    expect(boss.problems).toEqual([]);
  });
});
