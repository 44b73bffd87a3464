/**
 * Upstream's EncryptionConfiguration file (apiserver.config.k8s.io/v1): for each list of resources,
 * the providers in order; the first one encrypts new writes, every one can read (its prefix picks it).
 * Providers: aesgcm, aescbc (keys: [{name, secret: base64}]; each key is a transformer, the first
 * key writes) and identity. secretbox and kms are refused with a clear message.
 */
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { aesCbcTransformer, aesGcmTransformer, EncryptionError, identityTransformer, type ValueTransformer } from './providers.js';

export interface EncryptionRule {
  /** As written: `secrets`, `configmaps`, `deployments.apps`, `*.apps`, `*.*`. */
  resources: string[];
  /** Readers in order; the first writes. */
  transformers: ValueTransformer[];
}

export interface EncryptionConfig {
  rules: EncryptionRule[];
}

export interface AesKey {
  name: string;
  /** base64 of the key bytes. */
  secret: string;
}

const API_VERSION = 'apiserver.config.k8s.io/v1';

export function parseEncryptionConfig(text: string, source = 'encryption configuration'): EncryptionConfig {
  let doc: any;
  try {
    doc = parse(text);
  } catch (err) {
    throw new EncryptionError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new EncryptionError(`${source}: empty`);
  if (doc.kind !== 'EncryptionConfiguration' || doc.apiVersion !== API_VERSION) {
    throw new EncryptionError(`${source}: expected kind EncryptionConfiguration, apiVersion ${API_VERSION}; got kind ${String(doc.kind)}, apiVersion ${String(doc.apiVersion)}`);
  }
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) throw new EncryptionError(`${source}: resources: Required value`);
  const rules: EncryptionRule[] = doc.resources.map((r: any, i: number) => {
    const where = `${source}: resources[${i}]`;
    if (!Array.isArray(r?.resources) || r.resources.length === 0) throw new EncryptionError(`${where}.resources: Required value`);
    if (!Array.isArray(r?.providers) || r.providers.length === 0) throw new EncryptionError(`${where}.providers: Required value`);
    const transformers: ValueTransformer[] = [];
    r.providers.forEach((p: any, j: number) => {
      const kinds = Object.keys(p ?? {});
      if (kinds.length !== 1) throw new EncryptionError(`${where}.providers[${j}]: exactly one provider must be set`);
      const kind = kinds[0]!;
      if (kind === 'identity') transformers.push(identityTransformer);
      else if (kind === 'aesgcm' || kind === 'aescbc') {
        const keys = p[kind]?.keys;
        if (!Array.isArray(keys) || keys.length === 0) throw new EncryptionError(`${where}.providers[${j}].${kind}.keys: Required value`);
        for (const k of keys) {
          if (!k?.name || typeof k.secret !== 'string') throw new EncryptionError(`${where}.providers[${j}].${kind}.keys: each key needs a name and a base64 secret`);
          const bytes = Buffer.from(k.secret, 'base64');
          transformers.push(kind === 'aesgcm' ? aesGcmTransformer(String(k.name), bytes) : aesCbcTransformer(String(k.name), bytes));
        }
      } else throw new EncryptionError(`${where}.providers[${j}]: provider "${kind}" is not supported by k8ts (use aesgcm, aescbc or identity)`);
    });
    return { resources: r.resources.map(String), transformers };
  });
  return { rules };
}

/** A fresh random 32-byte key named `name`. */
export function newAesKey(name: string): AesKey {
  return { name, secret: randomBytes(32).toString('base64') };
}

/** An EncryptionConfiguration that encrypts `resources` with AES-GCM `keys` (the first writes) and reads plain values too. */
export function renderEncryptionConfig(keys: AesKey[], resources: string[] = ['secrets']): string {
  return stringify({
    apiVersion: API_VERSION,
    kind: 'EncryptionConfiguration',
    resources: [{ resources, providers: [{ aesgcm: { keys } }, { identity: {} }] }],
  });
}

/** The AES-GCM keys (in order) and the resources of the first rule that covers `resource` (for rotation). */
export function aesGcmKeysOf(text: string, resource = 'secrets'): { keys: AesKey[]; resources: string[] } {
  const doc: any = parse(text);
  for (const r of doc?.resources ?? []) {
    if (!(r.resources ?? []).includes(resource)) continue;
    const p = (r.providers ?? []).find((x: any) => x?.aesgcm);
    const keys = p ? p.aesgcm.keys.map((k: any) => ({ name: String(k.name), secret: String(k.secret) })) : [];
    return { keys, resources: r.resources.map(String) };
  }
  return { keys: [], resources: [resource] };
}
