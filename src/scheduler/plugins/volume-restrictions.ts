/**
 * VolumeRestrictions (k8ts' part of upstream's plugin): a claim with the ReadWriteOncePod access
 * mode serves one pod in the whole cluster. PreFilter counts the scheduled pods already using the
 * pod's ReadWriteOncePod claims (the binder knows claims' access modes); Filter rejects every node
 * while that count is above zero, as upstream, so preemption may still free the claim.
 * AddPod/RemovePod keep the count right for nominated pods and preemption dry runs.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  skip, success, unschedulable, type Cloneable, type CycleState, type FilterPlugin, type FrameworkHandle, type NodeInfo,
  type PodInfo, type PreFilterPlugin, type Snapshot, type Status,
} from '../framework/index.js';

export const VOLUME_RESTRICTIONS = 'VolumeRestrictions';
export const ERR_REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
const STATE_KEY = 'PreFilterVolumeRestrictions';

class RwopState implements Cloneable {
  constructor(readonly claims: Set<string>, public conflicts: number) {}
  clone(): RwopState {
    return new RwopState(this.claims, this.conflicts);
  }
}

/** "namespace/claimName" for each claim the pod uses (ephemeral volumes included). */
export function podClaimKeys(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v.ephemeral) out.push(`${ns}/${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

function uses(p: Pod, claims: Set<string>): number {
  return podClaimKeys(p).filter((k) => claims.has(k)).length;
}

export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {
  readonly name = VOLUME_RESTRICTIONS;

  constructor(private readonly handle: FrameworkHandle) {}

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const rwop = this.handle.volumeBinder.readWriteOncePodClaims?.(pod) ?? [];
    if (rwop.length === 0) return skip();
    const claims = new Set(rwop);
    const self = pod.metadata?.uid;
    let conflicts = 0;
    for (const ni of snapshot.nodeInfos) {
      for (const pi of ni.pods) if (pi.uid !== self) conflicts += uses(pi.pod, claims);
    }
    state.write(STATE_KEY, new RwopState(claims, conflicts));
    return success();
  }

  addPod(state: CycleState, _pod: Pod, podToAdd: PodInfo): Status {
    const s = state.read<RwopState>(STATE_KEY);
    if (s) s.conflicts += uses(podToAdd.pod, s.claims);
    return success();
  }

  removePod(state: CycleState, _pod: Pod, podToRemove: PodInfo): Status {
    const s = state.read<RwopState>(STATE_KEY);
    if (s) s.conflicts -= uses(podToRemove.pod, s.claims);
    return success();
  }

  filter(state: CycleState, _pod: Pod, _nodeInfo: NodeInfo): Status {
    const s = state.read<RwopState>(STATE_KEY);
    return s && s.conflicts > 0 ? unschedulable(ERR_REASON_RWOP_CONFLICT) : success();
  }
}
