/**
 * kubelet/node: a real node agent's Node object — registration, status from the machine and the
 * container runtime, Lease heartbeats, and the pod CIDR hand-off to the CNI config
 * (kubelet/network). May import src/client/, src/api/, src/machinery/, kubelet/cri (types),
 * kubelet/network. kubelet/sim imports its Lease helpers (lease.ts).
 */
export { startNodeStatus, criNodeRuntime } from './start-node-status.js';
export type { NodeRuntime, NodeStatusOptions, RunningNodeStatus } from './start-node-status.js';
export { readMachineInfo, formatBinaryQuantity, goArch } from './machine-info.js';
export type { MachineInfo } from './machine-info.js';
export { KUBELET_VERSION, capacityOf, nodeConditions, nodeImages, nodeLabels, nodeStatus, notReadyMessage } from './node-status.js';
export type { NodeFacts, RuntimeFacts } from './node-status.js';
export { LEASE_NAMESPACE, leaseObject, microTime, rfc3339 } from './lease.js';
