/**
 * Secrets encrypted at rest: nothing in the data directory shows a Secret's value (plain or base64),
 * the server reads it back after a restart, and `k8ts secrets rotate-key` re-encrypts every Secret
 * with a new key so the old key decrypts nothing.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptingStore, parseEncryptionConfig, renderEncryptionConfig } from '../../src/storage/encryption/index.js';
import { createStore } from '../../src/storage/registry.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** Every file under dir whose bytes contain needle. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const n = Buffer.from(needle);
  for await (const f of files(dir)) {
    if ((await stat(f)).size > 512 * 1024 * 1024) continue;
    if ((await readFile(f)).includes(n)) hits.push(f);
  }
  return hits;
}

const dirs: string[] = [];
let t: TestServer | undefined;
afterAll(async () => {
  await t?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const k8ts = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], { cwd: ROOT });

describe('Secrets at rest', () => {
  it('are encrypted in the data directory, readable after restart, and re-encrypted by key rotation', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-enc-'));
    dirs.push(dataDir);
    const value = `Sup3r-${randomBytes(8).toString('hex')}`;
    const b64 = Buffer.from(value).toString('base64');
    const cmValue = `visible-${randomBytes(8).toString('hex')}`;

    t = await startTestServer({ apiOnly: true, dataDir });
    await t.ok(['create', 'secret', 'generic', 'db', `--from-literal=password=${value}`]);
    await t.ok(['create', 'configmap', 'plain', `--from-literal=v=${cmValue}`]);
    expect(Buffer.from((await t.ok(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'])), 'base64').toString()).toBe(value);

    // The grep sees what is stored: the ConfigMap (not encrypted) shows; the Secret does not.
    expect((await filesContaining(dataDir, cmValue)).length).toBeGreaterThan(0);
    expect(await filesContaining(dataDir, value)).toEqual([]);
    expect(await filesContaining(dataDir, b64)).toEqual([]);
    const raw = await (t.server.store as EncryptingStore).getRaw('/registry/core/secrets/default/db');
    expect(raw?.value.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    const configPath = join(dataDir, 'server', 'encryption-config.yaml');
    const firstConfig = await readFile(configPath, 'utf8');
    expect(firstConfig).toContain('kind: EncryptionConfiguration');

    // Rotation refuses while the server holds the store.
    await expect(k8ts(['secrets', 'rotate-key', '--data-dir', dataDir])).rejects.toThrow(/stop the k8ts server/);

    await t.stop();
    t = await startTestServer({ apiOnly: true, dataDir });
    expect(Buffer.from((await t.ok(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'])), 'base64').toString()).toBe(value);
    await t.ok(['create', 'secret', 'generic', 'second', '--from-literal=k=v2']);
    await t.stop();
    t = undefined;

    const out = await k8ts(['secrets', 'rotate-key', '--data-dir', dataDir]);
    expect(out.stdout).toContain('rotated to key key2: 2 values re-encrypted, dropped key1');
    const rotated = await readFile(configPath, 'utf8');
    expect(rotated).toContain('name: key2');
    expect(rotated).not.toContain('name: key1');

    // The old key alone decrypts nothing any more; the new configuration reads everything.
    const oldOnly = parseEncryptionConfig(firstConfig.replace(/\n\s*- identity: \{\}\n?/, '\n'));
    const store = await createStore('sqlite', { dataDir });
    try {
      expect(oldOnly.rules[0]!.transformers.some((x) => x.prefix === '')).toBe(false);
      await expect(new EncryptingStore(store, oldOnly).get('/registry/core/secrets/default/db')).rejects.toThrow(/no matching prefix/);
      const current = new EncryptingStore(store, parseEncryptionConfig(rotated));
      const kv = await current.getRaw('/registry/core/secrets/default/second');
      expect(kv?.value.startsWith('k8s:enc:aesgcm:v1:key2:')).toBe(true);
      expect(JSON.parse((await current.get('/registry/core/secrets/default/db'))!.value).data.password).toBe(b64);
    } finally {
      await store.close();
    }

    t = await startTestServer({ apiOnly: true, dataDir });
    expect(Buffer.from((await t.ok(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'])), 'base64').toString()).toBe(value);
    expect(await filesContaining(dataDir, value)).toEqual([]);
  }, 120_000);

  it('uses a given EncryptionConfiguration file (aescbc) instead of generating one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-enc-'));
    dirs.push(dataDir);
    const cfg = join(dataDir, 'my-encryption.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(cfg, renderEncryptionConfig([{ name: 'mine', secret: randomBytes(32).toString('base64') }], ['secrets', 'configmaps'])
      .replace('aesgcm', 'aescbc'));
    const s = await startTestServer({ apiOnly: true, dataDir, encryptionProviderConfig: cfg });
    try {
      await s.ok(['create', 'configmap', 'c', '--from-literal=k=hidden-configmap-value']);
      const raw = await (s.server.store as EncryptingStore).getRaw('/registry/core/configmaps/default/c');
      expect(raw?.value.startsWith('k8s:enc:aescbc:v1:mine:')).toBe(true);
      expect(await s.ok(['get', 'configmap', 'c', '-o', 'jsonpath={.data.k}'])).toBe('hidden-configmap-value');
      expect(await filesContaining(dataDir, 'hidden-configmap-value')).toEqual([]);
    } finally {
      await s.stop();
    }
  }, 60_000);
});
