/**
 * Connects the call path to the live layer: bus messages become dashboard / console inputs, and the
 * consoles' agent actions become agent service calls. Kept in the app layer so the composition root
 * only plugs the two together.
 */
import type { AgentStatusType } from '../../domain/acd/agent.types';
import type { AgentId } from '../../shared/ids';
import { asAgentId } from '../../shared/ids';
import { assertNever } from '../../shared/errors';
import type { AnyBusMessage } from '../events/event-bus';
import type { AgentService } from '../calls/agent.service';
import type { AgentAction, AgentControlPort, AgentPresence, LiveInput } from './live.ports';

export function presenceOf(status: AgentStatusType): AgentPresence {
  switch (status) {
    case 'logged-out':
      return 'offline';
    case 'ready':
      return 'ready';
    case 'not-ready':
      return 'not_ready';
    case 'ringing':
      return 'ringing';
    case 'on-call':
      return 'on_call';
    case 'wrap-up':
      return 'wrap_up';
    default:
      return assertNever(status);
  }
}

/** The live inputs one bus message stands for (queue events are folded from call events already). */
export function liveInputsOf(message: AnyBusMessage, displayName: (agentId: AgentId) => string | undefined): LiveInput[] {
  switch (message.topic) {
    case 'call':
      return [{ kind: 'call', event: message.event }];
    case 'agent': {
      const e = message.event;
      if (e.type !== 'AgentStatusChanged') return [];
      const name = displayName(e.agentId);
      return [
        {
          kind: 'agent',
          agentId: e.agentId,
          state: presenceOf(e.to),
          reason: e.reason,
          at: e.at,
          ...(name === undefined ? {} : { displayName: name }),
        },
      ];
    }
    case 'queue':
      return [];
    default:
      return assertNever(message);
  }
}

/** Console actions over the agent service (which answers 404 / 409 for unknown agents / refused actions). */
export class AgentControl implements AgentControlPort {
  constructor(private readonly agents: AgentService) {}

  async perform(agentId: string, action: AgentAction, reason: string | null): Promise<void> {
    const id = asAgentId(agentId);
    switch (action) {
      case 'login':
        this.agents.login(id);
        return;
      case 'logout':
        this.agents.logout(id);
        return;
      case 'ready':
        this.agents.setReady(id);
        return;
      case 'not_ready':
        this.agents.setNotReady(id, reason ?? 'break');
        return;
      case 'wrap_up_done':
        this.agents.finishWrapUp(id);
        return;
      default:
        assertNever(action);
    }
  }
}
