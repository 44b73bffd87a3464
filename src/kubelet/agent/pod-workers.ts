/**
 * PodWorkers: one serialised worker per pod UID (upstream's podWorkers). `schedule(uid)` asks for a
 * sync; requests arriving while a sync runs collapse into one more run after it. A sync may ask to
 * be run again after a delay (back-off expiry); failures retry after a short pause.
 */

export type SyncFn = (uid: string) => Promise<number | undefined>;

interface Worker {
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly sync: SyncFn, private readonly log: (msg: string) => void, private readonly retryMs = 1000) {}

  schedule(uid: string, delayMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, again: false };
      this.workers.set(uid, w);
    }
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      if (w.timer && w.timerAt! <= at) return;
      if (w.timer) clearTimeout(w.timer);
      w.timerAt = at;
      w.timer = setTimeout(() => {
        w!.timer = undefined;
        this.schedule(uid);
      }, delayMs);
      w.timer.unref?.();
      return;
    }
    if (w.running) {
      w.again = true;
      return;
    }
    void this.run(uid, w);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    do {
      w.again = false;
      let next: number | undefined;
      try {
        next = await this.sync(uid);
      } catch (err) {
        this.log(`agent: syncing pod ${uid}: ${errorText(err)}`);
        next = this.retryMs;
      }
      if (next !== undefined && !this.stopped) this.schedule(uid, next);
    } while (w.again && !this.stopped);
    w.running = false;
    if (!w.timer && !this.stopped) this.workers.delete(uid);
    if (![...this.workers.values()].some((x) => x.running)) for (const f of this.idle) f();
  }

  /**
   * Stops accepting work; resolves once no sync is running, or after maxWaitMs (a pod stopping
   * with a long grace period does not hold the agent's shutdown; its container stops on its own).
   */
  async stop(maxWaitMs = 5000): Promise<void> {
    this.stopped = true;
    const until = Date.now() + maxWaitMs;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    while ([...this.workers.values()].some((w) => w.running) && Date.now() < until) {
      await new Promise<void>((r) => {
        const f = (): void => {
          this.idle.delete(f);
          r();
        };
        this.idle.add(f);
        setTimeout(f, 200);
      });
    }
    this.workers.clear();
  }
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ');
}
