/**
 * test/storage/store-contract: the behaviour every Store backend must show, as one suite.
 * A backend's test file calls describeStoreContract(name, makeStore); makeStore returns a
 * fresh store (it may share a server with other tests: every test works under its own prefix
 * and only relies on revisions it wrote itself).
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  NotFoundError,
  StoreError,
} from '../../src/storage/store.js';
import type { Store, WatchEvent, WatchHandlers, Watcher } from '../../src/storage/store.js';

let prefixCounter = 0;
/** A prefix no other test (or earlier run against the same server) uses. */
export function uniquePrefix(): string {
  return `/contract/${process.pid}-${Date.now().toString(36)}-${prefixCounter++}/`;
}

const WAIT = { timeout: 10_000, interval: 5 };

/** Collects what a watch delivers. */
export class WatchRecorder implements WatchHandlers {
  readonly events: WatchEvent[] = [];
  readonly errors: Error[] = [];
  batches = 0;

  onEvents(events: WatchEvent[]): void {
    this.batches++;
    this.events.push(...events);
  }

  onError(err: Error): void {
    this.errors.push(err);
  }

  /** Waits until at least n events have arrived (fails on a watch error). */
  async waitForEvents(n: number): Promise<WatchEvent[]> {
    await vi.waitFor(() => {
      if (this.errors.length) throw new Error(`watch failed: ${this.errors[0]!.message}`);
      expect(this.events.length).toBeGreaterThanOrEqual(n);
    }, WAIT);
    return this.events;
  }

  async waitForError(): Promise<Error> {
    await vi.waitFor(() => expect(this.errors.length).toBeGreaterThan(0), WAIT);
    return this.errors[0]!;
  }

  /** Waits for the event at revision `rev` and returns everything received up to then. */
  async waitForRevision(rev: number): Promise<WatchEvent[]> {
    await vi.waitFor(() => {
      if (this.errors.length) throw new Error(`watch failed: ${this.errors[0]!.message}`);
      expect(this.events.some((e) => e.revision >= rev)).toBe(true);
    }, WAIT);
    return this.events.filter((e) => e.revision <= rev);
  }
}

