/**
 * Encryption at rest wiring: which EncryptionConfiguration the server uses (the file given, else
 * DATA/server/encryption-config.yaml, created with a random AES-GCM key at first start), and the
 * offline key rotation behind `k8ts secrets rotate-key`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../pki/files.js';
import {
  aesGcmKeysOf, EncryptingStore, newAesKey, parseEncryptionConfig, renderEncryptionConfig, rewriteEncrypted, type EncryptionConfig,
} from '../storage/encryption/index.js';
import { createStore } from '../storage/registry.js';
import type { Store } from '../storage/store.js';

export function defaultEncryptionConfigPath(dataDir: string): string {
  return join(dataDir, 'server', 'encryption-config.yaml');
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Loads (creating the default when absent) the encryption configuration. */
export async function loadEncryptionConfig(dataDir: string, explicitPath?: string): Promise<{ path: string; config: EncryptionConfig; generated: boolean }> {
  if (explicitPath) {
    const text = await readFile(explicitPath, 'utf8').catch((err: unknown) => {
      throw new Error(`read --encryption-provider-config ${explicitPath}`, { cause: err });
    });
    return { path: explicitPath, config: parseEncryptionConfig(text, explicitPath), generated: false };
  }
  const path = defaultEncryptionConfigPath(dataDir);
  let text = await readOrUndefined(path);
  let generated = false;
  if (text === undefined) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    text = renderEncryptionConfig([newAesKey('key1')]);
    await writeFileAtomic(path, text, 0o600);
    generated = true;
  }
  return { path, config: parseEncryptionConfig(text, path), generated };
}

/** Wraps a store so the configured resources are encrypted at rest. */
export function encryptStore(store: Store, config: EncryptionConfig): EncryptingStore {
  return new EncryptingStore(store, config);
}

/** The API server URL of DATA/kubeconfig.yaml when something accepts connections there. */
async function serverAnswering(dataDir: string): Promise<string | undefined> {
  const kubeconfig = await readOrUndefined(join(dataDir, 'kubeconfig.yaml'));
  const m = kubeconfig && /server:\s*(https?:\/\/\S+)/.exec(kubeconfig);
  if (!m) return undefined;
  const url = new URL(m[1]!);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up ? m[1] : undefined);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Storage key prefixes of the resources a configuration names (`*.*` and `*.group` widen them). */
function prefixesOf(config: EncryptionConfig): string[] {
  const out = new Set<string>();
  for (const r of config.rules) {
    for (const name of r.resources) {
      if (name === '*.*') out.add('/registry/');
      else if (name.startsWith('*.')) out.add(`/registry/${name.slice(2) || 'core'}/`);
      else {
        const i = name.indexOf('.');
        out.add(i < 0 ? `/registry/core/${name}/` : `/registry/${name.slice(i + 1)}/${name.slice(0, i)}/`);
      }
    }
  }
  return [...out];
}

export interface RotateOptions {
  dataDir: string;
  /** The configuration file (default DATA/server/encryption-config.yaml). */
  configPath?: string;
  store?: 'sqlite' | 'etcd';
  etcdEndpoints?: string[];
  log?: (msg: string) => void;
}

export interface RotateResult {
  configPath: string;
  newKey: string;
  droppedKeys: string[];
  rewritten: number;
}

/**
 * Rotates the AES-GCM key of the configuration, with the server stopped: (1) the configuration
 * gets a new key first (the old ones still read); (2) every covered value is rewritten with the new
 * key and the store's history is compacted so no older revision keeps the old ciphertext; (3) the
 * old keys are dropped from the configuration. A failure before (3) leaves a configuration that
 * reads everything, so the command can simply be run again.
 */
export async function rotateEncryptionKey(o: RotateOptions): Promise<RotateResult> {
  const log = o.log ?? (() => {});
  const configPath = o.configPath ?? defaultEncryptionConfigPath(o.dataDir);
  const text = await readOrUndefined(configPath);
  if (text === undefined) throw new Error(`no encryption configuration at ${configPath} (start the server once to create it)`);
  parseEncryptionConfig(text, configPath);
  const { keys: oldKeys, resources } = aesGcmKeysOf(text);
  if (oldKeys.length === 0) throw new Error(`${configPath} has no aesgcm provider for secrets; k8ts rotates aesgcm keys only`);
  const used = new Set(oldKeys.map((k) => k.name));
  let n = oldKeys.length + 1;
  while (used.has(`key${n}`)) n++;
  const fresh = newAesKey(`key${n}`);

  const running = await serverAnswering(o.dataDir);
  if (running) throw new Error(`a k8ts server is running on ${o.dataDir} (${running}): stop the k8ts server before rotating keys`);
  let raw: Store;
  try {
    raw = await createStore(o.store ?? 'sqlite', { dataDir: o.dataDir, etcdEndpoints: o.etcdEndpoints });
  } catch (err) {
    const locked = /locked|busy/i.test(String((err as Error)?.cause ?? err));
    throw new Error(locked ? `the store in ${o.dataDir} is in use: stop the k8ts server before rotating keys` : 'open the store', { cause: err });
  }
  try {
    const step1 = renderEncryptionConfig([fresh, ...oldKeys], resources);
    await writeFileAtomic(configPath, step1, 0o600);
    log(`added key ${fresh.name} first in ${configPath}`);
    const config = parseEncryptionConfig(step1, configPath);
    const store = new EncryptingStore(raw, config);
    const rewritten = await rewriteEncrypted(store, prefixesOf(config));
    log(`rewrote ${rewritten} values with key ${fresh.name}`);
    await store.compact(await store.currentRevision());
    await writeFileAtomic(configPath, renderEncryptionConfig([fresh], resources), 0o600);
    log(`dropped ${oldKeys.map((k) => k.name).join(', ')} from ${configPath}`);
    return { configPath, newKey: fresh.name, droppedKeys: oldKeys.map((k) => k.name), rewritten };
  } finally {
    await raw.close();
  }
}
