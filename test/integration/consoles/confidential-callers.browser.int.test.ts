/**
 * 保密 without a work order, in Chromium over real calls (sipp caller through the lab's Asterisk, sipp
 * agent phone, the product as main.ts wires it): the caller asks for confidentiality on the call, the
 * agent marks it from the screen pop (标记保密, confirmed); the call is masked for the supervisor at once
 * and the record marked. On 保密来电人 the supervisor sees the caller masked with the mark's record
 * (who, why), withdraws it with a reason, and marks another number; a form without a reason is refused
 * in Chinese. After the withdrawal the caller's next call rings the agent in clear. Both pages have no
 * serious or critical axe-core violation.
 */
import Ari, { type Client as AriClient } from 'ari-client';
import { asAgentId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, signInReady, type ConsolePage, type RunningBrowser, waitText } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { login, sessionIn } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { completedCall, consoleStaff, startSystem, type RunningSystem } from '../../support/system-harness';

const CALLER = '13977778888';
const MASKED = '139****8888';
const OTHER = '13611112222';

/** The call as the supervisor reads it over REST. */
async function seenBySupervisor(sut: RunningSystem, token: string, callId: string): Promise<{ callerNumber: string; masked: boolean }> {
  const res = await fetch(`${sut.baseUrl}/api/calls/${encodeURIComponent(callId)}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const b = (await res.json()) as { callerNumber: string; masked: boolean };
  return { callerNumber: b.callerNumber, masked: b.masked };
}

describe('保密 marked from the agent console and withdrawn on 保密来电人', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  let ari: AriClient;
  let agent: ConsolePage;
  let boss: ConsolePage;

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    sut = await startSystem('confidential_ui', { WRAPUP_MS: '1000' });
    await consoleStaff(sut);
    ari = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('the agent marks the caller during the call; the supervisor reads and withdraws the mark; the next call is in clear', async () => {
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000);
    agent = await openPage(chrome.browser, sut.baseUrl);
    await signInReady(agent.page, 'agent1001', 'agent-password-1');

    // The call: shown in clear, no 保密 yet.
    const call = await startCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 90_000 });
    await waitText(agent.page, 'pop-number', (t) => t === CALLER, 40_000);
    const session = await sessionIn(sut, CALLER, 'talking', 30_000);
    const bossToken = await login(sut, 'boss', 'supervisor-password');
    // The call path stores the record when the agent answers.
    await eventually(async () => (await sut.callStore.records.findOne({ _id: session.callId, agentId: 'agent-1001' }).lean()) ?? null, 10_000);
    expect(await seenBySupervisor(sut, bossToken, session.callId)).toEqual({ callerNumber: CALLER, masked: false });
    expect(await agent.page.getByTestId('pop-confidential').count()).toBe(0);
    expect((await seriousAxeViolations(agent.page)).map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);

    // The caller asks for 保密: the agent marks, after a confirmation.
    await agent.page.getByTestId('mark-confidential').click();
    await agent.page.getByText('来电人要求保密？').waitFor();
    expect(await sut.db.connection.collection('confidential_callers').countDocuments({})).toBe(0);
    await agent.page.getByRole('button', { name: '确认标记' }).click();
    await agent.page.getByTestId('pop-confidential').waitFor();
    // The agent handles the call: the number stays in clear for them; the supervisor no longer sees it.
    expect(await agent.page.getByTestId('pop-number').innerText()).toBe(CALLER);
    expect(await seenBySupervisor(sut, bossToken, session.callId)).toEqual({ callerNumber: MASKED, masked: true });
    expect(await agent.page.getByRole('checkbox', { name: /保密/ }).isChecked()).toBe(true);
    await screenshots(agent.page, 'agent-console-confidential-marked');
    await ari.channels.hangup({ channelId: session.liveAgentLeg()?.channelId ?? '' });
    const first = await completedCall(sut, CALLER, 30_000);
    expect(first.confidential).toBe(true);
    expect((await call.result).success).toBe(true);

    // 保密来电人: the caller masked, the record of the mark, a withdrawal with its reason.
    boss = await openPage(chrome.browser, sut.baseUrl);
    await signIn(boss.page, 'boss', 'supervisor-password');
    await boss.page.getByRole('link', { name: '保密来电人' }).click();
    const table = boss.page.getByTestId('confidential-callers');
    await waitText(boss.page, 'confidential-callers', (t) => t.includes(MASKED));
    expect(await table.innerText()).not.toContain(CALLER);
    expect(await table.innerText()).toContain('通话中标记');
    await table.getByRole('button', { name: /展开行|Expand row/ }).first().click();
    const auditText = await eventually(async () => {
      const t = await boss.page.locator('[data-testid^="audit-"]').innerText().catch(() => '');
      return t.includes('标记保密') ? t : null;
    }, 20_000, 100);
    expect(auditText).toContain('话务员');
    expect(auditText).toContain('来电人在通话中要求保密');
    expect((await seriousAxeViolations(boss.page)).map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);
    await screenshots(boss.page, 'confidential-callers');

    await table.getByRole('button', { name: '撤销保密' }).click();
    const dialog = boss.page.getByRole('dialog');
    await dialog.getByRole('button', { name: '确认撤销' }).click();
    await dialog.getByText('请填写撤销原因').waitFor();
    await dialog.getByLabel('撤销原因').fill('来电人来电撤回保密要求');
    await dialog.getByRole('button', { name: '确认撤销' }).click();
    await waitText(boss.page, 'confidential-done', (t) => t.includes('已撤销'));
    const marks = await sut.db.connection.collection('confidential_callers').find({}).toArray();
    expect(marks.map((m) => [m['_id'], m['active'], m['withdrawReason']])).toEqual([[CALLER, false, '来电人来电撤回保密要求']]);

    // A number marked by hand: the reason is required, in Chinese; then marked.
    await boss.page.getByLabel('来电号码', { exact: true }).fill(OTHER);
    await boss.page.getByRole('button', { name: '标记保密' }).click();
    await boss.page.getByText('请填写原因').waitFor();
    await boss.page.getByLabel('原因', { exact: true }).fill('来电人来信要求保密');
    await boss.page.getByRole('button', { name: '标记保密' }).click();
    await waitText(boss.page, 'confidential-done', (t) => t.includes('136****2222'));
    await waitText(boss.page, 'confidential-callers', (t) => t.includes('136****2222'));
    expect((await seriousAxeViolations(boss.page)).map((v) => `${v.id} (${v.impact}): ${v.help}`)).toEqual([]);

    // Withdrawn: the caller's next call rings the agent in clear; the first call stays masked.
    await waitText(agent.page, 'agent-state', (t) => t.includes('就绪'), 20_000);
    const again = await startCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 90_000 });
    const second = await sessionIn(sut, CALLER, 'talking', 40_000);
    expect(second.callId).not.toBe(first.callId);
    // The pop now shows the new call (the first one stays on screen until another is answered).
    await waitText(agent.page, 'agent-state', (t) => t.includes('通话中'), 20_000);
    await waitText(agent.page, 'call-timer', (t) => t !== '', 20_000);
    await eventually(async () => ((await agent.page.getByTestId('pop-confidential').count()) === 0 ? true : null), 10_000, 100);
    expect(await agent.page.getByTestId('pop-number').innerText()).toBe(CALLER);
    expect(await agent.page.getByTestId('mark-confidential').count()).toBe(1);
    await eventually(async () => (await sut.callStore.records.findOne({ _id: second.callId, agentId: 'agent-1001' }).lean()) ?? null, 10_000);
    expect(await seenBySupervisor(sut, bossToken, second.callId)).toEqual({ callerNumber: CALLER, masked: false });
    expect(await seenBySupervisor(sut, bossToken, first.callId)).toEqual({ callerNumber: MASKED, masked: true });
    await ari.channels.hangup({ channelId: second.liveAgentLeg()?.channelId ?? '' });
    expect((await again.result).success).toBe(true);
    await phone.stop();
    expect(agent.problems).toEqual([]);
    expect(boss.problems).toEqual([]);
  }, 240_000);
});
