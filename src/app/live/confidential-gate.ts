/**
 * Holds a new call's live inputs until it is known whether its caller is confidential (docs/adr/0021),
 * so the dashboards and consoles get the first event already masked, never the number first and a
 * mask after it. Only the first events of a call wait, for one lookup of its number (a few ms, at most
 * the lookup's time limit, after which the caller counts as confidential); other calls' inputs pass.
 */
import type { Background } from '../../shared/background';
import type { LiveInput } from './live.ports';

export interface ConfidentialGateDeps {
  /** Fails closed: answers true when the lookup failed or was late. */
  isConfidential(callerNumber: string): Promise<boolean>;
  /** Marks the call record confidential (REST lists, exports and searches mask it from then on). */
  markCall(callId: string): Promise<void>;
  deliver(input: LiveInput): void;
  background: Background;
}

export class ConfidentialGate {
  private readonly held = new Map<string, LiveInput[]>();

  constructor(private readonly deps: ConfidentialGateDeps) {}

  accept(input: LiveInput): void {
    const callId = input.kind === 'call' ? input.event.callId : input.kind === 'confidential' ? input.callId : null;
    const waiting = callId === null ? undefined : this.held.get(callId);
    if (waiting) {
      waiting.push(input);
      return;
    }
    if (input.kind !== 'call' || input.event.type !== 'CallEntered') {
      this.deps.deliver(input);
      return;
    }
    const entered = input.event;
    this.held.set(entered.callId, [input]);
    this.deps.background.run('live.confidential-lookup', async () => {
      let confidential = true;
      try {
        confidential = await this.deps.isConfidential(entered.callerNumber);
      } finally {
        const inputs = this.held.get(entered.callId) ?? [];
        this.held.delete(entered.callId);
        for (const x of inputs) this.deps.deliver(x === input ? { ...input, confidential: (input.confidential ?? false) || confidential } : x);
      }
      if (confidential) this.deps.background.run('live.confidential-call-mark', () => this.deps.markCall(entered.callId), { callId: entered.callId });
    }, { callId: entered.callId });
  }

  /** Calls whose inputs wait for their lookup (for the metrics and tests). */
  get waiting(): number {
    return this.held.size;
  }
}
