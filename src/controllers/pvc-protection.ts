/**
 * The PVC protection controller (upstream's pvc-protection): a claim being deleted keeps its
 * `kubernetes.io/pvc-protection` finalizer (added at creation by the StorageObjectInUseProtection
 * admission step) while any pod that is not finished (Succeeded/Failed) uses it, through a
 * persistentVolumeClaim volume or a generic ephemeral volume. Once no such pod is left the
 * finalizer goes and the claim is removed. Pods are read from the cache and, before the finalizer
 * is removed, once more from the API server (the cache may not have seen a new pod yet).
 */
import { findResource } from '../api/resources.js';
import { ApiError, isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

/** Names of the claims a pod uses (persistentVolumeClaim volumes and generic ephemeral volumes). */
export function podClaimNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v?.ephemeral && v.name) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

const podUsesClaim = (pod: KObject, claim: string): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && podClaimNames(pod).includes(claim);

export class PvcProtectionController extends BaseController {
  private readonly pvcsR = findResource('', 'v1', 'persistentvolumeclaims')!;
  private readonly podsR = findResource('', 'v1', 'pods')!;
  private readonly pvcs: Lister;
  private readonly pods: Lister;

  constructor(ctx: ControllerContext) {
    super('pvc-protection', ctx, { workers: 2 });
    const pvcInf = ctx.informers.informerFor(this.pvcsR);
    const podInf = ctx.informers.informerFor(this.podsR);
    this.pvcs = new Lister(pvcInf.store);
    this.pods = new Lister(podInf.store);
    this.watch(pvcInf, (c) => (c.metadata?.deletionTimestamp ? `${c.metadata.namespace}/${c.metadata.name}` : undefined));
    this.watch(podInf, (p) => podClaimNames(p).map((c) => `${p.metadata?.namespace}/${c}`));
  }

  protected async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const pvc = this.pvcs.get(namespace, name);
    if (!pvc?.metadata?.deletionTimestamp || !(pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) return;
    if (this.pods.list(namespace).some((p) => podUsesClaim(p, name))) return;
    const live = await this.ctx.client.list(this.podsR, namespace);
    if (live.items.some((p) => podUsesClaim(p, name))) return;
    try {
      await this.ctx.client.update(this.pvcsR, {
        ...pvc,
        metadata: { ...pvc.metadata, finalizers: (pvc.metadata.finalizers as string[]).filter((f) => f !== PVC_PROTECTION_FINALIZER) },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      if (err instanceof ApiError && err.code === 409) throw err;
      throw err;
    }
  }
}
