/**
 * Controller expectations (client-go's ControllerExpectations): after issuing creates or deletes
 * for a key, do not act on it again until the informer has observed them (or five minutes have
 * passed). Plus the pods whose tracking finalizer removal is in flight, per Job.
 */
const TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();
  private readonly finalizers = new Map<string, Set<string>>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** True when nothing is pending (or the record is older than five minutes). */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del <= 0) || this.now() - e.at > TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.items.set(key, { add: n, del: 0, at: this.now() });
  }

  expectDeletions(key: string, n: number): void {
    this.items.set(key, { add: 0, del: n, at: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.del--;
  }

  /** Pod uids whose finalizer removal was issued and not yet observed. */
  expectedFinalizerRemovals(key: string): Set<string> {
    return this.finalizers.get(key) ?? new Set();
  }

  expectFinalizerRemoval(key: string, uid: string): void {
    let s = this.finalizers.get(key);
    if (!s) this.finalizers.set(key, (s = new Set()));
    s.add(uid);
  }

  finalizerRemovalObserved(key: string, uid: string): void {
    const s = this.finalizers.get(key);
    if (!s) return;
    s.delete(uid);
    if (!s.size) this.finalizers.delete(key);
  }

  delete(key: string): void {
    this.items.delete(key);
    this.finalizers.delete(key);
  }
}
