import { pcmuPacket, pcmuPayload } from '../../support/tone-phone-audio';
import { decodeUlaw, encodeUlaw, hearing, linearToUlaw, toneAmplitude, toneSamples, ulawToLinear } from '../../support/tones';

const CALLER = 440;
const AGENT = 660;
const SUPERVISOR = 1000;
const TONES = [CALLER, AGENT, SUPERVISOR];
const SECOND = 8000;

/** The sum of tones, each with its own amplitude (fraction of full scale). */
function mix(parts: Array<[hz: number, amplitude: number]>, count = 2 * SECOND): Int16Array {
  const out = new Int16Array(count);
  for (const [hz, a] of parts) {
    const t = toneSamples(hz, count, a);
    for (let i = 0; i < count; i += 1) out[i] = Math.max(-32768, Math.min(32767, (out[i] ?? 0) + (t[i] ?? 0)));
  }
  return out;
}

/** Deterministic white noise (a linear congruential generator) at `amplitude` of full scale. */
function noise(count: number, amplitude: number, seed = 7): Int16Array {
  let x = seed;
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    x = (1103515245 * x + 12345) % 2147483648;
    out[i] = Math.round((x / 2147483648 - 0.5) * 2 * amplitude * 32767);
  }
  return out;
}

function plus(a: Int16Array, b: Int16Array): Int16Array {
  return a.map((v, i) => Math.max(-32768, Math.min(32767, v + (b[i] ?? 0))));
}

/** Through G.711 u-law and back, as every packet of the lab's phones. */
const viaUlaw = (s: Int16Array) => decodeUlaw(encodeUlaw(s));

describe('tones: Goertzel levels and what a phone heard', () => {
  it('measures a tone\'s amplitude, and nearly nothing at another frequency', () => {
    const s = toneSamples(SUPERVISOR, SECOND, 0.25);
    expect(toneAmplitude(s, SUPERVISOR) / (0.25 * 32767)).toBeCloseTo(1, 2);
    expect(toneAmplitude(s, AGENT) / (0.25 * 32767)).toBeLessThan(0.001);
    expect(toneAmplitude(new Int16Array(0), SUPERVISOR)).toBe(0);
  });

  it('hears exactly the tones a mix holds, whichever they are', () => {
    expect(hearing(mix([[CALLER, 0.25], [AGENT, 0.25]]), TONES).heard).toEqual([CALLER, AGENT]);
    expect(hearing(mix([[CALLER, 0.25], [SUPERVISOR, 0.25]]), TONES).heard).toEqual([CALLER, SUPERVISOR]);
    expect(hearing(mix([[CALLER, 0.2], [AGENT, 0.2], [SUPERVISOR, 0.2]]), TONES).heard).toEqual(TONES);
    expect(hearing(mix([[AGENT, 0.25]]), TONES).heard).toEqual([AGENT]);
  });

  it('judges by ratios: the same mix far quieter or louder is heard the same', () => {
    for (const a of [0.005, 0.05, 0.3]) {
      expect(hearing(mix([[CALLER, a], [SUPERVISOR, a]]), TONES).heard).toEqual([CALLER, SUPERVISOR]);
    }
  });

  it('survives G.711 u-law and background noise', () => {
    const clean = mix([[CALLER, 0.25], [SUPERVISOR, 0.25]]);
    expect(hearing(viaUlaw(clean), TONES).heard).toEqual([CALLER, SUPERVISOR]);
    const noisy = plus(clean, noise(clean.length, 0.02));
    expect(hearing(viaUlaw(noisy), TONES).heard).toEqual([CALLER, SUPERVISOR]);
    expect(hearing(viaUlaw(plus(mix([[CALLER, 0.25]]), noise(2 * SECOND, 0.02))), TONES).heard).toEqual([CALLER]);
  });

  it('a tone far below the others (a faint leak) is not heard; one a little quieter is', () => {
    expect(hearing(mix([[CALLER, 0.25], [SUPERVISOR, 0.25 / 4]]), TONES).heard).toEqual([CALLER, SUPERVISOR]); // -12 dB
    expect(hearing(mix([[CALLER, 0.25], [SUPERVISOR, 0.25 / 100]]), TONES).heard).toEqual([CALLER]); // -40 dB
  });

  it('silence and plain noise hold no tone', () => {
    expect(hearing(new Int16Array(SECOND), TONES).heard).toEqual([]);
    expect(hearing(viaUlaw(noise(SECOND, 0.1)), TONES).heard).toEqual([]);
  });

  it('a tone that plays over part of the stretch is still heard (a supervisor joining as it starts)', () => {
    const s = mix([[CALLER, 0.25]]);
    const late = toneSamples(SUPERVISOR, s.length, 0.25).map((v, i) => (i < s.length / 5 ? 0 : v));
    expect(hearing(plus(s, late), TONES).heard).toEqual([CALLER, SUPERVISOR]);
  });

  it('reports each tone\'s level above the noise floor; u-law\'s own distortion of one tone stays far below it', () => {
    const h = hearing(viaUlaw(mix([[CALLER, 0.25]])), TONES);
    expect(h.levels[String(CALLER)]).toBeGreaterThan(40);
    // A pure tone through u-law has aliased harmonics everywhere (1 kHz is one of 440 Hz's), far below the tone.
    expect((h.levels[String(CALLER)] ?? 0) - (h.levels[String(SUPERVISOR)] ?? 0)).toBeGreaterThan(30);
    expect(h.heard).toEqual([CALLER]);
  });

  it('u-law: every code decodes and encodes back to itself; linear samples round-trip closely', () => {
    for (let code = 0; code < 256; code += 1) {
      // 0x7f and 0xff are both zero; zero encodes as 0xff.
      if (code === 0x7f) continue;
      expect(linearToUlaw(ulawToLinear(code))).toBe(code);
    }
    for (const v of [0, 100, -100, 1000, -1000, 8000, -8000, 30000, -30000]) {
      expect(Math.abs(ulawToLinear(linearToUlaw(v)) - v)).toBeLessThanOrEqual(Math.max(8, Math.abs(v) / 16));
    }
  });

  it('RTP: the PCMU payload of a packet, past CSRCs, an extension and padding; other payload types refused', () => {
    const payload = encodeUlaw(toneSamples(SUPERVISOR, 160));
    expect(pcmuPayload(pcmuPacket(1, 160, 42, payload))).toEqual(payload);
    const h = Buffer.from(pcmuPacket(1, 160, 42, Buffer.alloc(0)));
    h[0] = 0x80 | 0x20 | 0x10 | 1; // padding, extension, one CSRC
    const csrc = Buffer.alloc(4);
    const ext = Buffer.from([0xbe, 0xde, 0x00, 0x01, 1, 2, 3, 4]);
    const pad = Buffer.from([0, 0, 3]);
    expect(pcmuPayload(Buffer.concat([h, csrc, ext, payload, pad]))).toEqual(payload);
    const event = Buffer.from(pcmuPacket(1, 160, 42, payload));
    event[1] = 101;
    expect(pcmuPayload(event)).toBeNull();
    expect(pcmuPayload(Buffer.alloc(5))).toBeNull();
  });
});
