import { describe, expect, it } from 'vitest';
import {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, WorkQueue,
} from '../../../src/client/workqueue.js';

/** Resolves with the next item or 'pending' if get() has not resolved after the queue's microtasks ran. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('WorkQueue', () => {
  it('hands each item out once while it waits (dedupe) in FIFO order', async () => {
    const q = new WorkQueue<string>();
    q.add('a'); q.add('b'); q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(await peek(q.get())).toBe('pending');
  });

  it('never gives an item being processed to a second worker; re-queues it after done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    q.add('a'); // arrives while a worker holds it
    const second = q.get();
    expect(await peek(second)).toBe('pending');
    q.done(first!);
    expect(await second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting worker when an item is added', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
  });

  it('addAfter delivers items by due time, keeping the earlier time for an item added twice', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('late', 60);
    q.addAfter('early', 5);
    q.addAfter('late', 1000); // later than the existing due time: ignored
    expect(q.delayed()).toBe(2);
    expect(await q.get()).toBe('early');
    expect(await q.get()).toBe('late');
  });

  it('shutDown drains what is queued, then get() resolves undefined', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const waiters = new WorkQueue<string>();
    const pending = waiters.get();
    waiters.shutDown();
    expect(await pending).toBeUndefined();
    q.shutDown();
    q.add('b'); // ignored after shutdown
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBeUndefined();
  });

  it('addRateLimited backs off per item and forget resets the count', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter<string>(1, 1000) });
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.numRequeues('a')).toBe(2);
    expect(await q.get()).toBe('a');
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
  });
});

describe('rate limiters', () => {
  it('per-item exponential back-off: 5 ms doubling up to 1000 s', () => {
    const l = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const delays = Array.from({ length: 5 }, () => l.when('a'));
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(l.when('b')).toBe(5); // per item
    for (let i = 0; i < 40; i++) l.when('a');
    expect(l.when('a')).toBe(1_000_000);
    l.forget('a');
    expect(l.when('a')).toBe(5);
  });

  it('token bucket: a burst passes at once, then items are spaced at the rate', () => {
    let now = 0;
    const b = new BucketRateLimiter<string>(10, 100, () => now);
    const burst = Array.from({ length: 100 }, () => b.when());
    expect(burst.every((d) => d === 0)).toBe(true);
    expect(b.when()).toBeCloseTo(100);
    expect(b.when()).toBeCloseTo(200);
    now += 1000; // ten tokens come back; two were already booked
    expect(b.when()).toBeCloseTo(0);
  });

  it('the default limiter takes the larger of the two delays', () => {
    let now = 0;
    const l = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1_000_000), new BucketRateLimiter<string>(10, 1, () => now));
    expect(l.when('a')).toBe(5);
    expect(l.when('b')).toBeCloseTo(100); // bucket empty: 100 ms beats the 5 ms item delay
    expect(l.numRequeues('a')).toBe(1);
  });
});
