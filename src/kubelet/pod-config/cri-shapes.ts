/**
 * The CRI message shapes pod-config produces, in the project's CRI convention (api.proto field
 * names in lowerCamelCase, enums as their string names, int64 as number). Declared locally and
 * structurally, so they stay assignable to the CRI client's own types (src/kubelet/cri/).
 */

export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
}

export interface CriKeyValue {
  key: string;
  value: string;
}

export interface CriLinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  unified?: Record<string, string>;
  memorySwapLimitInBytes?: number;
}

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

export interface CriNamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
}

export interface CriInt64Value {
  value: number;
}

export interface CriSecurityProfile {
  profileType?: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostRef?: string;
}

export interface CriCapability {
  addCapabilities?: string[];
  dropCapabilities?: string[];
  addAmbientCapabilities?: string[];
}

export interface CriSELinuxOption {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface CriLinuxContainerSecurityContext {
  capabilities?: CriCapability;
  privileged?: boolean;
  namespaceOptions?: CriNamespaceOption;
  selinuxOptions?: CriSELinuxOption;
  runAsUser?: CriInt64Value;
  runAsGroup?: CriInt64Value;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: CriSecurityProfile;
  apparmor?: CriSecurityProfile;
}

export interface CriLinuxSandboxSecurityContext {
  namespaceOptions?: CriNamespaceOption;
  selinuxOptions?: CriSELinuxOption;
  runAsUser?: CriInt64Value;
  runAsGroup?: CriInt64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  privileged?: boolean;
  seccomp?: CriSecurityProfile;
  apparmor?: CriSecurityProfile;
}

export interface CriLinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: CriLinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
}
