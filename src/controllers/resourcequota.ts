/**
 * The resource quota controller (upstream's resourcequota controller): keeps every ResourceQuota's
 * status.hard equal to spec.hard and status.used equal to what the namespace's objects use
 * (machinery/quota.ts evaluates them), recalculating when the quota changes, when a pod,
 * service, claim, config map, secret or replication controller of its namespace changes (so
 * deletions give usage back), and on a periodic full resync (for count/<resource> names of other
 * resources, read with a list call).
 * Settings (ctx.settings.resourcequota): { resyncMs?: number } (default 30 s).
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import { isNotFound, ApiError, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { computeUsage, formatResourceList, parseResourceList } from '../machinery/quota.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

const WATCHED = ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers'];

export class ResourceQuotaController extends BaseController {
  private readonly quotasR = findResource('', 'v1', 'resourcequotas')!;
  private readonly quotas: Lister;
  private readonly listers = new Map<string, Lister>();
  private readonly resyncMs: number;

  constructor(ctx: ControllerContext) {
    super('resourcequota', ctx, { workers: 2 });
    const resync = ctx.settings?.resourcequota?.resyncMs;
    this.resyncMs = typeof resync === 'number' && resync > 0 ? resync : 30_000;
    const qi = ctx.informers.informerFor(this.quotasR);
    this.quotas = new Lister(qi.store);
    // Status-only changes are admission charging the quota before its object is stored: recomputing
    // then would count without that object, so only spec changes (and adds, deletes) enqueue.
    const key = (q: KObject) => `${q.metadata.namespace}/${q.metadata.name}`;
    this.handle(qi, {
      onAdd: (q: KObject) => this.queue.add(key(q)),
      onUpdate: (old: KObject, q: KObject) => {
        if (JSON.stringify(old.spec) !== JSON.stringify(q.spec) || !q.status?.used) this.queue.add(key(q));
      },
      onDelete: (q: KObject) => this.queue.add(key(q)),
    });
    for (const plural of WATCHED) {
      const r = findResource('', 'v1', plural)!;
      const inf = ctx.informers.informerFor(r);
      this.listers.set(plural, new Lister(inf.store));
      // A change to an object re-evaluates every quota of its namespace.
      this.watch(inf, (o) => this.quotaKeys(o.metadata?.namespace));
    }
  }

  private quotaKeys(namespace: string | undefined): string[] {
    if (!namespace) return [];
    return this.quotas.list(namespace).map((q) => `${namespace}/${q.metadata.name}`);
  }

  private async listObjects(namespace: string, group: string, plural: string): Promise<KObject[]> {
    if (group === '') {
      const l = this.listers.get(plural);
      if (l) return l.list(namespace);
    }
    const r = resourceFor(group, plural);
    if (!r || !r.namespaced) return [];
    try {
      return (await this.ctx.client.list(r, namespace)).items as KObject[];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const quota = this.quotas.get(namespace, name);
    if (!quota) return;
    const used = await computeUsage(quota, (g, p) => this.listObjects(namespace, g, p));
    const hard = formatResourceList(parseResourceList(quota.spec?.hard));
    const status = { hard, used: formatResourceList(used) };
    if (JSON.stringify(status) !== JSON.stringify({ hard: quota.status?.hard ?? {}, used: quota.status?.used ?? {} })) {
      try {
        await this.ctx.client.updateStatus(this.quotasR, { ...quota, status });
      } catch (err) {
        if (isNotFound(err)) return;
        if (err instanceof ApiError && err.code === 409) throw err;
        throw err;
      }
    }
    return { requeueAfter: this.resyncMs };
  }
}

function resourceFor(group: string, plural: string): ResourceInfo | undefined {
  for (const v of ['v1', 'v2', 'v1beta1']) {
    const r = findResource(group, v, plural);
    if (r) return r;
  }
  return undefined;
}
