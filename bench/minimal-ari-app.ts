/**
 * The smallest ARI application that does what the product's call path does on the happy path,
 * as a yardstick for bench/call-path.bench.ts: answer, greeting, ring a free agent, bridge caller
 * and agent, rating prompt after the agent hangs up, wait for one digit (or a timeout), thanks,
 * hang up. Plain ari-client and a few maps: no state machine, no database, no event store, no
 * queue announcements, no 工号 announcement, no reconciliation. What the caller hears while waiting
 * is the product's (`waitingMedia`): hold music while no agent is free and a ringing tone while an
 * agent's phone rings (RINGING_TONE=ringback), or the music throughout (moh), because that sound
 * costs Asterisk most of what a waiting caller costs (bench/waiting-media.bench.ts); `silence`
 * gives the bare figure. Its only ring limit is
 * Asterisk's originate timeout (`originateTimeoutSec`): an agent leg not answered by then is dropped
 * by Asterisk and the caller rings the next free agent, which is what the call-path bench's ring
 * phase needs to compare the product's 10-second rule with a bare ARI app under the same load.
 *
 * Object ids follow the product's pattern so one event probe reads both applications: the agent
 * leg of attempt n is `mleg-<caller channel id>-<n>`, playbacks are `mpb-<caller channel id>-<n>`.
 *
 *   npx tsx bench/minimal-ari-app.ts        (ARI_URL, ARI_USERNAME, ARI_PASSWORD, ARI_APP,
 *                                            MINIMAL_AGENTS="PJSIP/agent1001,PJSIP/agent1002")
 */
import http from 'node:http';
import ari, { type Client } from 'ari-client';

export interface MinimalAppOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  /** Dial strings of the agents' phones, e.g. PJSIP/agent1001; one call per agent at a time. */
  agents: readonly string[];
  greeting: string;
  ratingPrompt: string;
  thanksPrompt: string;
  /** Wait for the rating digit after the prompt finished. */
  ratingTimeoutMs: number;
  /** Cap on concurrent HTTP sockets to ARI (as the product does). */
  maxSockets: number;
  /** Asterisk's originate timeout (s): an agent leg that rings longer is dropped by Asterisk. */
  originateTimeoutSec?: number;
  /** Agents rung first (ahead of `agents`), as the ring phase's never-answering phones are. */
  ringFirst?: readonly string[];
  /** What the caller hears while waiting and while an agent rings, as the product's RINGING_TONE; default ringback. */
  waitingMedia?: 'ringback' | 'moh' | 'silence';
  /** Each ring attempt as it is requested (attempt counts from 1, per call). */
  onOffer?: (callId: string, attempt: number, at: number) => void;
  onError?: (what: string, err: unknown) => void;
}

export interface MinimalApp {
  readonly client: Client;
  /** Calls still in the application. */
  active(): number;
  /** The `ringFirst` agents take no further calls (a leg ringing now still rings out). */
  retireRingFirst(): void;
  stop(): Promise<void>;
}

interface Call {
  id: string;
  callerNumber: string;
  attempts: number;
  playbacks: number;
  agent: string | null;
  legId: string | null;
  legUp: boolean;
  bridgeId: string | null;
  phase: 'greeting' | 'waiting' | 'ringing' | 'talking' | 'rating' | 'digit' | 'thanks' | 'done';
  playbackId: string | null;
  timer: NodeJS.Timeout | null;
  /** What the caller hears now while waiting (started by us, to be stopped by us). */
  hearing: 'moh' | 'ringback' | null;
}

type AriEvent = Record<string, unknown>;
interface ChannelLike {
  id: string;
  caller?: { number?: string };
}

const LEG = /^mleg-(.+)-(\d+)$/;
const PLAYBACK = /^mpb-(.+)-(\d+)$/;

