/** SecretSource over node:crypto. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SecretSource } from '../../app/auth/auth.ports';

export const nodeSecretSource: SecretSource = {
  randomId: () => randomUUID(),
  randomSecret: () => randomBytes(32).toString('base64url'),
  sha256: (value) => createHash('sha256').update(value).digest('hex'),
  safeEqual: (a, b) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};
