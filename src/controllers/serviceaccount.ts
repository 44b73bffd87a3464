/**
 * The service account controller: every active namespace has a ServiceAccount named `default`
 * (created when the namespace appears, re-created when deleted), as upstream's
 * serviceaccounts-controller does. Namespaces being deleted are left alone.
 */
import { findResource } from '../api/resources.js';
import { ApiError, isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController extends BaseController {
  private readonly namespacesR = findResource('', 'v1', 'namespaces')!;
  private readonly serviceAccountsR = findResource('', 'v1', 'serviceaccounts')!;
  private readonly namespaces: Lister;
  private readonly serviceAccounts: Lister;

  constructor(ctx: ControllerContext) {
    super('serviceaccount', ctx, { workers: 2 });
    const ns = ctx.informers.informerFor(this.namespacesR);
    const sa = ctx.informers.informerFor(this.serviceAccountsR);
    this.namespaces = new Lister(ns.store);
    this.serviceAccounts = new Lister(sa.store);
    this.watch(ns, (n) => n.metadata?.name);
    // Only deletions of a `default` account matter.
    this.handle(sa, {
      onDelete: (s: KObject) => {
        if (s.metadata?.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(s.metadata.namespace);
      },
    });
  }

  protected async reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get('', namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.serviceAccounts.get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    try {
      await this.ctx.client.create(this.serviceAccountsR, namespace, {
        apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return; // already exists (cache behind)
      // The namespace went away or is terminating meanwhile.
      if (isNotFound(err) || (err instanceof ApiError && err.code === 403)) return;
      throw err;
    }
  }
}
