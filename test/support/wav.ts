/**
 * 8 kHz mono WAV (RIFF header + samples), the formats Asterisk plays and records in the lab:
 * 16-bit linear PCM, or 8-bit u-law (what sipp's rtp_stream sends as PCMU).
 */
export function wav8k(samples: Buffer, encoding: 'pcm16' | 'ulaw' = 'pcm16'): Buffer {
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + samples.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(encoding === 'pcm16' ? 1 : 7, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000 * bytesPerSample, 28);
  h.writeUInt16LE(bytesPerSample, 32);
  h.writeUInt16LE(8 * bytesPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(samples.length, 40);
  return Buffer.concat([h, samples]);
}
