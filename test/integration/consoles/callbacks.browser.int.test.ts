/**
 * 回拨 in Chromium over real SIP (the lab's Asterisk; the agent's phone and the citizen behind the
 * trunk are sipp): on 回拨管理 the supervisor sees the requests callers left on overflow (a
 * confidential case's number masked), filters them and assigns one to an agent; on the agent
 * console 我的回拨 shows it, 回拨 puts the ready agent on 示忙（回拨） and places it (the agent's
 * phone first, then the citizen), the outcome shows when the citizen hangs up, the supervisor's list
 * shows it too, and 结单 closes it. Both pages have no serious or critical axe-core violation.
 */
import type { Page } from 'playwright-core';
import { asAgentId } from '../../../src/shared/ids';
import { callbackRequestModel } from '../../../src/adapters/db/models/callback-request.model';
import { callRecordModel } from '../../../src/adapters/db/models/call-record.model';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, signInReady, type ConsolePage, type RunningBrowser } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCitizenPhone, stopAllSipp } from '../../support/sipp';
import { consoleStaff, startSystem, type RunningSystem } from '../../support/system-harness';

const CITIZEN = '13987651234';
const SECRET = '13912345678';

async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const t = await page.getByTestId(testId).first().innerText().catch(() => '');
    return pred(t) ? t : null;
  }, timeoutMs, 100);
}

async function noSeriousViolations(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} ${JSON.stringify(v.nodes.slice(0, 3))}`)).toEqual([]);
}

describe('回拨: assigned on 回拨管理, placed from the agent console on a real call', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  let boss: ConsolePage;
  let agent: ConsolePage;
  let requestId = '';

  /** A request as the call path stores it on overflow. */
  async function request(callId: string, callerNumber: string, minutesAgo: number): Promise<string> {
    const requestedAt = new Date(Date.now() - minutesAgo * 60_000);
    const d = await callbackRequestModel(sut.db.connection).create({ callId, callerNumber, calledNumber: '12345', queueId: 'general', requestedAt, dayKey: requestedAt.toISOString().slice(0, 10) });
    return String(d._id);
  }

  beforeAll(async () => {
    sut = await startSystem('callbacks_ui', { CALLBACK_RING_SECONDS: '15' });
    await consoleStaff(sut);
    requestId = await request(`overflow-ui-1-${process.pid}`, CITIZEN, 30);
    // A confidential case's request: a confidential order was made from its inbound call.
    const secretCall = `overflow-ui-2-${process.pid}`;
    await request(secretCall, SECRET, 20);
    await callRecordModel(sut.db.connection).collection.updateOne({ _id: secretCall } as never, { $set: { confidential: true } }, { upsert: true });
    await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000, 200);
    chrome = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('the supervisor sees the requests (the confidential one masked), filters them and assigns one to the agent', async () => {
    boss = await openPage(chrome.browser, `${sut.baseUrl}/#/callbacks`);
    await signIn(boss.page, 'boss', 'supervisor-password');
    const table = boss.page.getByTestId('callback-table');
    await waitText(boss.page, 'callback-table', (t) => t.includes(CITIZEN) && t.includes('139****5678'));
    const text = await table.innerText();
    expect(text).not.toContain(SECRET);
    expect(text).toContain('保密');
    expect(text).toContain('待分配');
    await noSeriousViolations(boss.page);
    await screenshots(boss.page, 'callbacks-supervisor');

    const row = table.locator('tr', { hasText: CITIZEN });
    await row.getByLabel('坐席').selectOption('agent-1001');
    await row.getByRole('button', { name: '分配' }).click();
    // The row now says 已分配 and the button 改派 (the agent's name is also among the select's options).
    await eventually(async () => ((await row.innerText()).includes('已分配') ? true : null), 15_000, 100);
    expect(await row.getByRole('button', { name: '改派' }).count()).toBe(1);
    const stored = await callbackRequestModel(sut.db.connection).findById(requestId).lean();
    expect(stored).toMatchObject({ status: 'assigned', assignedAgentId: 'agent-1001' });

    // Filtered by state: only the assigned one.
    await boss.page.getByLabel('状态').selectOption('assigned');
    await waitText(boss.page, 'callback-table', (t) => t.includes(CITIZEN) && !t.includes('139****5678'));
  }, 60_000);

  it('the agent sees it in 我的回拨, places it on a real call while 示忙, and the outcome shows', async () => {
    agent = await openPage(chrome.browser, sut.baseUrl);
    await signInReady(agent.page, 'agent1001', 'agent-password-1');

    await agent.page.getByTestId('my-callbacks-button').click();
    const drawer = agent.page.getByTestId('my-callbacks');
    await waitText(agent.page, 'my-callbacks', (t) => t.includes(CITIZEN));
    // Not the confidential request: it was never assigned to this agent.
    expect(await drawer.innerText()).not.toContain('139****5678');
    await noSeriousViolations(agent.page);

    const citizen = await startCitizenPhone({ mode: 'answer', answerAfterMs: 500, hangupAfterMs: 3000, maxCalls: 1 });
    await drawer.getByRole('button', { name: '回拨', exact: true }).click();
    // The ready agent went on 示忙 first, so no inbound call is offered meanwhile.
    await waitText(agent.page, 'agent-state', (t) => t.includes('示忙') && t.includes('回拨'));
    const outcome = await waitText(agent.page, 'callback-outcome', (t) => t.includes('已接通') && t.includes('通话'), 60_000);
    expect(outcome).toMatch(/已接通 · 通话 00:0[1-9]/);
    expect((await citizen.exited).stats?.successfulCalls).toBe(1);
    const stored = await callbackRequestModel(sut.db.connection).findById(requestId).lean();
    expect(stored?.calls).toHaveLength(1);
    expect(stored?.calls?.[0]).toMatchObject({ agentId: 'agent-1001', outcome: 'answered' });
    expect(stored?.calls?.[0]?.citizenAnsweredAt).not.toBeNull();
    await noSeriousViolations(agent.page);
    await screenshots(agent.page, 'callbacks-agent-placed');

    // The supervisor's list shows the outcome as well.
    await boss.page.getByRole('button', { name: '刷新' }).click();
    await waitText(boss.page, 'callback-table', (t) => t.includes('已接通'));

    // 结单 with the result and a note.
    await drawer.getByRole('button', { name: '结单', exact: true }).click();
    await drawer.getByText('已联系上', { exact: true }).click();
    await drawer.getByLabel('结单备注').fill('市民表示问题已解决');
    await drawer.getByRole('button', { name: '确认结单' }).click();
    await waitText(agent.page, 'my-callbacks', (t) => t.includes('暂无分配给您的回拨'));
    expect(await callbackRequestModel(sut.db.connection).findById(requestId).lean()).toMatchObject({ status: 'closed', result: 'reached', note: '市民表示问题已解决', closedBy: expect.any(String) });
    expect([...boss.problems, ...agent.problems]).toEqual([]);
  }, 120_000);
});
