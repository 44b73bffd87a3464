/**
 * The Job controller's expectations: the shared ControllerExpectations (creations, and deletions
 * counted as upstream's Job controller counts them, without pod keys) plus the pods whose tracking
 * finalizer removal is in flight, per Job.
 */
import { ControllerExpectations } from '../controller-expectations.js';

export class Expectations extends ControllerExpectations {
  private readonly finalizers = new Map<string, Set<string>>();

  constructor(now: () => number = () => Date.now()) {
    super(now);
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

  override delete(key: string): void {
    super.delete(key);
    this.finalizers.delete(key);
  }
}
