/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods unless the pod
 * tolerates the node.kubernetes.io/unschedulable:NoSchedule taint.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  success, taintToleratedBy, unresolvable, type CycleState, type FilterPlugin, type NodeInfo, type Status,
} from '../framework/index.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (!nodeInfo.node.spec?.unschedulable) return success();
    const tolerated = taintToleratedBy({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' }, pod.spec?.tolerations);
    return tolerated ? success() : unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}
