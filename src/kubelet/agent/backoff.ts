/**
 * Back-off for restarting failed containers and for image pulls (upstream's flowcontrol.Backoff as
 * the kubelet uses it): the first retry is immediate, then 10 s, doubling to 5 min; an entry not
 * touched for twice the maximum is forgotten, and a container that ran 10 min resets its entry.
 */

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  now?: () => number;
}

interface Entry { delayMs: number; lastUpdate: number }

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 10_000;
    this.maxMs = o.maxMs ?? 300_000;
    this.now = o.now ?? Date.now;
  }

  private entry(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastUpdate > 2 * this.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The current delay for key (0 when none is recorded). */
  delay(key: string): number {
    return this.entry(key)?.delayMs ?? 0;
  }

  /**
   * Whether a retry of key, after a failure at `since` (ms), must still wait; returns the
   * remaining wait in ms (0: go ahead).
   */
  remaining(key: string, since: number): number {
    const e = this.entry(key);
    if (!e) return 0;
    return Math.max(0, since + e.delayMs - this.now());
  }

  /** Records a retry of key now: the next one waits the initial delay, or twice the last one. */
  next(key: string): void {
    const e = this.entry(key);
    const delayMs = e ? Math.min(e.delayMs * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { delayMs, lastUpdate: this.now() });
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with prefix (a pod's entries when it goes away). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
