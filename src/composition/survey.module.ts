/**
 * Wiring of the automated callback survey's telephony (ADR 0010): its calls live in their own
 * Stasis application (own websocket), so the inbound call path never sees them; a citizen who
 * presses 0 is moved into the inbound application, the same queue and ACD as any caller.
 */
import { AriConnection } from '../adapters/ari/ari-connection';
import { AriSurveyDialer } from '../adapters/ari/ari-survey-dialer';
import { SurveyHandoverWatch } from '../app/calls/survey-handovers';
import type { EventBus } from '../app/events/event-bus';
import type { Config } from '../config/config';
import type { BackgroundTasks } from '../shared/background';
import type { Logger } from '../shared/logger';

export interface SurveyModule {
  readonly ari: AriConnection;
  readonly dialer: AriSurveyDialer;
  readonly handovers: SurveyHandoverWatch;
  /** Connects in the background. */
  connect(): void;
  stop(): Promise<void>;
}

export function buildSurveyModule(d: { readonly config: Pick<Config, 'ari' | 'survey'>; readonly bus: EventBus; readonly log: Logger; readonly background: BackgroundTasks }): SurveyModule {
  const { config, background } = d;
  const app = `${config.ari.app}-survey`;
  const ari = new AriConnection(
    { url: config.ari.url, username: config.ari.username, password: config.ari.password, app, maxSockets: 8, requestTimeoutMs: config.ari.requestTimeoutMs, background },
    d.log.child({ component: 'ari-survey' }),
  );
  const dialer = new AriSurveyDialer(
    ari,
    { app, handoverApp: config.ari.app, callerId: config.survey.callerId, ringSeconds: config.survey.ringSeconds, requestTimeoutMs: config.ari.requestTimeoutMs },
    d.log.child({ component: 'survey' }),
  );
  const handovers = new SurveyHandoverWatch(d.bus, {
    setTimeout: (fn, ms) => setTimeout(background.handler('survey.handover-timer', fn), ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  });
  return {
    ari,
    dialer,
    handovers,
    connect() {
      background.run('ari-survey.start', () => ari.start());
    },
    stop: () => ari.stop(),
  };
}
