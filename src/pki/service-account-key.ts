// The ServiceAccount token signing key pair (RSA 2048, for RS256), `DATA/pki/sa.key` and `sa.pub`:
// created at first start, reused later.
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readIfExists, writeFileAtomic } from './files.js';

export interface ServiceAccountKey {
  privateKeyPem: string;
  publicKeyPem: string;
  /** Whether this call created the pair. */
  generated: boolean;
}

const generate = promisify(generateKeyPair);

export async function ensureServiceAccountKey(dataDir: string): Promise<ServiceAccountKey> {
  const keyPath = join(dataDir, 'pki', 'sa.key');
  const pubPath = join(dataDir, 'pki', 'sa.pub');
  const existing = await readIfExists(keyPath);
  if (existing !== undefined) {
    let publicKeyPem: string;
    try {
      publicKeyPem = createPublicKey(createPrivateKey(existing)).export({ type: 'spki', format: 'pem' }).toString();
    } catch (err) {
      throw new Error(`service account key ${keyPath} is unusable: ${(err as Error).message}`);
    }
    if ((await readIfExists(pubPath)) !== publicKeyPem) await writeFileAtomic(pubPath, publicKeyPem, 0o644);
    return { privateKeyPem: existing, publicKeyPem, generated: false };
  }
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await writeFileAtomic(keyPath, privateKeyPem, 0o600);
  await writeFileAtomic(pubPath, publicKeyPem, 0o644);
  return { privateKeyPem, publicKeyPem, generated: true };
}
