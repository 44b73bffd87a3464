/**
 * VolumeBinding: the hook where persistent volume claims meet scheduling. It asks the
 * framework's VolumeBinder (supplied by the storage work; the default passes every pod) whether
 * the pod's claims can be satisfied on a node, remembers the choice at Reserve and writes it at
 * PreBind. Pods without persistentVolumeClaim volumes skip it entirely. Missing claims and unbound
 * Immediate claims reject the pod at PreFilter (the binder's preFilterPodVolumes).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  skip, success, unresolvable, type CycleState, type FilterPlugin, type FrameworkHandle, type NodeInfo,
  type PreBindPlugin, type PreFilterPlugin, type ReservePlugin, type Status,
} from '../framework/index.js';

export const VOLUME_BINDING = 'VolumeBinding';

function hasClaims(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim || v.ephemeral);
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = VOLUME_BINDING;

  constructor(private readonly handle: FrameworkHandle) {}

  preFilter(_state: CycleState, pod: Pod): Status {
    if (!hasClaims(pod)) return skip();
    const reasons = this.handle.volumeBinder.preFilterPodVolumes?.(pod) ?? [];
    return reasons.length === 0 ? success() : unresolvable(...reasons);
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const reasons = this.handle.volumeBinder.findPodVolumes(pod, nodeInfo);
    return reasons.length === 0 ? success() : unresolvable(...reasons);
  }

  reserve(_state: CycleState, pod: Pod, nodeName: string): Status {
    if (hasClaims(pod)) this.handle.volumeBinder.assumePodVolumes?.(pod, nodeName);
    return success();
  }

  unreserve(_state: CycleState, pod: Pod, nodeName: string): void {
    if (hasClaims(pod)) this.handle.volumeBinder.revertAssumedPodVolumes?.(pod, nodeName);
  }

  async preBind(_state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    if (!hasClaims(pod)) return skip();
    await this.handle.volumeBinder.bindPodVolumes?.(pod, nodeName);
    return success();
  }
}
