/**
 * One shared informer per (resource, namespace, metadata-only) across every controller of a
 * process: the first caller creates it, later callers get the same one and add handlers or
 * indexes to it. start() starts every informer not yet running (call again after adding more).
 */
import { SharedInformer, type InformerOptions } from './informer.js';
import { Lister } from './lister.js';
import type { KObject, KubeClient, ResourceRef } from './rest-client.js';

export interface InformerFactoryOptions {
  /** Default resync period for informers created here (ms; default: none). */
  resyncMs?: number;
  /** Only this namespace, for every informer (default: all). */
  namespace?: string;
  log?: (msg: string) => void;
}

export interface InformerRequest {
  metadataOnly?: boolean;
  namespace?: string;
  resyncMs?: number;
}

export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;

  constructor(readonly client: KubeClient, private readonly opts: InformerFactoryOptions = {}) {}

  /** The shared informer for a resource (created on first use; started by start()). */
  informerFor<T extends KObject = KObject>(resource: ResourceRef, req: InformerRequest = {}): SharedInformer<T> {
    const ns = req.namespace ?? this.opts.namespace ?? '';
    const key = `${resource.group}/${resource.version}/${resource.plural}|${ns}|${req.metadataOnly ? 'meta' : 'full'}`;
    let inf = this.informers.get(key);
    if (!inf) {
      const o: InformerOptions = {
        namespace: ns || undefined, metadataOnly: req.metadataOnly,
        resyncMs: req.resyncMs ?? this.opts.resyncMs, log: this.opts.log,
      };
      inf = new SharedInformer(this.client, resource, o);
      this.informers.set(key, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as SharedInformer<T>;
  }

  listerFor<T extends KObject = KObject>(resource: ResourceRef, req: InformerRequest = {}): Lister<T> {
    return new Lister<T>(this.informerFor<T>(resource, req).store);
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves when every informer created so far has synced (or was stopped). */
  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
