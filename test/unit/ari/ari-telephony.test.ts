import type { Client } from 'ari-client';
import { TelephonyNotFoundError } from '../../../src/app/calls/calls.ports';
import { AriRequestTimeoutError, AriTelephony, isNotFound } from '../../../src/adapters/ari/ari-telephony';

function fakeClient() {
  const calls: Array<[string, unknown]> = [];
  const op = (name: string, result: unknown = undefined) => async (params: unknown) => {
    calls.push([name, params]);
    const fail = failures.get(name);
    if (fail) throw fail;
    return result;
  };
  const failures = new Map<string, Error>();
  const client = {
    channels: {
      answer: op('channels.answer'),
      playWithId: op('channels.playWithId'),
      startMoh: op('channels.startMoh'),
      stopMoh: op('channels.stopMoh'),
      ring: op('channels.ring'),
      ringStop: op('channels.ringStop'),
      originateWithId: op('channels.originateWithId'),
      hangup: op('channels.hangup'),
      list: op('channels.list', [
        { id: 'c1', state: 'Up', caller: { number: '138' }, dialplan: { exten: '12345' } },
        { id: 'ring-c1-1', state: 'Ringing', caller: { number: '' }, dialplan: { exten: 's' } },
        { id: 'other', state: 'Up', caller: { number: '1' }, dialplan: { exten: '1' } },
      ]),
    },
    bridges: {
      createWithId: op('bridges.createWithId'),
      addChannel: op('bridges.addChannel'),
      destroy: op('bridges.destroy'),
      record: op('bridges.record'),
      list: op('bridges.list', [
        { id: 'bridge-c1', channels: ['c1', 'ring-c1-1'] },
        { id: 'someone-elses', channels: [] },
      ]),
    },
    playbacks: { stop: op('playbacks.stop') },
    recordings: { stop: op('recordings.stop') },
    applications: { get: op('applications.get', { name: 'hotline', channel_ids: ['c1'], bridge_ids: [] }) },
  };
  return { client: client as unknown as Client, calls, failures };
}

