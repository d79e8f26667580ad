import { asCallId } from '../../../src/shared/ids';
import {
  bridgeId,
  callIdForChannel,
  isAgentLegId,
  parseBridgeId,
  parsePlaybackId,
  parseRingChannelId,
  playbackId,
  recordingName,
  ringChannelId,
} from '../../../src/domain/call/call.ids';

describe('call ids', () => {
  const callId = asCallId('1732365123.45');

  it('derives ARI ids from the call id', () => {
    expect(callIdForChannel('1732365123.45')).toBe(callId);
    expect(ringChannelId(callId, 2)).toBe('ring-1732365123.45-2');
    expect(bridgeId(callId)).toBe('bridge-1732365123.45');
    expect(playbackId(callId, 3)).toBe('pb-1732365123.45-3');
    expect(recordingName(callId)).toBe('call-1732365123.45');
  });

  it('parses them back, also for call ids with dashes', () => {
    const dashed = asCallId('node-a-1732365123.45');
    expect(parseRingChannelId(ringChannelId(dashed, 12))).toEqual({ callId: dashed, attempt: 12 });
    expect(parseBridgeId(bridgeId(dashed))).toBe(dashed);
    expect(parsePlaybackId(playbackId(dashed, 1))).toEqual({ callId: dashed, n: 1 });
  });

  it('rejects ids that are not ours', () => {
    expect(parseRingChannelId('1732365123.45')).toBeNull();
    expect(parseRingChannelId('ring-abc')).toBeNull();
    expect(parseBridgeId('holding')).toBeNull();
    expect(parsePlaybackId('pb-x')).toBeNull();
    expect(isAgentLegId('ring-x-1')).toBe(true);
    expect(isAgentLegId('1732365123.45')).toBe(false);
  });
});
