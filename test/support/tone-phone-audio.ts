/**
 * The audio side of a test phone whose signalling is sipp's (`rtpPort` of startCall /
 * startAgentPhone): a UDP socket that sends one pure tone as PCMU RTP and keeps what it receives.
 * What a phone receives is what its user hears, after everything Asterisk mixed, whispered or
 * played into it, so it answers "who hears whom" where a spy on Asterisk's side cannot (a snoop
 * taps a channel's audio before any whisper is mixed in).
 *
 * Symmetric RTP, as Asterisk's endpoints are set up: it sends to the address the latest packet came
 * from, so it starts sending once Asterisk sends to it (Asterisk sends from the port it listens on),
 * and follows the next call of the same phone.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { allocateUdpPort } from './sipp';
import { decodeUlaw, encodeUlaw, toneSamples } from './tones';

const PACKET_SAMPLES = 160; // 20 ms at 8 kHz
const PACKET_MS = 20;
const PCMU = 0;

/** The PCMU payload of an RTP packet; null for another payload type or a malformed packet. */
export function pcmuPayload(packet: Buffer): Buffer | null {
  if (packet.length < 12 || packet[0] === undefined || packet[1] === undefined) return null;
  const b0 = packet[0];
  if (b0 >> 6 !== 2 || (packet[1] & 0x7f) !== PCMU) return null;
  let offset = 12 + 4 * (b0 & 0x0f);
  if (b0 & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if (b0 & 0x20) end -= packet[packet.length - 1] ?? 0;
  return end >= offset ? packet.subarray(offset, end) : null;
}

/** One RTP packet of PCMU. */
export function pcmuPacket(seq: number, timestamp: number, ssrc: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = PCMU;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

interface Waiter {
  until: number;
  resolve: (samples: Int16Array) => void;
  from: number;
}

export class TonePhoneAudio {
  private readonly packets: Buffer[] = [];
  private readonly waiters = new Set<Waiter>();
  private remote: RemoteInfo | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;
  private startedAt = 0;
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    /** The tone it sends (Hz). */
    readonly toneHz: number,
  ) {
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    // A send to a port nobody listens on any more (the call ended) is not the test's failure.
    socket.on('error', () => undefined);
  }

  /** Binds a free port on 127.0.0.1 (give it to the sipp phone as `rtpPort`). */
  static async open(toneHz: number): Promise<TonePhoneAudio> {
    for (let tries = 0; tries < 20; tries += 1) {
      const port = await allocateUdpPort(2);
      const socket = createSocket('udp4');
      const bound = await new Promise<boolean>((done) => {
        socket.once('error', () => done(false));
        socket.bind(port, '127.0.0.1', () => done(true));
      });
      if (bound) return new TonePhoneAudio(socket, port, toneHz);
      socket.close();
    }
    throw new Error('TonePhoneAudio: no free UDP port');
  }

  /** Packets of audio received so far. */
  get received(): number {
    return this.packets.length;
  }

  /**
   * The audio of the next `packets` packets received from now on (20 ms each), decoded to 16-bit
   * samples: what the phone's user hears over that stretch.
   */
  next(packets: number, timeoutMs = 30_000): Promise<Int16Array> {
    const from = this.packets.length;
    return new Promise((resolve, reject) => {
      const w: Waiter = { from, until: from + packets, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`TonePhoneAudio ${this.port}: ${this.packets.length - from} of ${packets} packets received in ${timeoutMs} ms`));
      }, timeoutMs);
      w.resolve = (samples) => {
        clearTimeout(timer);
        resolve(samples);
      };
      this.waiters.add(w);
      this.settle();
    });
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return new Promise((done) => this.socket.close(() => done()));
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    const payload = pcmuPayload(msg);
    if (!payload) return;
    this.packets.push(Buffer.from(payload));
    // The latest source, as a phone with symmetric RTP: a later call of the same phone comes from another port.
    const first = !this.remote;
    if (first || this.remote?.port !== rinfo.port || this.remote.address !== rinfo.address) this.remote = rinfo;
    if (first) this.startSending();
    this.settle();
  }

  private settle(): void {
    for (const w of this.waiters) {
      if (this.packets.length < w.until) continue;
      this.waiters.delete(w);
      w.resolve(decodeUlaw(Buffer.concat(this.packets.slice(w.from, w.until))));
    }
  }

  /** 20-ms packets of the tone, paced by the clock: a late timer sends what is due (a few at most), not less. */
  private startSending(): void {
    this.startedAt = Date.now();
    const tick = (): void => {
      const remote = this.remote;
      if (!remote) return;
      let due = Math.floor((Date.now() - this.startedAt) / PACKET_MS) + 1;
      // After a long stall, start again from now rather than flood Asterisk with old audio.
      if (due - this.sent > 5) {
        this.startedAt = Date.now() - this.sent * PACKET_MS;
        due = this.sent + 1;
      }
      while (this.sent < due) {
        const n = this.sent;
        const payload = encodeUlaw(toneSamples(this.toneHz, PACKET_SAMPLES, 0.25, n * PACKET_SAMPLES));
        this.socket.send(pcmuPacket(n, n * PACKET_SAMPLES, this.ssrc, payload), remote.port, remote.address);
        this.sent += 1;
      }
    };
    tick();
    this.timer = setInterval(tick, PACKET_MS / 2);
  }
}
