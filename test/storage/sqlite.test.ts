import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { SqliteStore, SqliteStoreOptions } from '../../src/storage/sqlite/sqlite-store.js';
import { CompactedError, WatchOverflowError } from '../../src/storage/store.js';
import { createStore } from '../../src/storage/registry.js';
import { WatchRecorder, describeStoreContract, uniquePrefix } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-test-'));
let n = 0;
const freshPath = (): string => join(mkdtempSync(join(root, `s${n++}-`)), 'state.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract('sqlite', () => openSqliteStore({ path: freshPath() }));

describe('sqlite store', () => {
  const open: SqliteStore[] = [];
  async function openAt(path: string, opts: Partial<SqliteStoreOptions> = {}): Promise<SqliteStore> {
    const s = await openSqliteStore({ path, ...opts });
    open.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('keeps data, revision and compaction across a reopen', async () => {
    const path = freshPath();
    const s1 = await openAt(path);
    const a = await s1.create('/r/a', 'a1');
    await s1.create('/r/b', 'b1');
    await s1.delete('/r/b');
    const rev = await s1.currentRevision();
    // Compacting at the current revision removes the newest row (the delete); the revision
    // counter must not go back when the file is reopened.
    await s1.compact(rev);
    await s1.close();

    const s2 = await openAt(path);
    expect(await s2.currentRevision()).toBe(rev);
    expect(await s2.compactedRevision()).toBe(rev);
    expect(await s2.get('/r/a')).toEqual(a);
    expect(await s2.get('/r/b')).toBeUndefined();
    const c = await s2.create('/r/b', 'b2');
    expect(c.modRevision).toBe(rev + 1);
  });

  it('refuses a second open of the same file while the first is open', async () => {
    const path = freshPath();
    await openAt(path);
    await expect(openAt(path, { lockTimeoutMs: 0 })).rejects.toThrow(/locked/);
  });

  it('ends a watcher that falls too far behind with WatchOverflowError', async () => {
    const store = await openAt(freshPath(), { maxWatchBuffer: 10 });
    const p = uniquePrefix();
    const rec = new WatchRecorder();
    await store.watch(p, 0, rec);
    // All of these commit in one turn, before any delivery can happen.
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`${p}${i}`, 'x')));
    expect(await rec.waitForError()).toBeInstanceOf(WatchOverflowError);
    expect(rec.events).toHaveLength(0);
    expect(store.watcherCount).toBe(0);
    // Writers were not held up, and the caller can resume from the last revision it saw.
    const again = new WatchRecorder();
    await store.watch(p, 0, again);
    await again.waitForEvents(20);
  });

  it('replays a long history in pages while live writes continue, in order', async () => {
    const store = await openAt(freshPath(), { catchUpPageRevisions: 7 });
    const p = uniquePrefix();
    for (let i = 0; i < 100; i++) await store.create(`${p}${i % 2 ? 'x' : 'y'}/${i}`, String(i));
    const rec = new WatchRecorder();
    await store.watch(`${p}x/`, 0, rec);
    for (let i = 100; i < 120; i++) await store.create(`${p}${i % 2 ? 'x' : 'y'}/${i}`, String(i));
    const seen = await rec.waitForEvents(60);
    expect(seen.map((e) => Number(e.kv.value))).toEqual(Array.from({ length: 60 }, (_, i) => 2 * i + 1));
  });

  it('compacts in the background, keeping the configured number of revisions', async () => {
    const store = await openAt(freshPath(), { autoCompact: { intervalMs: 5, retainRevisions: 10 } });
    const p = uniquePrefix();
    let kv = await store.create(`${p}a`, '0');
    for (let i = 1; i < 50; i++) kv = await store.update(`${p}a`, String(i), kv.modRevision);
    await vi.waitFor(async () => expect(await store.compactedRevision()).toBe(40), { timeout: 10_000, interval: 5 });
    await expect(store.watch(p, 39, new WatchRecorder())).rejects.toBeInstanceOf(CompactedError);
    const rec = new WatchRecorder();
    await store.watch(p, 40, rec);
    expect((await rec.waitForEvents(10)).map((e) => e.kv.value)).toEqual(['40', '41', '42', '43', '44', '45', '46', '47', '48', '49']);
  });

  it('is registered as the "sqlite" backend, in <dataDir>/state.db', async () => {
    const dataDir = join(mkdtempSync(join(root, 'reg-')), 'nested');
    const s1 = await createStore('sqlite', { dataDir });
    await s1.create('/r/a', 'x');
    await s1.close();
    const s2 = await openAt(join(dataDir, 'state.db'));
    expect((await s2.get('/r/a'))?.value).toBe('x');
    const notADir = join(dataDir, 'state.db');
    await expect(createStore('sqlite', { dataDir: notADir })).rejects.toThrow(`open sqlite store at ${join(notADir, 'state.db')}`);
    await expect(createStore('nope', { dataDir })).rejects.toThrow(/unknown storage backend "nope"/);
  });
});
