/**
 * Value transformers of upstream's EncryptionConfiguration providers. An encrypted value is
 * `k8s:enc:<provider>:v1:<keyName>:` followed by the base64 of the provider's bytes (upstream
 * stores the raw bytes in etcd; k8ts' stores hold strings):
 *  - aesgcm: 12-byte nonce, ciphertext, 16-byte tag; the storage key is the authenticated data;
 *  - aescbc: 16-byte IV, AES-CBC ciphertext with PKCS#7 padding.
 * `identity` stores values as they are. secretbox (XSalsa20-Poly1305) has no Node built-in and
 * is refused when configured.
 */
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';

export interface ValueTransformer {
  /** The prefix of values this transformer wrote ('' for identity). */
  readonly prefix: string;
  encrypt(plaintext: string, key: string): string;
  /** Decrypts a value that starts with `prefix`. */
  decrypt(value: string, key: string): string;
}

export class EncryptionError extends Error {
  override readonly name = 'EncryptionError';
}

export const identityTransformer: ValueTransformer = {
  prefix: '',
  encrypt: (plaintext) => plaintext,
  decrypt: (value) => value,
};

export function aesGcmTransformer(keyName: string, secret: Buffer): ValueTransformer {
  if (![16, 24, 32].includes(secret.length)) throw new EncryptionError(`aesgcm key "${keyName}" must be 16, 24 or 32 bytes, got ${secret.length}`);
  const algorithm = `aes-${secret.length * 8}-gcm` as CipherGCMTypes;
  const prefix = `k8s:enc:aesgcm:v1:${keyName}:`;
  return {
    prefix,
    encrypt(plaintext, key) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, secret, nonce);
      c.setAAD(Buffer.from(key, 'utf8'));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return prefix + Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64');
    },
    decrypt(value, key) {
      const raw = Buffer.from(value.slice(prefix.length), 'base64');
      if (raw.length < 28) throw new EncryptionError('the stored data was shorter than the required size');
      const d = createDecipheriv(algorithm, secret, raw.subarray(0, 12));
      d.setAAD(Buffer.from(key, 'utf8'));
      d.setAuthTag(raw.subarray(raw.length - 16));
      try {
        return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
      } catch {
        throw new EncryptionError(`aesgcm key "${keyName}": message authentication failed`);
      }
    },
  };
}

export function aesCbcTransformer(keyName: string, secret: Buffer): ValueTransformer {
  if (![16, 24, 32].includes(secret.length)) throw new EncryptionError(`aescbc key "${keyName}" must be 16, 24 or 32 bytes, got ${secret.length}`);
  const algorithm = `aes-${secret.length * 8}-cbc` as const;
  const prefix = `k8s:enc:aescbc:v1:${keyName}:`;
  return {
    prefix,
    encrypt(plaintext) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, secret, iv);
      return prefix + Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final()]).toString('base64');
    },
    decrypt(value) {
      const raw = Buffer.from(value.slice(prefix.length), 'base64');
      if (raw.length < 32 || raw.length % 16 !== 0) throw new EncryptionError('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algorithm, secret, raw.subarray(0, 16));
      try {
        return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
      } catch {
        throw new EncryptionError(`aescbc key "${keyName}": invalid padding on input`);
      }
    },
  };
}
