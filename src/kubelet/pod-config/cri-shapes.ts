/**
 * The CRI message parts pod-config produces, as H1's CRI types (src/kubelet/cri/types.ts: api.proto
 * field names in lowerCamelCase, enums as their string names, int64 as number). Mounts and
 * key-values are narrowed to the fields pod-config always fills.
 */
import type * as T from '../cri/types.js';

export type MountPropagation = T.MountPropagation;
export type NamespaceMode = T.NamespaceMode;
export type CriMount = T.Mount & { containerPath: string; hostPath: string };
export type CriKeyValue = T.KeyValue;
export type CriLinuxContainerResources = T.LinuxContainerResources;
export type CriNamespaceOption = T.NamespaceOption;
export type CriInt64Value = T.Int64Value;
export type CriSecurityProfile = T.SecurityProfile;
export type CriCapability = T.Capability;
export type CriSELinuxOption = T.SELinuxOption;
export type CriLinuxContainerSecurityContext = T.LinuxContainerSecurityContext;
export type CriLinuxSandboxSecurityContext = T.LinuxSandboxSecurityContext;
export type CriLinuxPodSandboxConfig = T.LinuxPodSandboxConfig;
