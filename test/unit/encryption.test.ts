/** Encryption at rest: providers, the EncryptionConfiguration reader, and EncryptingStore over a real SQLite store. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aesCbcTransformer, aesGcmTransformer, EncryptingStore, newAesKey, parseEncryptionConfig, renderEncryptionConfig, rewriteEncrypted,
} from '../../src/storage/encryption/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { WatchEvent } from '../../src/storage/store.js';

const KEY = '/registry/core/secrets/ns/s';

describe('providers', () => {
  it.each([
    ['aesgcm', (k: Buffer) => aesGcmTransformer('k1', k)],
    ['aescbc', (k: Buffer) => aesCbcTransformer('k1', k)],
  ])('%s round-trips with its upstream prefix and a fresh IV each time', (name, make) => {
    const t = make(randomBytes(32));
    const a = t.encrypt('{"data":{"p":"c2VjcmV0"}}', KEY);
    const b = t.encrypt('{"data":{"p":"c2VjcmV0"}}', KEY);
    expect(a.startsWith(`k8s:enc:${name}:v1:k1:`)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain('c2VjcmV0');
    expect(t.decrypt(a, KEY)).toBe('{"data":{"p":"c2VjcmV0"}}');
    expect(() => make(randomBytes(32)).decrypt(a, KEY)).toThrow();
  });

  it('aesgcm binds the value to its storage key', () => {
    const t = aesGcmTransformer('k1', randomBytes(32));
    const v = t.encrypt('x', KEY);
    expect(() => t.decrypt(v, '/registry/core/secrets/ns/other')).toThrow(/authentication failed/);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => aesGcmTransformer('k', randomBytes(10))).toThrow(/16, 24 or 32 bytes/);
  });
});

describe('EncryptionConfiguration', () => {
  it.each([
    ['kind: Foo\napiVersion: v1\n', /expected kind EncryptionConfiguration/],
    ['kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources: []\n', /resources: Required value/],
    ['kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources: [{resources: [secrets], providers: [{secretbox: {keys: [{name: a, secret: b}]}}]}]\n', /"secretbox" is not supported/],
    ['kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources: [{resources: [secrets], providers: [{aesgcm: {keys: []}}]}]\n', /keys: Required value/],
  ])('rejects %j', (text, err) => {
    expect(() => parseEncryptionConfig(text)).toThrow(err);
  });

  it('reads what renderEncryptionConfig writes: aesgcm keys in order, then identity', () => {
    const c = parseEncryptionConfig(renderEncryptionConfig([newAesKey('new'), newAesKey('old')], ['secrets', 'configmaps']));
    expect(c.rules[0]!.resources).toEqual(['secrets', 'configmaps']);
    expect(c.rules[0]!.transformers.map((t) => t.prefix)).toEqual(['k8s:enc:aesgcm:v1:new:', 'k8s:enc:aesgcm:v1:old:', '']);
  });
});

describe('EncryptingStore', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('encrypts covered keys only, decrypts gets, lists, deletes and watch events, and rewrites with a new key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-encstore-'));
    const raw = await openSqliteStore({ path: join(dir, 'state.db') });
    const k1 = newAesKey('k1');
    const k2 = newAesKey('k2');
    const store = new EncryptingStore(raw, parseEncryptionConfig(renderEncryptionConfig([k1])));
    const rotated = new EncryptingStore(raw, parseEncryptionConfig(renderEncryptionConfig([k2, k1])));
    const seen: WatchEvent[] = [];
    const w = await rotated.watch('/registry/', await store.currentRevision(), { onEvents: (e) => seen.push(...e), onError: () => {} });
    try {
      const created = await store.create(KEY, '{"v":1}');
      expect(created.value).toBe('{"v":1}');
      await store.create('/registry/core/configmaps/ns/c', '{"c":1}');
      expect((await raw.get(KEY))!.value.startsWith('k8s:enc:aesgcm:v1:k1:')).toBe(true);
      expect((await raw.get('/registry/core/configmaps/ns/c'))!.value).toBe('{"c":1}');
      expect((await store.get(KEY))!.value).toBe('{"v":1}');
      await store.update(KEY, '{"v":2}', created.modRevision);
      expect((await store.list({ prefix: '/registry/core/secrets/' })).items.map((i) => i.value)).toEqual(['{"v":2}']);
      expect(await rewriteEncrypted(rotated, ['/registry/core/secrets/'])).toBe(1);
      expect((await raw.get(KEY))!.value.startsWith('k8s:enc:aesgcm:v1:k2:')).toBe(true);
      expect(await rewriteEncrypted(rotated, ['/registry/core/secrets/'])).toBe(0);
      expect((await rotated.delete(KEY)).value).toBe('{"v":2}');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.filter((e) => e.kv.key === KEY).map((e) => [e.type, e.kv.value, e.prev?.value])).toEqual([
        ['put', '{"v":1}', undefined], ['put', '{"v":2}', '{"v":1}'], ['put', '{"v":2}', '{"v":2}'], ['delete', '{"v":2}', '{"v":2}'],
      ]);
    } finally {
      await w.close();
      await raw.close();
    }
  });

  it('a value no configured provider wrote is an error, not silently returned', async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-encstore-'));
    const raw = await openSqliteStore({ path: join(dir, 'state.db') });
    try {
      await new EncryptingStore(raw, parseEncryptionConfig(renderEncryptionConfig([newAesKey('a')]))).create(KEY, '{}');
      const other = new EncryptingStore(raw, parseEncryptionConfig(renderEncryptionConfig([newAesKey('b')])));
      await expect(other.get(KEY)).rejects.toThrow(/no matching prefix/);
    } finally {
      await raw.close();
    }
  });
});
