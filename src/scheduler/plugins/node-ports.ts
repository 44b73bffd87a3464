/**
 * NodePorts: a pod's host ports (containers and sidecar init containers) must be free on the
 * node: same protocol and port conflict when either host IP is 0.0.0.0 or both IPs are equal.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  podInfoOf, skip, success, unschedulable, type CycleState, type FilterPlugin, type HostPort, type NodeInfo,
  type PreFilterPlugin, type Status,
} from '../framework/index.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY = 'PreFilterNodePorts';

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NODE_PORTS;

  preFilter(state: CycleState, pod: Pod): Status {
    const ports = podInfoOf(pod).hostPorts;
    if (ports.length === 0) return skip();
    state.write(STATE_KEY, ports);
    return success();
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const ports = state.read<HostPort[]>(STATE_KEY) ?? podInfoOf(pod).hostPorts;
    for (const p of ports) if (nodeInfo.portConflicts(p)) return unschedulable(ERR_REASON_NODE_PORTS);
    return success();
  }
}
