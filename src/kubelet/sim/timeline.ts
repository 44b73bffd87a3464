/**
 * One timer for many deadlines: a min-heap of (due time, callback) behind a single setTimeout
 * armed for the earliest entry. Every entry due when it fires runs in the same tick, so 5,000
 * nodes × 110 pods cost one timer, not half a million. Cancelling is O(1) (the entry is skipped
 * when it reaches the top). Shared by every simulated node of a process.
 */

export interface TimelineEntry {
  readonly at: number;
  /** False once fired or cancelled. */
  readonly pending: boolean;
  cancel(): void;
}

interface Entry extends TimelineEntry {
  at: number;
  pending: boolean;
  seq: number;
  fn: () => void;
}

export class Timeline {
  private readonly heap: Entry[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private seq = 0;
  private closed = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `fn` after `ms` (0 or less: on the next turn of the event loop). */
  after(ms: number, fn: () => void): TimelineEntry {
    return this.at(this.now() + Math.max(0, ms), fn);
  }

  /** Runs `fn` at the given time (on this timeline's clock). */
  at(at: number, fn: () => void): TimelineEntry {
    const e: Entry = {
      at, pending: !this.closed, seq: this.seq++, fn,
      cancel() {
        e.pending = false;
      },
    };
    if (this.closed) return e;
    this.push(e);
    this.arm();
    return e;
  }

  /** Entries still in the heap (including cancelled ones not yet dropped). */
  get size(): number {
    return this.heap.length;
  }

  /** Cancels everything; later calls to after/at do nothing. */
  close(): void {
    this.closed = true;
    for (const e of this.heap) e.pending = false;
    this.heap.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    while (this.heap.length && !this.heap[0].pending) this.pop();
    if (!this.heap.length) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    const next = this.heap[0].at;
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const due: Entry[] = [];
    // Entries added while firing (even with delay 0) wait for the next timer.
    while (this.heap.length && this.heap[0].at <= now + 1) {
      const e = this.pop();
      if (e.pending) due.push(e);
    }
    for (const e of due) {
      if (!e.pending) continue;
      e.pending = false;
      try {
        e.fn();
      } catch {
        // a callback's failure is its own business
      }
    }
    if (!this.closed) this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
