/**
 * kubelet/pod-config: what a pod's spec turns into on the node before the runtime sees it —
 * environment, volumes and mounts, cgroup resources and QoS, and security settings — as CRI
 * message parts. Pure translation plus the node-side volume work; no CRI calls, no pod lifecycle
 * (that is src/kubelet/agent/). May import src/api/, src/machinery/ and src/client/.
 *
 * How the agent uses it, per pod:
 *
 *   const lookup = kubeLookup(client);                        // ConfigMaps, Secrets, PVCs, PVs, TokenRequest
 *   const volumes = new VolumeManager({ dataDir: D, lookup, log });
 *   // before the sandbox / on every sync (idempotent):
 *   const mounted = await volumes.setUp(pod, info);            // throws VolumeSetUpError: emit one FailedMount
 *                                                              // event per .failures[i].message, retry later
 *   // sandbox config:
 *   linux: linuxSandboxConfig(pod, podCgroupParent(pod))       // namespaces, sysctls, run-as, privileged
 *   // per container:
 *   const env = await resolveEnv(pod, c, lookup, { ...info, serviceEnv });
 *   if ('error' in env) → CreateContainerConfigError with env.error (warnings: emit InvalidEnvironmentVariableNames)
 *   const nonRoot = verifyRunAsNonRoot(pod, c, imageUser);     // string → CreateContainerConfigError
 *   const { command, args } = expandCommand(c, env.envs);
 *   const mounts = await volumes.mountsFor(pod, c, mounted, env.envs);   // throws Error → CreateContainerConfigError
 *   mounts.push(await etcHostsMount(...), await terminationMessageMount(...))   // kubelet-managed files (etc-files.ts)
 *   linux: { resources: linuxResources(pod, c), securityContext: containerSecurityContext(pod, c) }
 *   // periodically while running (e.g. each resync): await volumes.refresh(pod, info)
 *   // when the pod is gone: await volumes.tearDown(podUid)
 *
 * createPodInputs(opts) packages all of the above as the agent's PodInputs (preparePod = setUp, also
 * keeping API-backed volumes current on every sync; containerInputs; qosClass; cleanupPod = tearDown).
 *
 * `info` (PodRuntimeInfo) carries the pod's IPs, the node's IPs and the node's allocatable, for
 * fieldRef/resourceFieldRef values.
 */
export type {
  CriMount, CriKeyValue, CriLinuxContainerResources, CriLinuxContainerSecurityContext, CriLinuxSandboxSecurityContext,
  CriLinuxPodSandboxConfig, CriNamespaceOption, MountPropagation, NamespaceMode,
} from './cri-shapes.js';
export { expand, mappingFor } from './expansion.js';
export { resolveEnv, expandCommand, envMap, isEnvVarName } from './env.js';
export type { ConfigLookup, EnvOptions, EnvResult } from './env.js';
export { podFieldValue, containerResourceValue, formatMap } from './field-ref.js';
export type { PodRuntimeInfo } from './field-ref.js';
export {
  linuxResources, qosClass, podCgroupParent, oomScoreAdj, milliCPUToShares, milliCPUToQuota, CPU_PERIOD,
} from './resources.js';
export type { QOSClass, ResourceOptions } from './resources.js';
export {
  containerSecurityContext, sandboxSecurityContext, linuxSandboxConfig, namespaceOptions, sysctls, verifyRunAsNonRoot,
  effectiveSecurityContext, criCapabilityName, formatPod, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS,
} from './security.js';
export type { ImageUser } from './security.js';
export { VolumeManager, VolumeSetUpError } from './volumes/manager.js';
export type { VolumeManagerOptions } from './volumes/manager.js';
export { VolumeError } from './volumes/types.js';
export type { MountedVolume, VolumeLookup, VolumePlugin, VolumeContext, IssuedToken, TokenRequestSpec } from './volumes/types.js';
export { registerVolumePlugin, volumePlugin, volumeKind } from './volumes/registry.js';
export { mountsFor, checkSubPath, provisionSubPath, expandSubPathExpr } from './volumes/subpath.js';
export { writeAtomic, applyGroup, validatePayloadPath, DATA_DIR } from './volumes/atomic-writer.js';
export type { FileProjection } from './volumes/atomic-writer.js';
export { checkHostPathType } from './volumes/host-path.js';
export { kubeLookup } from './volumes/lookup.js';
export { createPodInputs, ContainerConfigError } from './pod-inputs.js';
export type { PodConfigInputs, PodConfigInputsOptions, PodConfigContainerInputs, ImageStatusSource } from './pod-inputs.js';
export { hostsFileContent, etcHostsMount, terminationMessageMount, podHostnameAndDomain, ETC_HOSTS } from './etc-files.js';
