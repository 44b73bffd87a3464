/** NodeName: a pod that names a node (spec.nodeName) fits only that node. */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { success, unresolvable, type CycleState, type FilterPlugin, type NodeInfo, type Status } from '../framework/index.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NODE_NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const want = pod.spec?.nodeName;
    return !want || want === nodeInfo.name ? success() : unresolvable(ERR_REASON_NODE_NAME);
  }
}
