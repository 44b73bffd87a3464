/**
 * The controller framework (sample-controller's shape): informer handlers only enqueue keys; N
 * workers take keys from a rate-limited work queue and call reconcile(key), which re-reads the
 * current state from the cache and acts on the level, not the event.
 *  - reconcile throws → the key is re-queued with rate limiting (per-key exponential back-off);
 *  - reconcile returns { requeueAfter: ms } → the key comes back after that delay;
 *  - otherwise → the key's back-off is forgotten.
 */
import type { InformerFactory } from '../client/informer-factory.js';
import type { EventHandlers, SharedInformer } from '../client/informer.js';
import type { KObject, KubeClient } from '../client/rest-client.js';
import { objectKey } from '../client/store.js';
import { WorkQueue, type RateLimiter } from '../client/workqueue.js';

export interface ControllerContext {
  client: KubeClient;
  informers: InformerFactory;
  log: (msg: string) => void;
  /** Per-controller settings by controller name (e.g. nodelifecycle: { gracePeriodMs }). */
  settings?: ControllerSettings;
}

/** Settings for individual controllers, keyed by controller name; each controller documents its own. */
export interface ControllerSettings {
  [controller: string]: Record<string, unknown> | undefined;
}

export interface Controller {
  readonly name: string;
  /** Waits for the controller's informers to sync, then runs its workers until stop(). */
  run(): Promise<void>;
  stop(): Promise<void>;
}

export type ReconcileResult = void | { requeueAfter?: number };

export interface BaseControllerOptions {
  workers?: number;
  rateLimiter?: RateLimiter<string>;
}

export abstract class BaseController implements Controller {
  readonly queue: WorkQueue<string>;
  protected readonly informers: SharedInformer[] = [];
  private readonly workers: number;
  private running: Promise<void>[] = [];
  private stopped = false;

  constructor(readonly name: string, protected readonly ctx: ControllerContext, opts: BaseControllerOptions = {}) {
    this.queue = new WorkQueue<string>({ rateLimiter: opts.rateLimiter, name });
    this.workers = opts.workers ?? 2;
  }

  protected abstract reconcile(key: string): Promise<ReconcileResult>;

  /**
   * Registers an informer this controller needs; every event enqueues the keys `keysOf` gives
   * (default: the object's own "namespace/name" key).
   */
  protected watch<T extends KObject>(informer: SharedInformer<T>, keysOf: (obj: T) => string | string[] | undefined = objectKey): void {
    this.informers.push(informer as unknown as SharedInformer);
    const enqueue = (obj: T): void => {
      const keys = keysOf(obj);
      if (keys === undefined) return;
      for (const k of Array.isArray(keys) ? keys : [keys]) this.queue.add(k);
    };
    this.handle(informer, { onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue });
  }

  /** Registers an informer with custom handlers (which should only enqueue). */
  protected handle<T extends KObject>(informer: SharedInformer<T>, h: EventHandlers<T>): void {
    if (!this.informers.includes(informer as unknown as SharedInformer)) this.informers.push(informer as unknown as SharedInformer);
    informer.addEventHandler(h);
  }

  async run(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    if (this.stopped) return;
    this.running = Array.from({ length: this.workers }, () => this.worker());
    await Promise.all(this.running);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.shutDown();
    await Promise.all(this.running);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result && result.requeueAfter !== undefined && !this.stopped) this.queue.addAfter(key, result.requeueAfter);
      } catch (err) {
        if (!this.stopped) {
          this.ctx.log(`${this.name}: reconciling ${key}: ${err instanceof Error ? err.message : String(err)}`);
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
