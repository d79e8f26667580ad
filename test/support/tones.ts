/**
 * Pure tones as the test phones send them, and what a phone heard: G.711 u-law (what the lab's
 * phones speak), and a Goertzel filter that measures one frequency in a block of samples.
 *
 * "Heard" is judged by ratios only, never by an absolute level (which depends on the mix, the codec
 * and the load): a tone is heard when it stands well above the block's own noise floor (the median
 * level at frequencies nobody sends) and is not far below the loudest tone of the block.
 */

export const SAMPLE_RATE = 8000;

/** `count` samples (16-bit) of `hz` at `amplitude` (a fraction of full scale), starting `phase` samples in. */
export function toneSamples(hz: number, count: number, amplitude = 0.25, phase = 0, rate = SAMPLE_RATE): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * (i + phase)) / rate));
  return out;
}

export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}

export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

export function encodeUlaw(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = linearToUlaw(samples[i] ?? 0);
  return out;
}

export function decodeUlaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = ulawToLinear(bytes[i] ?? 0xff);
  return out;
}

/**
 * The amplitude of the `hz` component of `samples` (Goertzel over a Hann window, which keeps a
 * loud tone nearby from leaking into the one measured): about A for A·sin(2π·hz·t).
 */
export function toneAmplitude(samples: ArrayLike<number>, hz: number, rate = SAMPLE_RATE): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i += 1) {
    const w = n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowSum += w;
    const s0 = w * (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  return (2 * Math.sqrt(power)) / windowSum;
}

export interface Hearing {
  /** The tones heard, in the order asked. */
  heard: number[];
  /** Each tone's level in dB above the noise floor (rounded), for a failure message. */
  levels: Record<string, number>;
}

export interface HearingOptions {
  /** A tone this far (dB) below the loudest one asked is not heard; default 20. */
  belowLoudestDb?: number;
  /** Nothing is heard unless a tone stands this far (dB) above the noise floor; default 20. */
  aboveFloorDb?: number;
  rate?: number;
}

/** How far (Hz) a noise-floor probe stays from every tone asked. */
const PROBE_CLEARANCE_HZ = 60;

/**
 * Which of `tones` the block holds. The noise floor is the median level at probe frequencies every
 * 50 Hz from 150 Hz to 3.8 kHz, away from the tones asked (a mix's distortion products fall on a few
 * probes, not on most).
 */
export function hearing(samples: ArrayLike<number>, tones: readonly number[], opts: HearingOptions = {}): Hearing {
  const rate = opts.rate ?? SAMPLE_RATE;
  const probes: number[] = [];
  for (let f = 150; f <= 3800; f += 50) if (tones.every((t) => Math.abs(t - f) > PROBE_CLEARANCE_HZ)) probes.push(f);
  const floorLevels = probes.map((f) => toneAmplitude(samples, f, rate)).sort((a, b) => a - b);
  // A floor of at least one quantisation step: a block of pure digital silence is not "infinitely" quiet.
  const floor = Math.max(floorLevels[Math.floor(floorLevels.length / 2)] ?? 0, 0.5);
  const db = (a: number) => 20 * Math.log10(Math.max(a, 1e-9) / floor);
  const levels = tones.map((t) => db(toneAmplitude(samples, t, rate)));
  const loudest = Math.max(...levels);
  const heard = tones.filter((_, i) => {
    const l = levels[i] ?? -Infinity;
    return loudest >= (opts.aboveFloorDb ?? 20) && l >= (opts.aboveFloorDb ?? 20) && l >= loudest - (opts.belowLoudestDb ?? 20);
  });
  return { heard, levels: Object.fromEntries(tones.map((t, i) => [String(t), Math.round(levels[i] ?? 0)])) };
}
