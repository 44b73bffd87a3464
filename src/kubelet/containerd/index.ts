/**
 * kubelet/containerd: runs and supervises containerd for a k8ts node (config.toml under
 * D/agent/containerd, restart with back-off, CRI readiness) or adopts an existing CRI endpoint.
 * May import node built-ins, src/kubelet/cri and src/kubelet/images only.
 */
export { startContainerd, findExecutable, CONTAINERD_MISSING, RUNC_MISSING } from './supervisor.js';
export type { StartContainerdOptions, ContainerdHandle } from './supervisor.js';
export { containerdLayout, containerdConfigToml, hasSysResourceCapability, MAX_SOCKET_PATH } from './config.js';
export type { ContainerdLayout, ContainerdConfigOptions } from './config.js';
