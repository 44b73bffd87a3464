/**
 * VolumeRestrictions (k8ts' part of upstream's plugin): a claim with the ReadWriteOncePod access
 * mode serves one pod in the whole cluster. PreFilter counts the scheduled pods already using the
 * pod's ReadWriteOncePod claims (the binder knows claims' access modes); Filter rejects every node
 * while that count is above zero, as upstream, so preemption may still free the claim.
 * AddPod/RemovePod keep the count right for nominated pods and preemption dry runs.
 *
 * k8ts also keeps a claim whose only access mode is ReadWriteOnce to one node (upstream leaves
 * that to volume attachment, which local and hostPath volumes do not have): a node is rejected
 * while a scheduled pod on another node uses such a claim.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  skip, success, unschedulable, type Cloneable, type CycleState, type FilterPlugin, type FrameworkHandle, type NodeInfo,
  type PodInfo, type PreFilterPlugin, type Snapshot, type Status,
} from '../framework/index.js';

export const VOLUME_RESTRICTIONS = 'VolumeRestrictions';
export const ERR_REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
export const ERR_REASON_RWO_CONFLICT = 'node(s) unavailable due to a ReadWriteOnce PersistentVolumeClaim in use on another node';
const STATE_KEY = 'PreFilterVolumeRestrictions';

class RwopState implements Cloneable {
  constructor(
    readonly claims: Set<string>,
    public conflicts: number,
    readonly rwo: Set<string>,
    /** ReadWriteOnce claim → node → pods there using it. */
    readonly rwoNodes: Map<string, Map<string, number>>,
  ) {}

  clone(): RwopState {
    const nodes = new Map([...this.rwoNodes].map(([c, m]) => [c, new Map(m)]));
    return new RwopState(this.claims, this.conflicts, this.rwo, nodes);
  }

  count(pod: Pod, delta: number): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    this.conflicts += delta * uses(pod, this.claims);
    for (const k of podClaimKeys(pod)) {
      if (!this.rwo.has(k)) continue;
      let m = this.rwoNodes.get(k);
      if (!m) this.rwoNodes.set(k, (m = new Map()));
      const n = (m.get(node) ?? 0) + delta;
      if (n > 0) m.set(node, n);
      else m.delete(node);
    }
  }

  usedElsewhere(node: string): boolean {
    for (const m of this.rwoNodes.values()) for (const [n, c] of m) if (n !== node && c > 0) return true;
    return false;
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
    const rwo = this.handle.volumeBinder.readWriteOnceClaims?.(pod) ?? [];
    if (rwop.length === 0 && rwo.length === 0) return skip();
    const s = new RwopState(new Set(rwop), 0, new Set(rwo), new Map());
    const self = pod.metadata?.uid;
    for (const ni of snapshot.nodeInfos) {
      for (const pi of ni.pods) if (pi.uid !== self) s.count({ ...pi.pod, spec: { ...pi.pod.spec!, nodeName: ni.name } }, 1);
    }
    state.write(STATE_KEY, s);
    return success();
  }

  addPod(state: CycleState, _pod: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<RwopState>(STATE_KEY)?.count({ ...podToAdd.pod, spec: { ...podToAdd.pod.spec!, nodeName: nodeInfo.name } }, 1);
    return success();
  }

  removePod(state: CycleState, _pod: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status {
    state.read<RwopState>(STATE_KEY)?.count({ ...podToRemove.pod, spec: { ...podToRemove.pod.spec!, nodeName: nodeInfo.name } }, -1);
    return success();
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<RwopState>(STATE_KEY);
    if (!s) return success();
    if (s.conflicts > 0) return unschedulable(ERR_REASON_RWOP_CONFLICT);
    if (s.usedElsewhere(nodeInfo.name)) return unschedulable(ERR_REASON_RWO_CONFLICT);
    return success();
  }
}
