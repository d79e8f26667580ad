/**
 * Asterisk ids derived from our call id, so Asterisk can always be asked about a call and an ARI
 * event on any of these objects leads back to its call.
 *
 * The call id is the id of the caller's channel as Asterisk created it (its unique id): the one id
 * that exists before we do anything, and the one a restarted application finds again in Stasis.
 */
import { asCallId, type CallId } from '../../shared/ids';

export function callIdForChannel(callerChannelId: string): CallId {
  return asCallId(callerChannelId);
}

/** The agent leg of ring attempt `attempt` (1, 2, …). */
export function ringChannelId(callId: CallId, attempt: number): string {
  return `ring-${callId}-${attempt}`;
}

export function bridgeId(callId: CallId): string {
  return `bridge-${callId}`;
}

/** The n-th playback of a call (1, 2, …). */
export function playbackId(callId: CallId, n: number): string {
  return `pb-${callId}-${n}`;
}

/**
 * The 工号 announcement played to the agent's leg while the caller hears it: not one of the call's
 * playbacks (the call waits for the caller's copy only), so its id is outside the `pb-` scheme.
 */
export function agentAnnouncementId(callId: CallId, attempt: number): string {
  return `agentpb-${callId}-${attempt}`;
}

/**
 * Name of the bridge recording (Asterisk stores it under its recordings directory). A conversation
 * after a transfer to another queue is recorded apart: `part` (the call's transfer count then) keeps
 * the first one from being overwritten.
 */
export function recordingName(callId: CallId, part = 0): string {
  return part > 0 ? `call-${callId}-${part}` : `call-${callId}`;
}

/**
 * The n-th outbound leg of a call (1, 2, …): the line it is handed to, e.g. an emergency number
 * (110/119/120/122) through the trunk.
 */
export function transferChannelId(callId: CallId, n: number): string {
  return `xfer-${callId}-${n}`;
}

/** The n-th supervisor phone leg of a call (listen / whisper / barge). */
export function supervisorChannelId(callId: CallId, n: number): string {
  return `sup-${callId}-${n}`;
}

/** The snoop channel on the agent's leg for the n-th supervisor of a call (listen, whisper). */
export function snoopChannelId(callId: CallId, n: number): string {
  return `snoop-${callId}-${n}`;
}

/** The bridge joining the n-th supervisor's phone with its snoop channel. */
export function monitorBridgeId(callId: CallId, n: number): string {
  return `spy-${callId}-${n}`;
}

const RING = /^ring-(.+)-(\d+)$/;
const SUPERVISOR = /^sup-(.+)-(\d+)$/;
const SNOOP = /^snoop-(.+)-(\d+)$/;
const MONITOR_BRIDGE = /^spy-(.+)-(\d+)$/;

/** A supervisor's phone leg, snoop channel or monitor bridge: the call and the monitor's number. */
export function parseMonitorId(id: string): { callId: CallId; n: number; kind: 'phone' | 'snoop' | 'bridge' } | null {
  for (const [re, kind] of [[SUPERVISOR, 'phone'], [SNOOP, 'snoop'], [MONITOR_BRIDGE, 'bridge']] as const) {
    const m = re.exec(id);
    if (m && m[1] !== undefined && m[2] !== undefined) return { callId: asCallId(m[1]), n: Number(m[2]), kind };
  }
  return null;
}
const TRANSFER = /^xfer-(.+)-(\d+)$/;
const BRIDGE = /^bridge-(.+)$/;
const PLAYBACK = /^pb-(.+)-(\d+)$/;

export function parseRingChannelId(id: string): { callId: CallId; attempt: number } | null {
  const m = RING.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return { callId: asCallId(m[1]), attempt: Number(m[2]) };
}

export function parseBridgeId(id: string): CallId | null {
  const m = BRIDGE.exec(id);
  return m && m[1] !== undefined ? asCallId(m[1]) : null;
}

export function parsePlaybackId(id: string): { callId: CallId; n: number } | null {
  const m = PLAYBACK.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return { callId: asCallId(m[1]), n: Number(m[2]) };
}

export function parseTransferChannelId(id: string): { callId: CallId; n: number } | null {
  const m = TRANSFER.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return { callId: asCallId(m[1]), n: Number(m[2]) };
}

/** Whether an Asterisk channel id is one of our outbound (transfer) legs. */
export function isTransferLegId(id: string): boolean {
  return TRANSFER.test(id);
}

/** Whether an Asterisk channel id is a leg we originated for a call (agent or outbound), not a caller's channel. */
export function isOurLegId(id: string): boolean {
  return RING.test(id) || TRANSFER.test(id) || SUPERVISOR.test(id) || SNOOP.test(id);
}

/** Whether an Asterisk channel id is one of our agent legs (and not a caller's channel). */
export function isAgentLegId(id: string): boolean {
  return RING.test(id);
}
