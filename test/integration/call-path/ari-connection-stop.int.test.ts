/**
 * A stopped ARI connection stays stopped (real Asterisk): ari-client keeps a reconnect it scheduled
 * while Asterisk was away even after `stop()`, and that reconnect would register the application
 * again and take it over from the connection that holds it now (another instance, or the next
 * process on the same ARI_APP). The stopped client's later websocket must never open.
 */
import type { Client } from 'ari-client';
import { AriConnection } from '../../../src/adapters/ari/ari-connection';
import { silentLogger } from '../../../src/shared/logger';
import { ensureAsterisk, stopAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';

type Socket = { readyState: number };
const OPEN = 1;
const CLOSED = 3;

describe('stopping an ARI connection while Asterisk is away', () => {
  const conns: AriConnection[] = [];
  afterAll(async () => {
    for (const c of conns) await c.stop();
    await ensureAsterisk();
  });

  it('its scheduled reconnect never opens, and the application stays with the connection that holds it', async () => {
    const lab = await ensureAsterisk();
    const app = `retire-${process.pid}`;
    const opts = { url: lab.ariUrl, username: lab.ariUsername, password: lab.ariPassword, app, maxSockets: 4 };

    const stale = new AriConnection(opts, silentLogger);
    conns.push(stale);
    let staleClient: Client | undefined;
    stale.on('connected', ({ client }) => (staleClient = client));
    const lost = new Promise<void>((resolve) => stale.on('disconnected', () => resolve()));
    await stale.start();
    await stopAsterisk();
    await lost;
    // Asterisk is away and the client is in its reconnect backoff: stop it there.
    await stale.stop();
    const client = staleClient as Client;
    const peek = client as unknown as { _ws: Socket };
    const socketAtStop = peek._ws;
    let staleReconnected = false;
    client.on('WebSocketConnected', () => (staleReconnected = true));

    const lab2 = await ensureAsterisk();
    const live = new AriConnection({ ...opts, url: lab2.ariUrl }, silentLogger);
    conns.push(live);
    await live.start();
    let replaced = false;
    live.current().on('ApplicationReplaced', () => (replaced = true));

    // The stopped client's scheduled reconnect runs (its backoff is at most 10 s) against the Asterisk
    // that is up again: its new websocket is aborted before the handshake.
    const retried = await eventually(() => (peek._ws !== socketAtStop ? peek._ws : false), 60_000);
    const finalState = await eventually(() => (retried.readyState === OPEN || retried.readyState === CLOSED ? retried.readyState : false), 30_000);
    expect(finalState).toBe(CLOSED);
    expect(staleReconnected).toBe(false);
    expect(replaced).toBe(false);
    expect(live.isConnected()).toBe(true);
  }, 180_000);
});
