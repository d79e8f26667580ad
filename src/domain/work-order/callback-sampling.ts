/**
 * Deterministic callback sampling: the same order always gets the same answer, so re-running a
 * step or a sweep never flips it. FNV-1a over the id, mapped to [0, 1).
 */
export function callbackSampleValue(orderId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i += 1) {
    hash ^= orderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

export function isSampledForCallback(orderId: string, samplingRate: number): boolean {
  if (samplingRate >= 1) return true;
  if (samplingRate <= 0) return false;
  return callbackSampleValue(orderId) < samplingRate;
}
