/**
 * Wiring of what the work orders reach outside the database: the operator's SMPP gateway for text
 * messages to citizens (ADR 0015), and Asterisk's stored call recordings, which stay there until an
 * order takes one as evidence.
 */
import { AriStoredRecordings } from '../adapters/ari/ari-recordings';
import { SmppGateway } from '../adapters/sms/smpp-gateway';
import type { CallRecordingSource } from '../app/attachments/attachment.ports';
import type { Config } from '../config/config';
import type { Logger } from '../shared/logger';
import type { WorkOrderModuleDeps } from './work-orders.module';

/** The work-order module's SMS part; none without a configured gateway. */
export function smsOf(config: Config['sms'], log: Logger): WorkOrderModuleDeps['sms'] {
  if (!config) return undefined;
  return {
    gateway: new SmppGateway(
      {
        host: config.host, port: config.port, tls: config.tls, systemId: config.systemId, password: config.password,
        sourceAddr: config.sourceAddr, timeoutMs: config.timeoutMs, enquireLinkMs: 30_000,
      },
      log.child({ component: 'smpp' }),
    ),
    hotlineName: config.hotlineName,
    hours: config.hours,
    retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseMs, maxDelayMs: config.retryMaxMs },
    maxPerMinute: config.maxPerMinute,
    // A try may take the connection, the bind and the answer (each up to SMS_TIMEOUT_MS): the lease outlasts them.
    leaseMs: 4 * config.timeoutMs,
  };
}

/** Calls' recordings (RECORD_CALLS) as evidence files, read from Asterisk over ARI. */
export function callRecordingsOf(ari: Config['ari']): CallRecordingSource {
  return new AriStoredRecordings({ url: ari.url, username: ari.username, password: ari.password, requestTimeoutMs: ari.requestTimeoutMs });
}
