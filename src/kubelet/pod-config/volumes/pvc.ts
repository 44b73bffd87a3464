/**
 * persistentVolumeClaim: the claim's bound PersistentVolume, which must be a hostPath or local
 * volume on this node; its path is bound into containers. Read-only when the pod's claim source
 * says so or the volume is ReadOnlyMany only.
 */
import { checkHostPathType } from './host-path.js';
import type { VolumePlugin } from './types.js';

export const pvcPlugin: VolumePlugin = {
  kind: 'persistentVolumeClaim',
  plugin: 'kubernetes.io~pvc',
  async setUp(ctx) {
    const ns = ctx.pod?.metadata?.namespace ?? 'default';
    const claimName: string = ctx.source?.claimName;
    if (!ctx.lookup.getPersistentVolumeClaim || !ctx.lookup.getPersistentVolume) {
      throw new Error('persistentVolumeClaim volumes need a PersistentVolume lookup');
    }
    const pvc = await ctx.lookup.getPersistentVolumeClaim(ns, claimName);
    if (!pvc) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
    if (pvc.metadata?.deletionTimestamp) throw new Error(`can't start pod because PVC ${ns}/${claimName} is being deleted`);
    const pvName: string | undefined = pvc.spec?.volumeName;
    const phase: string | undefined = pvc.status?.phase;
    if (phase !== 'Bound' || !pvName) {
      throw new Error(`PVC ${ns}/${claimName} has non-bound phase ("${phase ?? ''}") or empty pvc.Spec.VolumeName ("${pvName ?? ''}")`);
    }
    const pv = await ctx.lookup.getPersistentVolume(pvName);
    if (!pv) throw new Error(`persistentvolume "${pvName}" not found`);
    const claimRef = pv.spec?.claimRef;
    if (claimRef?.uid && pvc.metadata?.uid && claimRef.uid !== pvc.metadata.uid) {
      throw new Error(`the PVC ${ns}/${claimName} is bound to PV ${pvName} which is bound to a different claim`);
    }
    let path: string;
    if (pv.spec?.hostPath) {
      path = pv.spec.hostPath.path;
      const err = await checkHostPathType(path, pv.spec.hostPath.type);
      if (err) throw new Error(err);
    } else if (pv.spec?.local) {
      path = pv.spec.local.path;
      const err = await checkHostPathType(path, 'Directory');
      if (err) throw new Error(err);
    } else {
      const kind = Object.keys(pv.spec ?? {}).find((k) => !['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy',
        'storageClassName', 'volumeMode', 'nodeAffinity', 'mountOptions'].includes(k)) ?? 'unknown';
      throw new Error(`persistentvolume "${pvName}": volume type ${kind} is not supported by this node (only hostPath and local)`);
    }
    const modes: string[] = pv.spec?.accessModes ?? [];
    const readOnly = ctx.source?.readOnly === true || (modes.length > 0 && modes.every((m) => m === 'ReadOnlyMany'));
    return { hostPath: path, readOnly, kind: 'persistentVolumeClaim', plugin: pvcPlugin.plugin };
  },
};
