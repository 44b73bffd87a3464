/**
 * Expectations (upstream's ControllerExpectations / UIDTrackingControllerExpectations), shared by
 * the ReplicaSet, DaemonSet and Job controllers: after a controller creates or deletes pods it does
 * not act on that owner again until the informer has shown it every one of those creates and
 * deletes, or until the expectations expire (5 minutes), so it never acts on a cache that lags its
 * own writes.
 *
 * Deletions are expected either as the keys of the pods being deleted (UID tracking: only those
 * pods count, each once, so a pod seen first with a deletionTimestamp and then deleted counts once)
 * or as a bare number (every observed deletion counts, as upstream's Job controller does).
 */

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  /** The pod keys still expected to go; undefined when deletions are only counted. */
  deleteKeys?: Set<string>;
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

  /** Replaces the key's expectations: `adds` creations and the given deletions (pod keys, or a count). */
  expect(key: string, adds: number, deletes: readonly string[] | number): void {
    const counted = typeof deletes === 'number';
    this.items.set(key, { add: adds, del: counted ? deletes : deletes.length, at: this.now(), deleteKeys: counted ? undefined : new Set(deletes) });
  }

  expectCreations(key: string, n: number): void {
    this.expect(key, n, 0);
  }

  expectDeletions(key: string, deletes: readonly string[] | number): void {
    this.expect(key, 0, deletes);
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  /** A deletion was observed; with tracked pod keys only an expected, not yet seen `podKey` counts. */
  deletionObserved(key: string, podKey?: string): void {
    const e = this.items.get(key);
    if (!e) return;
    if (e.deleteKeys && (podKey === undefined || !e.deleteKeys.delete(podKey))) return;
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
