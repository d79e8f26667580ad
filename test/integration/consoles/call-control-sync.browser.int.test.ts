/**
 * 通话控制 follows the call, not the tab that pressed the button: in Chromium over a real call (sipp
 * caller through the lab's Asterisk, sipp agent phone, sipp as the unit behind the trunk, the
 * supervisor's own sipp phone), two consoles of the same agent show the same state. A hold made in
 * one shows in the other; a console reloaded (and signed in again) during the call shows the call on
 * hold; a supervisor's resume and 监听 show in both; the unit hanging up during a consultation gives
 * the caller back, and both show it.
 */
import type { Page } from 'playwright-core';
import { asAgentId } from '../../../src/shared/ids';
import { launchChromium, openPage, seriousAxeViolations, signIn, signInReady, type ConsolePage, type RunningBrowser } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { callControl, login, sessionIn } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, startEmergencyLine, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { completedCall, consoleStaff, startSystem, type RunningSystem } from '../../support/system-harness';

const CALLER = '13955557777';

async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(
    async () => {
      const t = await page.getByTestId(testId).innerText().catch(() => '');
      return pred(t) ? t : null;
    },
    timeoutMs,
    100,
    () => testId,
  );
}

/** Both consoles' phase line: `held` (a prefix: it says what the caller hears) or exactly `talking`. */
const bothShow = (pages: Page[], phase: 'held' | 'talking') =>
  Promise.all(pages.map((p) => waitText(p, 'call-phase', (t) => (phase === 'held' ? t.startsWith('保持中') : t === '通话中'))));

describe('通话控制 follows the call on every console of the agent', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  const pages: ConsolePage[] = [];
  const phones: AgentPhone[] = [];

  beforeAll(async () => {
    sut = await startSystem('call_control_sync', { WRAPUP_MS: '2000', EMERGENCY_RING_SECONDS: '10' });
    await consoleStaff(sut, { supervisorSeat: true });
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('a hold in one tab, a reload, a supervisor\'s resume and 监听, the unit leaving a consultation: both consoles follow', async () => {
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 300 }));
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000);
    const a = await openPage(chrome.browser, sut.baseUrl);
    pages.push(a);
    await signInReady(a.page, 'agent1001', 'agent-password-1');

    // The unit answers the consultation, then hangs up on its own after 3 s.
    const unit = await startEmergencyLine({ mode: 'answer', expectNumber: '12319', expectCaller: CALLER, answerAfterMs: 300, hangupAfterMs: 3000 });
    phones.push(unit);
    const call = await startCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 120_000 });
    await waitText(a.page, 'pop-number', (t) => t === CALLER, 40_000);
    const session = await sessionIn(sut, CALLER, 'talking', 30_000);
    await waitText(a.page, 'call-phase', (t) => t === '通话中');

    // A second console of the same agent, opened during the call, shows it.
    const b = await openPage(chrome.browser, sut.baseUrl);
    pages.push(b);
    await signIn(b.page, 'agent1001', 'agent-password-1');
    await waitText(b.page, 'pop-number', (t) => t === CALLER, 20_000);
    await waitText(b.page, 'call-phase', (t) => t === '通话中');

    // 保持 in the first: the second follows, and offers 恢复通话.
    await a.page.getByTestId('call-controls').getByRole('button', { name: '保持' }).click();
    await sessionIn(sut, CALLER, 'held', 10_000);
    await bothShow([a.page, b.page], 'held');
    await b.page.getByTestId('call-controls').getByRole('button', { name: '恢复通话' }).waitFor();
    const violations = await seriousAxeViolations(b.page);
    expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);

    // The second reloaded (which signs out) and signed in again: the call, still on hold.
    await b.page.reload();
    await signIn(b.page, 'agent1001', 'agent-password-1');
    await waitText(b.page, 'pop-number', (t) => t === CALLER, 20_000);
    await waitText(b.page, 'call-phase', (t) => t.startsWith('保持中'));

    // The supervisor resumes the call over REST: both consoles are back on the line.
    const bossToken = await login(sut, 'boss', 'supervisor-password');
    expect((await callControl(sut, bossToken, session.callId, 'resume')).status).toBe(202);
    await bothShow([a.page, b.page], 'talking');
    await a.page.getByTestId('call-controls').getByRole('button', { name: '保持' }).waitFor();
    expect(await a.page.getByTestId('call-controls').getByRole('button', { name: '保持' }).isEnabled()).toBe(true);

    // 监听: the agent sees the supervisor listening, and no longer once it ends.
    expect((await callControl(sut, bossToken, session.callId, 'monitor', { mode: 'listen' })).status).toBe(202);
    await Promise.all([a.page, b.page].map((p) => waitText(p, 'monitor-indicator', (t) => t.includes('班长监听中'), 20_000)));
    expect((await callControl(sut, bossToken, session.callId, 'monitor', undefined, 'DELETE')).status).toBe(202);
    await eventually(async () => ((await a.page.getByTestId('monitor-indicator').count()) === 0 ? true : null), 10_000);

    // 咨询转接 from the second: the first follows the consultation; the unit hangs up, the caller is back.
    const controlsB = b.page.getByTestId('call-controls');
    await controlsB.getByLabel('承办单位号码').fill('12319');
    await controlsB.getByText('咨询转接').click();
    await controlsB.getByRole('button', { name: '转接单位' }).click();
    await waitText(a.page, 'call-phase', (t) => t.includes('咨询转接'), 20_000);
    await waitText(a.page, 'call-phase', (t) => t.includes('与承办单位 12319 通话中'), 20_000);
    expect((await unit.exited).success).toBe(true);
    await bothShow([a.page, b.page], 'talking');
    expect(session.snapshot().type).toBe('talking');

    // The agent hangs up: both consoles show the call ended.
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    await sut.ari.current().channels.hangup({ channelId: agentLeg });
    await Promise.all([a.page, b.page].map((p) => waitText(p, 'call-timer', () => true).then(() => p.getByText('已挂机').first().waitFor({ timeout: 20_000 }))));
    const rec = await completedCall(sut, CALLER, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ transfers: [{ kind: 'consult', number: '12319', backTo: 'agent' }], monitors: [{ mode: 'listen' }] });
    // The agent's hold, and the consultation's.
    expect(rec.detail.holds).toHaveLength(2);
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });
});
