/**
 * Helpers for tests that drive in-call controls on a real call: REST as a logged-in user, the live
 * session of a call, and what Asterisk has (bridge members, channels, RTP sent to a channel, read
 * from Asterisk's own counters: ARI rtp_statistics).
 */
import type { Client } from 'ari-client';
import type { CallSession } from '../../src/app/calls/call-session';
import { eventually } from './eventually';
import type { RunningSystem } from './system-harness';

export async function login(sut: { baseUrl: string }, username: string, password: string): Promise<string> {
  const res = await fetch(`${sut.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** POST (or DELETE) /api/calls/{callId}/{what} as the token's user. */
export async function callControl(
  sut: { baseUrl: string },
  token: string,
  callId: string,
  what: string,
  body?: unknown,
  method = 'POST',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sut.baseUrl}/api/calls/${encodeURIComponent(callId)}/${what}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The live session of the call from `callerNumber`, once it is in `state`. */
export function sessionIn(sut: RunningSystem, callerNumber: string, state: string, timeoutMs = 30_000): Promise<CallSession> {
  return eventually(() => sut.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === callerNumber && s.snapshot().type === state) ?? null, timeoutMs, 100);
}

/** What Asterisk has of a call, through its own ARI connection. */
export class AsteriskProbe {
  constructor(private readonly ari: Client) {}

  async txPackets(channelId: string): Promise<number> {
    return (await this.ari.channels.rtpstatistics({ channelId })).txcount;
  }

  /** Packets Asterisk sends to each channel over one second. */
  async audioTo(channelIds: string[]): Promise<number[]> {
    const before = await Promise.all(channelIds.map((c) => this.txPackets(c)));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(channelIds.map((c) => this.txPackets(c)));
    return after.map((n, i) => n - (before[i] ?? 0));
  }

  async bridgeMembers(bridgeId: string): Promise<string[]> {
    const b = await this.ari.bridges.get({ bridgeId });
    return [...b.channels].sort();
  }

  /** Waits until the bridge holds exactly `members`. */
  bridgeIs(bridgeId: string, members: string[]): Promise<true> {
    const want = [...members].sort().join();
    return eventually(async () => ((await this.bridgeMembers(bridgeId)).join() === want ? true : null), 10_000, 100);
  }

  async channelExists(channelId: string): Promise<boolean> {
    return (await this.ari.channels.list()).some((c) => c.id === channelId);
  }

  /** Waits until Asterisk no longer has the channel. */
  gone(channelId: string): Promise<true> {
    return eventually(async () => (!(await this.channelExists(channelId)) ? true : null), 10_000);
  }
}
