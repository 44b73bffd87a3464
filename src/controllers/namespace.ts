/**
 * The namespace controller: empties a namespace that is being deleted, then lets it go.
 * For a Namespace with a deletionTimestamp and `kubernetes` in spec.finalizers: delete the
 * content of every stored namespaced resource (deletecollection, Background propagation), report
 * progress in status.conditions as upstream, and requeue while anything remains (including
 * objects held by finalizers or a grace period). Once empty: remove `kubernetes` through
 * PUT /api/v1/namespaces/NAME/finalize and delete the namespace again so the API server removes it.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import { isConflict, isNotFound, type KObject } from '../client/rest-client.js';
import type { SharedInformer } from '../client/informer.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';
import { groupResource, storedResources } from './served-resources.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

/** Delay before looking again while content remains. */
const RECHECK_MS = 500;

const OK: Record<string, [reason: string, message: string]> = {
  NamespaceDeletionDiscoveryFailure: ['ResourcesDiscovered', 'All resources successfully discovered'],
  NamespaceDeletionGroupVersionParsingFailure: ['ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  NamespaceDeletionContentFailure: ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  NamespaceContentRemaining: ['ContentRemoved', 'All content successfully removed'],
  NamespaceFinalizersRemaining: ['ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
};

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export class NamespaceController extends BaseController {
  private readonly namespaces: ResourceInfo;
  private readonly lister: Lister;
  private readonly informer: SharedInformer;
  /** Namespaced resources whose content is deleted with the namespace. */
  readonly contentResources: ResourceInfo[];

  constructor(ctx: ControllerContext) {
    super('namespace', ctx, { workers: 2 });
    this.namespaces = findResource('', 'v1', 'namespaces')!;
    this.informer = ctx.informers.informerFor(this.namespaces);
    this.lister = new Lister(this.informer.store);
    this.contentResources = storedResources(['list', 'deletecollection']).filter((r) => r.namespaced);
    this.watch(this.informer, (ns) => (ns.metadata?.deletionTimestamp ? ns.metadata.name : undefined));
  }

  protected async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.lister.get('', name);
    if (!ns?.metadata?.deletionTimestamp) return;
    const finalizers: string[] = ns.spec?.finalizers ?? [];
    if (finalizers.includes(NAMESPACE_FINALIZER)) {
      const { remaining, conditions, failed } = await this.deleteContent(name);
      await this.updateConditions(ns, conditions);
      if (failed.length) throw new Error(`deleting content of namespace ${name}: ${failed.join('; ')}`);
      if (remaining) return { requeueAfter: RECHECK_MS };
      try {
        await this.ctx.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, {
          kind: 'Namespace', apiVersion: 'v1',
          metadata: { name, resourceVersion: undefined },
          spec: { finalizers: finalizers.filter((f) => f !== NAMESPACE_FINALIZER) },
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    // With no finalizers left, a second delete removes the namespace (the first one only marked it).
    try {
      await this.ctx.client.delete(this.namespaces, undefined, name, { preconditions: { uid: ns.metadata.uid } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  private async deleteContent(ns: string): Promise<{ remaining: boolean; conditions: Condition[]; failed: string[] }> {
    const client = this.ctx.client;
    const failed: string[] = [];
    const remainingByResource: string[] = [];
    const finalizerCounts = new Map<string, number>();
    await Promise.all(this.contentResources.map(async (r) => {
      try {
        let list = await client.list(r, ns, { metadataOnly: true });
        if (!list.items?.length) return;
        if (list.items.some((o: KObject) => !o.metadata?.deletionTimestamp)) {
          await client.deleteCollection(r, ns, { propagationPolicy: 'Background' });
          list = await client.list(r, ns, { metadataOnly: true });
        }
        const items = list.items ?? [];
        if (!items.length) return;
        remainingByResource.push(`${groupResource(r)} has ${items.length} resource instances`);
        for (const o of items) for (const f of o.metadata?.finalizers ?? []) finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
      } catch (err) {
        if (isNotFound(err)) return;
        failed.push(`${groupResource(r)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }));
    remainingByResource.sort();
    const conditions: Condition[] = [];
    const ok = (type: string): Condition => ({ type, status: 'False', reason: OK[type][0], message: OK[type][1] });
    conditions.push(ok('NamespaceDeletionDiscoveryFailure'), ok('NamespaceDeletionGroupVersionParsingFailure'));
    conditions.push(failed.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failed.length} remaining: ${failed.join(', ')}` }
      : ok('NamespaceDeletionContentFailure'));
    conditions.push(remainingByResource.length
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remainingByResource.join(', ')}` }
      : ok('NamespaceContentRemaining'));
    const fin = [...finalizerCounts].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} in ${n} resource instances`);
    conditions.push(fin.length
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${fin.join(', ')}` }
      : ok('NamespaceFinalizersRemaining'));
    return { remaining: remainingByResource.length > 0, conditions, failed };
  }

  /** Writes the conditions when they changed (keeping lastTransitionTime of unchanged ones). */
  private async updateConditions(ns: KObject, conditions: Condition[]): Promise<void> {
    const old: KObject[] = ns.status?.conditions ?? [];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let changed = false;
    const next = conditions.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return prev;
      changed = true;
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
    });
    for (const o of old) if (!conditions.some((c) => c.type === o.type)) next.push(o);
    if (!changed) return;
    try {
      await this.ctx.client.updateStatus(this.namespaces, {
        ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating', conditions: next },
      });
    } catch (err) {
      // A newer version of the namespace (or its disappearance) brings another reconcile.
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