export async function startMinimalApp(opts: MinimalAppOptions): Promise<MinimalApp> {
  // ari-client issues REST calls through Node's global agent: keep-alive and a socket cap, as the
  // product does (unbounded, Asterisk refuses requests past its HTTP session limit).
  http.globalAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const client = await ari.connect(opts.url, opts.username, opts.password);
  const calls = new Map<string, Call>();
  const free = [...(opts.ringFirst ?? []), ...opts.agents];
  const retired = new Set<string>();
  const waiting: string[] = [];
  const report = opts.onError ?? (() => undefined);
  const quietly = (what: string, p: Promise<unknown>): void => {
    p.catch((err: unknown) => report(what, err));
  };

  const play = (c: Call, media: string): void => {
    c.playbacks += 1;
    c.playbackId = `mpb-${c.id}-${c.playbacks}`;
    quietly('play', client.channels.playWithId({ channelId: c.id, playbackId: c.playbackId, media: [media] }));
  };

  const media = opts.waitingMedia ?? 'ringback';
  /** Switches what the caller hears to `want` (as the product does: music while waiting, ringing tone while an agent rings). */
  const hear = (c: Call, want: 'moh' | 'ringback' | null): void => {
    if (media === 'silence' || c.hearing === want) return;
    if (c.hearing === 'moh') quietly('stop moh', client.channels.stopMoh({ channelId: c.id }));
    if (c.hearing === 'ringback') quietly('stop ringing', client.channels.ringStop({ channelId: c.id }));
    c.hearing = want;
    if (want === 'moh') quietly('moh', client.channels.startMoh({ channelId: c.id, mohClass: 'default' }));
    if (want === 'ringback') quietly('ringing', client.channels.ring({ channelId: c.id }));
  };

  const ringNext = (c: Call): void => {
    const agent = free.shift();
    if (agent === undefined) {
      c.phase = 'waiting';
      waiting.push(c.id);
      hear(c, 'moh');
      return;
    }
    hear(c, media === 'moh' ? 'moh' : 'ringback');
    c.agent = agent;
    c.attempts += 1;
    c.legId = `mleg-${c.id}-${c.attempts}`;
    c.legUp = false;
    c.phase = 'ringing';
    opts.onOffer?.(c.id, c.attempts, Date.now());
    client.channels
      .originateWithId({
        channelId: c.legId,
        endpoint: agent,
        app: opts.app,
        appArgs: 'agent',
        callerId: c.callerNumber,
        timeout: opts.originateTimeoutSec ?? 30,
      })
      .catch((err: unknown) => {
        report('originate', err);
        legGone(c.legId ?? '');
      });
  };

  const releaseAgent = (c: Call): void => {
    if (c.agent === null) return;
    if (!retired.has(c.agent)) free.push(c.agent);
    c.agent = null;
    for (let id = waiting.shift(); id !== undefined; id = waiting.shift()) {
      const next = calls.get(id);
      if (next && next.phase === 'waiting') {
        ringNext(next);
        break;
      }
    }
  };

  const finish = (c: Call, hangupCaller: boolean): void => {
    if (c.phase === 'done') return;
    c.phase = 'done';
    if (c.timer) clearTimeout(c.timer);
    calls.delete(c.id);
    const idx = waiting.indexOf(c.id);
    if (idx >= 0) waiting.splice(idx, 1);
    if (c.legId) quietly('hangup agent', client.channels.hangup({ channelId: c.legId }));
    releaseAgent(c);
    if (c.bridgeId) quietly('destroy bridge', client.bridges.destroy({ bridgeId: c.bridgeId }));
    if (hangupCaller) quietly('hangup caller', client.channels.hangup({ channelId: c.id }));
  };

  const thanks = (c: Call): void => {
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    c.phase = 'thanks';
    play(c, opts.thanksPrompt);
  };

  /** The agent leg ended: before the answer, ring again; after it, ask for the rating. */
  function legGone(legId: string): void {
    const m = LEG.exec(legId);
    const c = m?.[1] ? calls.get(m[1]) : undefined;
    if (!c || c.legId !== legId) return;
    const wasUp = c.legUp;
    c.legId = null;
    releaseAgent(c);
    if (!wasUp) {
      if (c.phase === 'ringing') ringNext(c);
      return;
    }
    if (c.phase !== 'talking') return;
    // Played while the caller is still in the bridge (a playback right after destroying the
    // bridge is occasionally lost).
    c.phase = 'rating';
    play(c, opts.ratingPrompt);
  }

  const on = (type: string, handler: (e: AriEvent) => void): void => {
    client.on(type as 'StasisStart', (event: unknown) => {
      try {
        handler(event as AriEvent);
      } catch (err) {
        report(type, err);
      }
    });
  };

  on('StasisStart', (e) => {
    const ch = e['channel'] as ChannelLike;
    const args = e['args'];
    if (Array.isArray(args) && args[0] === 'agent') {
      const m = LEG.exec(ch.id);
      const c = m?.[1] ? calls.get(m[1]) : undefined;
      if (!c || c.legId !== ch.id || c.phase !== 'ringing') {
        quietly('hangup stray leg', client.channels.hangup({ channelId: ch.id }));
        return;
      }
      c.legUp = true;
      c.phase = 'talking';
      hear(c, null);
      c.bridgeId = `mbridge-${c.id}`;
      const bridgeId = c.bridgeId;
      quietly(
        'bridge',
        client.bridges
          .createWithId({ bridgeId, type: 'mixing' })
          .then(() => client.bridges.addChannel({ bridgeId, channel: [c.id, ch.id] })),
      );
      return;
    }
    const c: Call = {
      id: ch.id,
      callerNumber: ch.caller?.number ?? '',
      attempts: 0,
      playbacks: 0,
      agent: null,
      legId: null,
      legUp: false,
      bridgeId: null,
      phase: 'greeting',
      playbackId: null,
      timer: null,
      hearing: null,
    };
    calls.set(c.id, c);
    client.channels
      .answer({ channelId: c.id })
      .then(() => {
        if (c.phase === 'greeting') play(c, opts.greeting);
      })
      .catch((err: unknown) => {
        report('answer', err);
        finish(c, true);
      });
  });

  on('PlaybackFinished', (e) => {
    const id = (e['playback'] as { id?: string } | undefined)?.id ?? '';
    const m = PLAYBACK.exec(id);
    const c = m?.[1] ? calls.get(m[1]) : undefined;
    if (!c || c.playbackId !== id) return;
    c.playbackId = null;
    if (c.phase === 'greeting') ringNext(c);
    else if (c.phase === 'rating') {
      c.phase = 'digit';
      c.timer = setTimeout(() => thanks(c), opts.ratingTimeoutMs);
    } else if (c.phase === 'thanks') finish(c, true);
  });

  on('ChannelDtmfReceived', (e) => {
    const c = calls.get((e['channel'] as ChannelLike).id);
    if (!c || (c.phase !== 'rating' && c.phase !== 'digit')) return;
    if (c.playbackId) quietly('stop playback', client.playbacks.stop({ playbackId: c.playbackId }));
    thanks(c);
  });

  const channelLeft = (e: AriEvent): void => {
    const id = (e['channel'] as ChannelLike).id;
    if (LEG.test(id)) return legGone(id);
    const c = calls.get(id);
    if (c) finish(c, false);
  };
  on('StasisEnd', channelLeft);
  on('ChannelDestroyed', channelLeft);

  await client.start(opts.app);
  return {
    client,
    active: () => calls.size,
    retireRingFirst: () => {
      for (const a of opts.ringFirst ?? []) {
        retired.add(a);
        const i = free.indexOf(a);
        if (i >= 0) free.splice(i, 1);
      }
    },
    stop: async () => {
      for (const c of [...calls.values()]) finish(c, true);
      try {
        client.stop();
      } catch (err) {
        // The websocket was already closed: nothing left to release.
        report('stop', err);
      }
    },
  };
}

if (require.main === module) {
  const env = process.env;
  startMinimalApp({
    url: env['ARI_URL'] ?? 'http://127.0.0.1:8088',
    username: env['ARI_USERNAME'] ?? 'hotline',
    password: env['ARI_PASSWORD'] ?? 'hotline-lab-secret',
    app: env['ARI_APP'] ?? 'hotline',
    agents: (env['MINIMAL_AGENTS'] ?? 'PJSIP/agent1001').split(',').filter(Boolean),
    greeting: 'sound:hotline/greeting',
    ratingPrompt: 'sound:hotline/rating-2',
    thanksPrompt: 'sound:hotline/thanks',
    ratingTimeoutMs: Number(env['RATING_TIMEOUT_MS'] ?? 8000),
    maxSockets: 64,
    onError: (what, err) => console.error(`minimal app: ${what}: ${err instanceof Error ? err.message : String(err)}`),
  })
    .then((app) => {
      console.log('minimal app connected');
      const stop = () => void app.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