/** The error a watch ends with, whether watch() threw it or onError reported it. */
export async function watchError(store: Store, prefix: string, afterRevision: number): Promise<Error> {
  const rec = new WatchRecorder();
  let w: Watcher;
  try {
    w = await store.watch(prefix, afterRevision, rec);
  } catch (err) {
    return err as Error;
  }
  try {
    return await rec.waitForError();
  } finally {
    await w.close();
  }
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.kv.key} ${e.kv.value}@${e.revision}`);
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const open: Store[] = [];
    const watchers: Watcher[] = [];
    async function newStore(): Promise<Store> {
      const s = await makeStore();
      open.push(s);
      return s;
    }
    async function watch(store: Store, prefix: string, after: number): Promise<WatchRecorder> {
      const rec = new WatchRecorder();
      watchers.push(await store.watch(prefix, after, rec));
      return rec;
    }
    afterEach(async () => {
      for (const w of watchers.splice(0)) await w.close();
      for (const s of open.splice(0)) await s.close();
    });

    it('creates a key and reads it back', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const kv = await store.create(`${p}a`, '{"v":1}');
      expect(kv).toEqual({ key: `${p}a`, value: '{"v":1}', createRevision: kv.modRevision, modRevision: kv.modRevision });
      expect(kv.modRevision).toBeGreaterThan(0);
      expect(await store.get(`${p}a`)).toEqual(kv);
      expect(await store.get(`${p}missing`)).toBeUndefined();
    });

    it('refuses to create a key that exists, and allows it again after a delete', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const first = await store.create(`${p}a`, 'one');
      const err = await store.create(`${p}a`, 'two').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyExistsError);
      expect((err as StoreError).key).toBe(`${p}a`);
      expect((await store.get(`${p}a`))?.value).toBe('one');
      await store.delete(`${p}a`);
      const again = await store.create(`${p}a`, 'three');
      expect(again.createRevision).toBeGreaterThan(first.createRevision);
      expect(again.createRevision).toBe(again.modRevision);
    });

    it('updates only at the expected revision', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const created = await store.create(`${p}a`, 'one');
      const updated = await store.update(`${p}a`, 'two', created.modRevision);
      expect(updated.value).toBe('two');
      expect(updated.createRevision).toBe(created.createRevision);
      expect(updated.modRevision).toBeGreaterThan(created.modRevision);
      expect(await store.get(`${p}a`)).toEqual(updated);

      await expect(store.update(`${p}a`, 'stale', created.modRevision)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get(`${p}a`))?.value).toBe('two');
    });

    it('reports NotFound when updating or deleting a missing key', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      await expect(store.update(`${p}nope`, 'x', 1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete(`${p}nope`)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete(`${p}nope`, 1)).rejects.toBeInstanceOf(NotFoundError);
      const kv = await store.create(`${p}gone`, 'x');
      await store.delete(`${p}gone`);
      await expect(store.update(`${p}gone`, 'y', kv.modRevision)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete(`${p}gone`)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deletes with a revision precondition and returns the deleted value', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const v1 = await store.create(`${p}a`, 'one');
      const v2 = await store.update(`${p}a`, 'two', v1.modRevision);
      await expect(store.delete(`${p}a`, v1.modRevision)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get(`${p}a`)).toEqual(v2);
      const deleted = await store.delete(`${p}a`, v2.modRevision);
      expect(deleted).toEqual(v2);
      expect(await store.get(`${p}a`)).toBeUndefined();
      expect(await store.currentRevision()).toBeGreaterThan(v2.modRevision);
    });

    it('lists keys under a prefix, in key order, without a sibling prefix', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      // 'a.' and 'a0' sit just below and just above the range of 'a/' ('0' follows '/').
      for (const k of ['a/2', 'a/1', 'ab/1', 'a', 'b/1', 'a/0/x', 'a.', 'a0']) await store.create(`${p}${k}`, k);
      const res = await store.list({ prefix: `${p}a/` });
      expect(res.items.map((i) => i.key)).toEqual([`${p}a/0/x`, `${p}a/1`, `${p}a/2`]);
      expect(res.more).toBe(false);
      expect(res.revision).toBe(await store.currentRevision());
      expect(await store.count(`${p}a/`)).toBe(3);
      expect(await store.count(`${p}ab/`)).toBe(1);
      expect(await store.count(p)).toBe(8);
      expect(await store.count(`${p}zzz/`)).toBe(0);
    });

    it('lists the state as of a past revision', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const a1 = await store.create(`${p}a`, 'a1');
      await store.create(`${p}b`, 'b1');
      const past = await store.currentRevision();
      await store.update(`${p}a`, 'a2', a1.modRevision);
      await store.delete(`${p}b`);
      await store.create(`${p}c`, 'c1');

      const then = await store.list({ prefix: p, revision: past });
      expect(then.revision).toBe(past);
      expect(then.items.map((i) => `${i.key}=${i.value}`)).toEqual([`${p}a=a1`, `${p}b=b1`]);
      expect(then.items[0]).toEqual(a1);

      const now = await store.list({ prefix: p });
      expect(now.items.map((i) => `${i.key}=${i.value}`)).toEqual([`${p}a=a2`, `${p}c=c1`]);

      const cur = await store.currentRevision();
      await expect(store.list({ prefix: p, revision: cur + 1000 })).rejects.toBeInstanceOf(FutureRevisionError);
    });

    it('paginates with limit and startAfter, reporting more and the remaining count', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => `${p}${k}`);
      for (const k of keys) await store.create(k, k);
      await store.create(`${p.slice(0, -1)}x/other`, 'sibling');

      const page1 = await store.list({ prefix: p, limit: 2 });
      expect(page1.items.map((i) => i.key)).toEqual(keys.slice(0, 2));
      expect(page1.more).toBe(true);
      if (page1.remaining !== undefined) expect(page1.remaining).toBe(3);

      // A write between pages must not show up when reading at the first page's revision.
      await store.create(`${p}k2a`, 'late');
      const page2 = await store.list({ prefix: p, limit: 2, startAfter: page1.items[1]!.key, revision: page1.revision });
      expect(page2.items.map((i) => i.key)).toEqual(keys.slice(2, 4));
      expect(page2.more).toBe(true);
      if (page2.remaining !== undefined) expect(page2.remaining).toBe(1);

      const page3 = await store.list({ prefix: p, limit: 2, startAfter: page2.items[1]!.key, revision: page1.revision });
      expect(page3.items.map((i) => i.key)).toEqual(keys.slice(4));
      expect(page3.more).toBe(false);

      const exact = await store.list({ prefix: p, limit: 5, revision: page1.revision });
      expect(exact.items).toHaveLength(5);
      expect(exact.more).toBe(false);

      const rest = await store.list({ prefix: p, startAfter: `${p}k2` });
      expect(rest.items.map((i) => i.key)).toEqual([`${p}k2a`, `${p}k3`, `${p}k4`]);
    });

    it('gives every write a higher revision than the last, across keys', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const revs: number[] = [];
      const a = await store.create(`${p}a`, '1');
      revs.push(a.modRevision);
      const b = await store.create(`${p}b`, '1');
      revs.push(b.modRevision);
      revs.push((await store.update(`${p}a`, '2', a.modRevision)).modRevision);
      await store.delete(`${p}b`);
      revs.push(await store.currentRevision());
      revs.push((await store.create(`${p}c`, '1')).modRevision);
      for (let i = 1; i < revs.length; i++) expect(revs[i]).toBeGreaterThan(revs[i - 1]!);
      expect(await store.currentRevision()).toBe(revs[revs.length - 1]);
    });

    it('replays exactly the events after a past revision, then continues live', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const a1 = await store.create(`${p}a`, 'a1');
      const a2 = await store.update(`${p}a`, 'a2', a1.modRevision);
      const b1 = await store.create(`${p}b`, 'b1');
      await store.create(`${p.slice(0, -1)}-sibling/x`, 'not mine');
      await store.delete(`${p}a`);
      const delRev = await store.currentRevision();

      const rec = await watch(store, p, a2.modRevision);
      const c1 = await store.create(`${p}c`, 'c1'); // live, after the replay
      const seen = await rec.waitForRevision(c1.modRevision);
      expect(summary(seen)).toEqual([`put ${p}b b1@${b1.modRevision}`, `delete ${p}a a2@${delRev}`, `put ${p}c c1@${c1.modRevision}`]);
      expect(rec.events).toHaveLength(3);
    });

    it('delivers live events in revision order, only under the prefix', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const rec = await watch(store, p, await store.currentRevision());
      const written = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`${p}k${i}`, `v${i}`)));
      await store.create(`${p.slice(0, -1)}b/x`, 'sibling');
      let last = written[0]!;
      for (let i = 0; i < 10; i++) last = await store.update(last.key, `u${i}`, last.modRevision);
      const expected = [...written.map((w) => w.modRevision)].sort((x, y) => x - y);
      const seen = await rec.waitForRevision(last.modRevision);
      expect(seen).toHaveLength(30);
      expect(seen.slice(0, 20).map((e) => e.revision)).toEqual(expected);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.revision).toBeGreaterThan(seen[i - 1]!.revision);
      expect(seen.every((e) => e.kv.key.startsWith(p))).toBe(true);
      expect(seen[29]!.kv).toEqual(last);
    });

    it('carries the previous value on updates and the last value on deletes', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const rec = await watch(store, p, await store.currentRevision());
      const v1 = await store.create(`${p}a`, 'one');
      const v2 = await store.update(`${p}a`, 'two', v1.modRevision);
      await store.delete(`${p}a`);
      const delRev = await store.currentRevision();
      const [create, update, del] = await rec.waitForEvents(3);
      expect(create).toMatchObject({ type: 'put', kv: v1, revision: v1.modRevision });
      expect(create!.prev).toBeUndefined();
      expect(update).toMatchObject({ type: 'put', kv: v2, prev: v1, revision: v2.modRevision });
      expect(del).toMatchObject({
        type: 'delete',
        kv: { key: `${p}a`, value: 'two', createRevision: v1.createRevision, modRevision: delRev },
        prev: v2,
        revision: delRev,
      });
    });

    it('stops delivering after the watcher is closed', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const rec = new WatchRecorder();
      const w = await store.watch(p, await store.currentRevision(), rec);
      const first = await store.create(`${p}a`, '1');
      await rec.waitForRevision(first.modRevision);
      await w.close();
      await store.create(`${p}b`, '2');
      // A second watcher proves the write was published; the closed one must not have seen it.
      const rec2 = await watch(store, p, first.modRevision);
      await rec2.waitForEvents(1);
      expect(rec.events).toHaveLength(1);
      expect(rec.errors).toHaveLength(0);
    });

    it('compacts history: old revisions become unreadable and old watches fail', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const a1 = await store.create(`${p}a`, 'a1');
      const a2 = await store.update(`${p}a`, 'a2', a1.modRevision);
      await store.create(`${p}b`, 'b1');
      await store.delete(`${p}b`);
      const a3 = await store.update(`${p}a`, 'a3', a2.modRevision);
      const compactAt = await store.currentRevision();
      await store.compact(compactAt);

      expect(await store.compactedRevision()).toBeGreaterThanOrEqual(compactAt);
      const err = await watchError(store, p, a1.modRevision);
      expect(err).toBeInstanceOf(CompactedError);
      expect((err as CompactedError).compacted).toBeGreaterThanOrEqual(compactAt);
      await expect(store.list({ prefix: p, revision: a2.modRevision })).rejects.toBeInstanceOf(CompactedError);

      // The state at the compacted revision and everything after it is still there.
      expect((await store.list({ prefix: p, revision: compactAt })).items).toEqual([a3]);
      expect(await store.get(`${p}a`)).toEqual(a3);
      const rec = await watch(store, p, compactAt);
      const a4 = await store.update(`${p}a`, 'a4', a3.modRevision);
      const seen = await rec.waitForRevision(a4.modRevision);
      expect(summary(seen)).toEqual([`put ${p}a a4@${a4.modRevision}`]);
      expect(seen[0]!.prev).toEqual(a3);

      // Compacting again at or below the compacted revision is harmless; beyond the store is not.
      await store.compact(compactAt);
      expect(await store.compactedRevision()).toBeGreaterThanOrEqual(compactAt);
      await expect(store.compact((await store.currentRevision()) + 1000)).rejects.toBeInstanceOf(FutureRevisionError);
    });

    it('lets a watch start ahead of the store and deliver only what comes after', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const start = (await store.currentRevision()) + 2;
      const rec = await watch(store, p, start);
      const v1 = await store.create(`${p}a`, '1');
      const v2 = await store.update(`${p}a`, '2', v1.modRevision);
      const v3 = await store.update(`${p}a`, '3', v2.modRevision);
      expect(v2.modRevision).toBe(start);
      const seen = await rec.waitForRevision(v3.modRevision);
      expect(summary(seen)).toEqual([`put ${p}a 3@${v3.modRevision}`]);
    });

    it('lets exactly one of several concurrent updates from the same revision win', async () => {
      const store = await newStore();
      const p = uniquePrefix();
      const base = await store.create(`${p}a`, 'base');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.update(`${p}a`, `w${i}`, base.modRevision)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((r) => r.reason instanceof ConflictError)).toBe(true);
      expect(await store.get(`${p}a`)).toEqual((won[0] as PromiseFulfilledResult<unknown>).value);

      const deletes = await Promise.allSettled([store.delete(`${p}a`), store.delete(`${p}a`)]);
      expect(deletes.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('fails calls after close', async () => {
      const store = await makeStore();
      const p = uniquePrefix();
      await store.create(`${p}a`, '1');
      await store.close();
      await expect(store.get(`${p}a`)).rejects.toBeInstanceOf(StoreError);
      await expect(store.create(`${p}b`, '1')).rejects.toBeInstanceOf(StoreError);
      await store.close(); // twice is fine
    });
  });
}
