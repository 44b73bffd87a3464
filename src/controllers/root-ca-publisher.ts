/**
 * The root CA publisher (upstream's root-ca-cert-publisher): every active namespace has a
 * ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA, so pods can verify the API
 * server (the ServiceAccount admission plugin projects it into every pod's token volume). The
 * ConfigMap is re-created when deleted and restored when its data is changed.
 * Settings (ctx.settings['root-ca-cert-publisher']): { caPem: string } — without it the controller idles.
 */
import { findResource } from '../api/resources.js';
import { ApiError, isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION = 'The cluster CA bundle, for verifying the API server from inside the cluster (kubernetes.default.svc).';

export class RootCaPublisher extends BaseController {
  private readonly namespacesR = findResource('', 'v1', 'namespaces')!;
  private readonly configMapsR = findResource('', 'v1', 'configmaps')!;
  private readonly namespaces: Lister;
  private readonly configMaps: Lister;
  private readonly caPem: string | undefined;

  constructor(ctx: ControllerContext) {
    super('root-ca-cert-publisher', ctx, { workers: 2 });
    const caPem = ctx.settings?.['root-ca-cert-publisher']?.caPem;
    this.caPem = typeof caPem === 'string' && caPem ? caPem : undefined;
    const ns = ctx.informers.informerFor(this.namespacesR);
    const cm = ctx.informers.informerFor(this.configMapsR);
    this.namespaces = new Lister(ns.store);
    this.configMaps = new Lister(cm.store);
    this.watch(ns, (n) => n.metadata?.name);
    const mine = (c: KObject) => (c.metadata?.name === ROOT_CA_CONFIGMAP ? c.metadata.namespace : undefined);
    this.handle(cm, {
      onUpdate: (_old: KObject, c: KObject) => {
        const k = mine(c);
        if (k) this.queue.add(k);
      },
      onDelete: (c: KObject) => {
        const k = mine(c);
        if (k) this.queue.add(k);
      },
    });
  }

  protected async reconcile(namespace: string): Promise<ReconcileResult> {
    if (!this.caPem) return;
    const ns = this.namespaces.get('', namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const current = this.configMaps.get(namespace, ROOT_CA_CONFIGMAP);
    const data = { 'ca.crt': this.caPem };
    try {
      if (!current) {
        await this.ctx.client.create(this.configMapsR, namespace, {
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': DESCRIPTION } },
          data,
        });
        return;
      }
      const same = current.data?.['ca.crt'] === this.caPem && Object.keys(current.data ?? {}).length === 1 && !current.binaryData;
      if (same && current.metadata?.annotations?.['kubernetes.io/description'] === DESCRIPTION) return;
      await this.ctx.client.update(this.configMapsR, {
        ...current,
        metadata: { ...current.metadata, annotations: { ...(current.metadata?.annotations ?? {}), 'kubernetes.io/description': DESCRIPTION } },
        data,
        binaryData: undefined,
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) throw err; // cache behind: retry with back-off
      if (isNotFound(err) || (err instanceof ApiError && err.code === 403)) return; // namespace gone or terminating
      throw err;
    }
  }
}
