/** SecretSource and SipSecretSource over node:crypto. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SecretSource } from '../../app/auth/auth.ports';
import type { SipSecretSource } from '../../app/agents/sip-credentials.ports';

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

/** SipSecretSource over node:crypto: 24 random bytes as base64url (32 characters, [A-Za-z0-9_-]). */
export const nodeSipSecrets: SipSecretSource = {
  randomSecret: () => randomBytes(24).toString('base64url'),
  md5Hex: (text) => createHash('md5').update(text, 'utf8').digest('hex'),
};
