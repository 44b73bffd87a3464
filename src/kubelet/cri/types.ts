/**
 * Hand-written TypeScript shapes of the CRI messages in cri.proto, as @grpc/proto-loader hands them
 * over (keepCase:false → lowerCamelCase, longs → number, enums → their string names, bytes → Buffer,
 * maps → plain objects, defaults filled in on responses). Request shapes mark everything optional;
 * response shapes mark what the runtime always fills in as required.
 */

export type Labels = Record<string, string>;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type SecurityProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';

// ---- shared pieces ----
export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export interface Mount {
  containerPath?: string;
  hostPath?: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
}
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
export interface Int64Value { value: number }
export interface UInt64Value { value: number }
export interface SELinuxOption { user?: string; role?: string; type?: string; level?: string }
export interface SecurityProfile { profileType?: SecurityProfileType; localhostRef?: string }
export interface ImageSpec { image: string; annotations?: Labels; userSpecifiedImage?: string }
/** On the wire the value is CRI's `bytes`; k8ts carries it as a (UTF-8) string, which encodes identically. */
export interface KeyValue { key: string; value: string }
export interface HugepageLimit { pageSize?: string; limit?: number }
export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  hugepageLimits?: HugepageLimit[];
  unified?: Labels;
  memorySwapLimitInBytes?: number;
}
export interface Capability { addCapabilities?: string[]; dropCapabilities?: string[]; addAmbientCapabilities?: string[] }

// ---- sandboxes ----
export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value | null;
  runAsGroup?: Int64Value | null;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  privileged?: boolean;
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}
export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: Labels;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Labels;
  annotations?: Labels;
  linux?: LinuxPodSandboxConfig;
}
export interface RunPodSandboxRequest { config: PodSandboxConfig; runtimeHandler?: string }
export interface RunPodSandboxResponse { podSandboxId: string }
export interface StopPodSandboxRequest { podSandboxId: string }
export interface RemovePodSandboxRequest { podSandboxId: string }
export interface PodSandboxStatusRequest { podSandboxId: string; verbose?: boolean }
export interface PodIP { ip: string }
export interface PodSandboxNetworkStatus { ip: string; additionalIps: PodIP[] }
export interface PodSandboxStatus {
  id: string;
  metadata: Required<PodSandboxMetadata> | null;
  state: PodSandboxState;
  createdAt: number;
  network: PodSandboxNetworkStatus | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}
export interface PodSandboxStatusResponse { status: PodSandboxStatus | null; info: Labels }
export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState }; labelSelector?: Labels }
export interface ListPodSandboxRequest { filter?: PodSandboxFilter }
export interface PodSandbox {
  id: string;
  metadata: Required<PodSandboxMetadata> | null;
  state: PodSandboxState;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}
export interface ListPodSandboxResponse { items: PodSandbox[] }

// ---- containers ----
export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value | null;
  runAsGroup?: Int64Value | null;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}
export interface LinuxContainerConfig { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext }
export interface ContainerMetadata { name: string; attempt?: number }
export interface Device { containerPath?: string; hostPath?: string; permissions?: string }
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: Device[];
  labels?: Labels;
  annotations?: Labels;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
}
export interface CreateContainerRequest { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }
export interface CreateContainerResponse { containerId: string }
export interface StartContainerRequest { containerId: string }
/** timeout: seconds to wait after the stop signal before killing (0 = kill at once). */
export interface StopContainerRequest { containerId: string; timeout?: number }
export interface RemoveContainerRequest { containerId: string }
export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: Labels;
}
export interface ListContainersRequest { filter?: ContainerFilter }
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: Required<ContainerMetadata> | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
  imageId: string;
}
export interface ListContainersResponse { containers: Container[] }
export interface ContainerStatusRequest { containerId: string; verbose?: boolean }
export interface ContainerStatus {
  id: string;
  metadata: Required<ContainerMetadata> | null;
  state: ContainerState;
  /** Unix nanoseconds (0 = not yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: Mount[];
  logPath: string;
  resources: { linux: LinuxContainerResources | null } | null;
  imageId: string;
}
export interface ContainerStatusResponse { status: ContainerStatus | null; info: Labels }
export interface UpdateContainerResourcesRequest { containerId: string; linux?: LinuxContainerResources; annotations?: Labels }
export interface ReopenContainerLogRequest { containerId: string }

// ---- exec / attach / port-forward ----
/** timeout: seconds (0 = none). */
export interface ExecSyncRequest { containerId: string; cmd: string[]; timeout?: number }
export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface ExecRequest { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }
export interface AttachRequest { containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }
export interface PortForwardRequest { podSandboxId: string; port?: number[] }
export interface UrlResponse { url: string }

// ---- stats ----
export interface FilesystemUsage {
  timestamp: number;
  fsId: { mountpoint: string } | null;
  usedBytes: UInt64Value | null;
  inodesUsed: UInt64Value | null;
}
export interface ContainerStats {
  attributes: { id: string; metadata: Required<ContainerMetadata> | null; labels: Labels; annotations: Labels } | null;
  cpu: { timestamp: number; usageCoreNanoSeconds: UInt64Value | null; usageNanoCores: UInt64Value | null } | null;
  memory: {
    timestamp: number;
    workingSetBytes: UInt64Value | null;
    availableBytes: UInt64Value | null;
    usageBytes: UInt64Value | null;
    rssBytes: UInt64Value | null;
    pageFaults: UInt64Value | null;
    majorPageFaults: UInt64Value | null;
  } | null;
  writableLayer: FilesystemUsage | null;
}
export interface ContainerStatsRequest { containerId: string }
export interface ContainerStatsResponse { stats: ContainerStats | null }
export interface ListContainerStatsRequest { filter?: { id?: string; podSandboxId?: string; labelSelector?: Labels } }
export interface ListContainerStatsResponse { stats: ContainerStats[] }

// ---- version / status ----
export interface VersionRequest { version?: string }
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface StatusRequest { verbose?: boolean }
export interface StatusResponse { status: { conditions: RuntimeCondition[] } | null; info: Labels }
export interface UpdateRuntimeConfigRequest { runtimeConfig: { networkConfig: { podCidr: string } } }

// ---- images ----
export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}
export interface ListImagesRequest { filter?: { image?: ImageSpec } }
export interface ListImagesResponse { images: Image[] }
export interface ImageStatusRequest { image: ImageSpec; verbose?: boolean }
/** image is null when the runtime does not have the image. */
export interface ImageStatusResponse { image: Image | null; info: Labels }
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}
export interface PullImageRequest { image: ImageSpec; auth?: AuthConfig; sandboxConfig?: PodSandboxConfig }
export interface PullImageResponse { imageRef: string }
export interface RemoveImageRequest { image: ImageSpec }
export interface ImageFsInfoResponse { imageFilesystems: FilesystemUsage[]; containerFilesystems: FilesystemUsage[] }

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type Empty = Record<string, never>;
