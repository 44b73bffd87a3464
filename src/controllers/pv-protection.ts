/**
 * The PV protection controller (upstream's pv-protection): a PersistentVolume being deleted keeps
 * its `kubernetes.io/pv-protection` finalizer (added at creation by the
 * StorageObjectInUseProtection admission step) while it is Bound to a claim; once it is not, the
 * finalizer goes and the volume is removed.
 */
import { findResource } from '../api/resources.js';
import { isNotFound } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export class PvProtectionController extends BaseController {
  private readonly pvsR = findResource('', 'v1', 'persistentvolumes')!;
  private readonly pvs: Lister;

  constructor(ctx: ControllerContext) {
    super('pv-protection', ctx, { workers: 1 });
    const inf = ctx.informers.informerFor(this.pvsR);
    this.pvs = new Lister(inf.store);
    this.watch(inf, (pv) => (pv.metadata?.deletionTimestamp ? pv.metadata.name : undefined));
  }

  protected async reconcile(name: string): Promise<ReconcileResult> {
    const pv = this.pvs.get(undefined, name);
    if (!pv?.metadata?.deletionTimestamp || !(pv.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER)) return;
    if (pv.status?.phase === 'Bound') return;
    try {
      await this.ctx.client.update(this.pvsR, {
        ...pv,
        metadata: { ...pv.metadata, finalizers: (pv.metadata.finalizers as string[]).filter((f) => f !== PV_PROTECTION_FINALIZER) },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
