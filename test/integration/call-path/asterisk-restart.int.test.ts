/**
 * Asterisk restarts during a call: the application reconnects, reconciles, the call's record is
 * closed, and the next call is served. (Restarts the lab's Asterisk.)
 */
import { restartAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { startCallPathLab, type CallPathLab } from './call-path-harness';

describe('Asterisk restart during a call', () => {
  let lab: CallPathLab | null = null;
  let phone: AgentPhone | null = null;

  afterAll(async () => {
    await phone?.stop();
    await lab?.stop();
    await stopAllSipp();
  });

  it('→ reconnect, the open call gets a complete record, a new call works', async () => {
    lab = await startCallPathLab({ greeting: ['sound:hotline/digit-1'], wrapUpMs: 1000 }, [1001]);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    const first = await startCall({ timeoutMs: 60_000 });
    const l = lab;
    await eventually(() => l.registry.all().some((s) => s.snapshot().type === 'talking'), 20_000, 100);
    await restartAsterisk();
    // Calls reach the application only once it is connected again.
    await eventually(() => l.connections() >= 2, 30_000, 100);
    const closed = await eventually(() => l.completed()[0] ?? null, 30_000, 200);
    expect(closed).toMatchObject({ complete: true, outcome: 'answered', hungUpBy: 'network', endReason: 'channel-gone' });
    await first.stop();

    await eventually(() => l.agents.get(closed.agentId ?? ('' as never))?.status.type === 'ready', 20_000, 200);
    await startCall({ hangupAfterMs: 8000 });
    const second = await eventually(() => (l.completed().length === 2 ? l.completed().find((r) => r.callId !== closed.callId) : null), 60_000, 200);
    expect(second).toMatchObject({ complete: true, outcome: 'answered', hungUpBy: 'caller' });
  }, 180_000);
});
