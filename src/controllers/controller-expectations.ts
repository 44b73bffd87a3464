/**
 * Expectations (upstream's UIDTrackingControllerExpectations): after a controller creates or
 * deletes pods it does not act on that owner again until the informer has shown it every one of
 * those creates and deletes, or until the expectations expire (5 minutes), so it never acts on a
 * cache that lags its own writes. Deletions are tracked by pod key, so a pod seen first with a
 * deletionTimestamp and then deleted counts once.
 */

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  deleteKeys: Set<string>;
}

export class ControllerExpectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now, private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS) {}

  /** True when nothing is outstanding for the key (or its expectations expired). */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > this.timeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.items.set(key, { add: n, del: 0, at: this.now(), deleteKeys: new Set() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.items.set(key, { add: 0, del: podKeys.length, at: this.now(), deleteKeys: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.items.get(key);
    if (!e || !e.deleteKeys.delete(podKey)) return;
    e.del--;
  }

  delete(key: string): void {
    this.items.delete(key);
  }

  /** Outstanding [creates, deletes] (for tests and logs). */
  pending(key: string): [number, number] | undefined {
    const e = this.items.get(key);
    return e ? [e.add, e.del] : undefined;
  }
}
