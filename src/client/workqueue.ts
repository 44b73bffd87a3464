/**
 * A rate-limited work queue with client-go's semantics:
 *  - an item queued twice is processed once (dedupe while waiting);
 *  - an item being processed is never handed to a second worker: if it is added meanwhile, it is
 *    queued again when the first worker calls done();
 *  - addAfter(item, ms) delays; addRateLimited(item) delays by the rate limiter (per-item
 *    exponential back-off 5 ms … 1000 s, and an overall token bucket of 10 qps, burst 100, the
 *    larger wins); forget(item) resets the item's back-off;
 *  - get() resolves with the next item, or undefined once shutDown() was called and the queue is
 *    empty.
 */

export interface RateLimiter<T> {
  /** How long to wait before `item` may be processed again (ms); counts as one failure. */
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket (golang.org/x/time/rate's reservation): `when` books a token and says how long until it is due. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(private readonly qps = 10, private readonly burst = 100, private readonly now: () => number = () => performance.now()) {
    this.tokens = burst;
    this.last = now();
  }

  when(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: per-item 5 ms … 1000 s, overall 10 qps with burst 100. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}

export interface WorkQueueOptions<T> {
  rateLimiter?: RateLimiter<T>;
  name?: string;
}

export class WorkQueue<T = string> {
  private readonly queue: T[] = [];
  private head = 0;
  /** Items that need processing (queued, or added again while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiting = new Map<T, number>();
  private waitTimer?: NodeJS.Timeout;
  private waitTimerAt = Infinity;
  private readonly getters: ((item: T | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly rateLimiter: RateLimiter<T>;
  readonly name: string;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
    this.name = opts.name ?? '';
  }

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Adds after `ms`; an item already waiting keeps the earlier of the two times. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const at = performance.now() + ms;
    const current = this.waiting.get(item);
    if (current !== undefined && current <= at) return;
    this.waiting.set(item, at);
    this.schedule();
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** The next item to process; undefined once shut down and drained. Call done(item) after. */
  get(): Promise<T | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.pop());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) this.push(item);
  }

  /** Stops accepting items; waiting get() calls resolve undefined once the queue is empty. */
  shutDown(): void {
    this.shuttingDown = true;
    this.waiting.clear();
    if (this.waitTimer) clearTimeout(this.waitTimer);
    if (this.head >= this.queue.length) for (const g of this.getters.splice(0)) g(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Items ready to process (not counting delayed ones or those being processed). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Items waiting for their delay. */
  delayed(): number {
    return this.waiting.size;
  }

  private push(item: T): void {
    const g = this.getters.shift();
    if (g) {
      this.dirty.delete(item);
      this.processing.add(item);
      g(item);
      return;
    }
    this.queue.push(item);
  }

  private pop(): T {
    const item = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    if (this.shuttingDown && this.head >= this.queue.length) for (const g of this.getters.splice(0)) g(undefined);
    return item;
  }

  private schedule(): void {
    let next = Infinity;
    for (const at of this.waiting.values()) if (at < next) next = at;
    if (next === Infinity || next >= this.waitTimerAt) return;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimerAt = next;
    this.waitTimer = setTimeout(() => this.fire(), Math.max(0, next - performance.now()));
    this.waitTimer.unref();
  }

  private fire(): void {
    this.waitTimer = undefined;
    this.waitTimerAt = Infinity;
    const now = performance.now();
    const ready: [T, number][] = [];
    for (const [item, at] of this.waiting) if (at <= now + 1) ready.push([item, at]);
    ready.sort((a, b) => a[1] - b[1]);
    for (const [item] of ready) {
      this.waiting.delete(item);
      this.add(item);
    }
    this.schedule();
  }
}
