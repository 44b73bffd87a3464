/**
 * Controller expectations (upstream's ControllerExpectations, per DaemonSet key): after creating
 * or deleting pods, do not act again until the informer has shown those creates and deletes, or
 * until the expectation expires.
 */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  dels: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS, private readonly now: () => number = Date.now) {}

  expect(key: string, adds: number, delUids: string[]): void {
    this.byKey.set(key, { adds, dels: new Set(delUids), at: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.dels.delete(uid);
  }

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels.size === 0) || this.now() - e.at > this.ttlMs) {
      this.byKey.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
