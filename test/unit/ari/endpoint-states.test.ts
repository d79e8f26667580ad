/**
 * Agents' endpoint states read from Asterisk: a listing is a snapshot taken when it was requested, so
 * a device state change that arrives while the listing is on its way is newer and must win.
 */
import { EventEmitter } from 'node:events';
import type { Client } from 'ari-client';
import { AriEndpointStates, deviceStateEndpoint, type AriEndpointConnection, type EndpointStateSink } from '../../../src/adapters/ari/ari-endpoints';
import type { EndpointState } from '../../../src/app/calls/endpoint-reachability';
import { silentLogger } from '../../../src/shared/logger';

type Listing = Array<{ technology: string; resource: string; state: string }>;

function fakeAri() {
  const client = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const listings: Array<(l: Listing) => void> = [];
  client['applications'] = { subscribe: () => Promise.resolve({}), unsubscribe: () => Promise.reject(new Error('422 not subscribed')) };
  client['endpoints'] = { listByTech: () => new Promise<Listing>((resolve) => listings.push(resolve)) };
  const conn: AriEndpointConnection & EventEmitter = Object.assign(new EventEmitter(), {
    isConnected: () => true,
    current: () => client as unknown as Client,
  });
  return { client, conn, listings };
}

function sink(endpoints: string[]) {
  const states = new Map<string, EndpointState>();
  const added: Array<(e: string) => void> = [];
  const s: EndpointStateSink = {
    endpoints: () => endpoints,
    onEndpointAdded: (l) => added.push(l),
    update: (e, state) => states.set(e, state),
  };
  return { s, states, added };
}

const flush = () => new Promise((r) => setImmediate(r));
const log = silentLogger;

describe('AriEndpointStates', () => {
  it('applies the listing read at connection', async () => {
    const { client, conn, listings } = fakeAri();
    const { s, states } = sink(['PJSIP/agent1001']);
    new AriEndpointStates('hotline', s, log).start(conn);
    conn.emit('connected', { client });
    await flush();
    listings[0]?.([{ technology: 'PJSIP', resource: 'agent1001', state: 'offline' }, { technology: 'PJSIP', resource: 'other', state: 'online' }]);
    await flush();
    expect([...states]).toEqual([['PJSIP/agent1001', 'offline']]);
  });

  it('an event that arrives while the listing is on its way wins over the older listing', async () => {
    const { client, conn, listings } = fakeAri();
    const { s, states } = sink(['PJSIP/agent1001']);
    new AriEndpointStates('hotline', s, log).start(conn);
    conn.emit('connected', { client });
    await flush();
    expect(listings).toHaveLength(1);
    // The phone answers its first OPTIONS while the listing (taken before) is still in flight.
    client.emit('DeviceStateChanged', { device_state: { name: 'PJSIP/agent1001', state: 'NOT_INUSE' } });
    listings[0]?.([{ technology: 'PJSIP', resource: 'agent1001', state: 'offline' }]);
    await flush();
    expect(states.get('PJSIP/agent1001')).toBe('online');
  });

  it('a later listing with no event in between is applied again (reconnection)', async () => {
    const { client, conn, listings } = fakeAri();
    const { s, states } = sink(['PJSIP/agent1001']);
    new AriEndpointStates('hotline', s, log).start(conn);
    conn.emit('connected', { client });
    await flush();
    client.emit('DeviceStateChanged', { device_state: { name: 'PJSIP/agent1001', state: 'NOT_INUSE' } });
    listings[0]?.([{ technology: 'PJSIP', resource: 'agent1001', state: 'offline' }]);
    await flush();
    conn.emit('connected', { client });
    await flush();
    listings[1]?.([{ technology: 'PJSIP', resource: 'agent1001', state: 'offline' }]);
    await flush();
    expect(states.get('PJSIP/agent1001')).toBe('offline');
  });

  it('device states: UNAVAILABLE is a phone out of reach; idle, in use, ringing are reachable', () => {
    expect(deviceStateEndpoint({ name: 'PJSIP/agent1001', state: 'UNAVAILABLE' })).toEqual({ technology: 'PJSIP', resource: 'agent1001', state: 'offline' });
    for (const state of ['NOT_INUSE', 'INUSE', 'RINGING', 'BUSY', 'ONHOLD']) {
      expect(deviceStateEndpoint({ name: 'PJSIP/agent1001', state })?.state).toBe('online');
    }
    expect(deviceStateEndpoint({ name: 'Custom:x', state: 'INUSE' })).toBeUndefined();
  });

  it('a phone that becomes unavailable, then available again, is reported both times', async () => {
    const { client, conn, listings } = fakeAri();
    const { s, states } = sink(['PJSIP/agent1001']);
    new AriEndpointStates('hotline', s, log).start(conn);
    conn.emit('connected', { client });
    await flush();
    listings[0]?.([{ technology: 'PJSIP', resource: 'agent1001', state: 'online' }]);
    await flush();
    client.emit('DeviceStateChanged', { device_state: { name: 'PJSIP/agent1001', state: 'UNAVAILABLE' } });
    expect(states.get('PJSIP/agent1001')).toBe('offline');
    client.emit('DeviceStateChanged', { device_state: { name: 'PJSIP/agent1001', state: 'NOT_INUSE' } });
    expect(states.get('PJSIP/agent1001')).toBe('online');
  });
});