describe('ARI telephony', () => {
  it("tells Asterisk the ring limit as its dial timeout (whole seconds, rounded up; a grace when configured)", async () => {
    const { client, calls } = fakeClient();
    await new AriTelephony({ current: () => client }, { app: 'hotline' }).originate({ channelId: 'ring-c1-1', endpoint: 'PJSIP/a', callerId: '1', timeoutMs: 10_500 });
    await new AriTelephony({ current: () => client }, { app: 'hotline', originateGraceSec: 5 }).originate({ channelId: 'ring-c1-2', endpoint: 'PJSIP/a', callerId: '1', timeoutMs: 10_000 });
    expect(calls.map(([, args]) => (args as { timeout?: number }).timeout)).toEqual([11, 15]);
  });

  it('passes our ids and the app to ARI', async () => {
    const { client, calls } = fakeClient();
    const sut = new AriTelephony({ current: () => client }, { app: 'hotline' });
    await sut.play('c1', 'pb-c1-1', ['sound:hotline/greeting', 'sound:hotline/digit-1']);
    await sut.originate({ channelId: 'ring-c1-1', endpoint: 'PJSIP/agent1001', callerId: '138', timeoutMs: 10000 });
    await sut.createBridge('bridge-c1');
    await sut.addChannels('bridge-c1', ['c1', 'ring-c1-1']);
    await sut.recordBridge('bridge-c1', 'call-c1');
    await sut.startRingback('c1');
    await sut.stopRingback('c1');
    expect(calls).toEqual([
      ['channels.playWithId', { channelId: 'c1', playbackId: 'pb-c1-1', media: ['sound:hotline/greeting', 'sound:hotline/digit-1'] }],
      ['channels.originateWithId', { channelId: 'ring-c1-1', endpoint: 'PJSIP/agent1001', app: 'hotline', appArgs: 'agent', callerId: '138', timeout: 10 }],
      ['bridges.createWithId', { bridgeId: 'bridge-c1', type: 'mixing' }],
      ['bridges.addChannel', { bridgeId: 'bridge-c1', channel: ['c1', 'ring-c1-1'] }],
      ['bridges.record', { bridgeId: 'bridge-c1', name: 'call-c1', format: 'wav', ifExists: 'overwrite' }],
      ['channels.ring', { channelId: 'c1' }],
      ['channels.ringStop', { channelId: 'c1' }],
    ]);
  });

  it('ARI "not found" / "not in Stasis" → TelephonyNotFoundError naming the object', async () => {
    const { client, failures } = fakeClient();
    const sut = new AriTelephony({ current: () => client }, { app: 'hotline' });
    failures.set('channels.answer', new Error('{"message":"Channel not found"}'));
    await expect(sut.answer('c9')).rejects.toEqual(new TelephonyNotFoundError('channel', 'c9'));
    failures.set('channels.stopMoh', new Error('{"message":"Channel not in Stasis application"}'));
    await expect(sut.stopMoh('c9')).rejects.toBeInstanceOf(TelephonyNotFoundError);
    failures.set('channels.hangup', new Error('socket hang up'));
    await expect(sut.hangup('c9')).rejects.toThrow('socket hang up');
    expect(isNotFound(new Error('{"message":"Playback not found"}'))).toBe(true);
  });

  it('a request Asterisk never answers → AriRequestTimeoutError (not "not found"), for every kind of request', async () => {
    const { client } = fakeClient();
    const never = () => new Promise<never>(() => undefined);
    const hung = {
      ...client,
      channels: { ...client.channels, originateWithId: never, hangup: never, list: never },
      bridges: { ...client.bridges, addChannel: never },
    } as unknown as Client;
    const sut = new AriTelephony({ current: () => hung }, { app: 'hotline', requestTimeoutMs: 20 });
    await expect(sut.originate({ channelId: 'ring-c1-1', endpoint: 'PJSIP/agent1001', callerId: '138', timeoutMs: 10000 })).rejects.toEqual(
      new AriRequestTimeoutError('channels.originate ring-c1-1', 20),
    );
    await expect(sut.hangup('c1')).rejects.toBeInstanceOf(AriRequestTimeoutError);
    await expect(sut.addChannels('bridge-c1', ['c1'])).rejects.toBeInstanceOf(AriRequestTimeoutError);
    await expect(sut.listChannels()).rejects.toBeInstanceOf(AriRequestTimeoutError);
    expect(isNotFound(new AriRequestTimeoutError('channels.hangup c1', 20))).toBe(false);
    // Answers within the limit are passed through as before.
    await expect(sut.answer('c1')).resolves.toBeUndefined();
  });

  it('adding a vanished channel to the bridge → names the channel that is gone', async () => {
    const { client, failures } = fakeClient();
    const sut = new AriTelephony({ current: () => client }, { app: 'hotline' });
    failures.set('bridges.addChannel', new Error('{"message":"Channel not found"}'));
    await expect(sut.addChannels('bridge-c1', ['c1', 'ring-c1-2'])).rejects.toEqual(new TelephonyNotFoundError('channel', 'ring-c1-2'));
  });

  it('lists only our channels (app channels and agent legs) and our bridges', async () => {
    const { client } = fakeClient();
    const sut = new AriTelephony({ current: () => client }, { app: 'hotline' });
    expect(await sut.listChannels()).toEqual([
      { id: 'c1', state: 'Up', callerNumber: '138', calledNumber: '12345' },
      { id: 'ring-c1-1', state: 'Ringing', callerNumber: '', calledNumber: 's' },
    ]);
    expect(await sut.listBridges()).toEqual([{ id: 'bridge-c1', channelIds: ['c1', 'ring-c1-1'] }]);
  });
});
