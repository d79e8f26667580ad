/**
 * Places one test call into the running lab with sipp (needs root for the keypad digit):
 *   npx tsx scripts/place-call.ts [--from 13800138000] [--digit 1] [--digit-after-ms 30000] [--hangup-after-ms N]
 *   npx tsx scripts/place-call.ts --agent 1001 [--answer-after-ms 1000] [--agent-hangup-after-ms 8000]
 * The first form is a caller; the second stands in for agent 1001's softphone until Ctrl-C.
 */
import { agentPortFor, placeCall, startAgentPhone } from '../test/support/sipp';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));

async function main(): Promise<void> {
  const agent = arg('agent');
  if (agent) {
    const phone = await startAgentPhone({
      endpointPort: agentPortFor(Number(agent)),
      answerAfterMs: num('answer-after-ms') ?? 1000,
      ...(num('agent-hangup-after-ms') === undefined ? {} : { hangupAfterMs: num('agent-hangup-after-ms') }),
    });
    console.log(`agent ${agent}'s phone answers on 127.0.0.1:${phone.endpointPort}; Ctrl-C to stop`);
    process.on('SIGINT', () => void phone.stop().then(() => process.exit(0)));
    await phone.exited;
    return;
  }
  const digit = num('digit');
  const result = await placeCall({
    callerNumber: arg('from') ?? '13800138000',
    ...(digit === undefined ? {} : { dtmfDigit: digit, dtmfAfterMs: num('digit-after-ms') ?? 30_000 }),
    hangupAfterMs: num('hangup-after-ms') ?? -1,
  });
  console.log(`call ${result.success ? 'completed' : 'failed'} in ${result.durationMs} ms (sipp exit ${result.exitCode})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
