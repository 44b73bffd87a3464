/**
 * The Node a real node agent registers and the status it posts, as the upstream kubelet's node
 * status setters build them: labels, capacity/allocatable from the machine, the pressure conditions
 * and Ready from the runtime's conditions, addresses, daemon endpoint, nodeInfo and images.
 */
import type { KObject } from '../../client/index.js';
import type { Image, RuntimeCondition, VersionResponse } from '../cri/index.js';
import { formatBinaryQuantity, type MachineInfo } from './machine-info.js';

export const KUBELET_VERSION = 'v1.32.0-k8ts';
export const MAX_PODS = 110;
/** Upstream's default hard eviction threshold memory.available<100Mi, taken off allocatable memory. */
export const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
/** Upstream's default hard eviction threshold nodefs.available<10%, taken off allocatable ephemeral-storage. */
export const EVICTION_NODEFS_FRACTION = 0.1;
/** Upstream's nodeStatusMaxImages. */
export const MAX_IMAGES = 50;

export interface RuntimeFacts {
  version?: VersionResponse;
  /** CRI RuntimeReady and NetworkReady (missing = not reported yet). */
  conditions?: RuntimeCondition[];
  /** Why the runtime could not be asked (e.g. the socket is gone). */
  error?: string;
  images?: Image[];
}

export interface NodeFacts {
  name: string;
  nodeIP: string;
  kubeletPort: number;
  machine: MachineInfo;
  runtime: RuntimeFacts;
}

export function nodeLabels(name: string, architecture: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': architecture,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...extra,
  };
}

export function capacityOf(m: MachineInfo): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity: Record<string, string> = {
    cpu: String(m.cpus),
    'ephemeral-storage': formatBinaryQuantity(m.ephemeralStorageBytes),
    memory: formatBinaryQuantity(m.memoryBytes),
    pods: String(MAX_PODS),
  };
  for (const size of m.hugePageSizes) capacity[`hugepages-${size}`] = '0';
  const allocatable = {
    ...capacity,
    'ephemeral-storage': formatBinaryQuantity(m.ephemeralStorageBytes - Math.floor(m.ephemeralStorageBytes * EVICTION_NODEFS_FRACTION)),
    memory: formatBinaryQuantity(Math.max(0, m.memoryBytes - EVICTION_MEMORY_BYTES)),
  };
  return { capacity, allocatable };
}

/** Upstream's RuntimeCondition String(): `NetworkReady=false reason:X message:Y`. */
const conditionText = (c: RuntimeCondition | undefined, type: string): string =>
  c ? `${c.type}=${c.status} reason:${c.reason} message:${c.message}` : `${type}=false reason: message:not reported`;

/** Why the node is not ready, or undefined when it is (upstream's runtime and network error texts, aggregated as errors.NewAggregate does). */
export function notReadyMessage(r: RuntimeFacts): string | undefined {
  const errs: string[] = [];
  if (r.error !== undefined || !r.conditions) {
    errs.push(r.error !== undefined ? 'container runtime is down' : 'container runtime status check may not have completed yet');
  } else {
    const runtime = r.conditions.find((c) => c.type === 'RuntimeReady');
    const network = r.conditions.find((c) => c.type === 'NetworkReady');
    if (!runtime?.status) errs.push(`container runtime not ready: ${conditionText(runtime, 'RuntimeReady')}`);
    if (!network?.status) errs.push(`container runtime network not ready: ${conditionText(network, 'NetworkReady')}`);
  }
  if (!errs.length) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

type Cond = [type: string, status: 'True' | 'False', reason: string, message: string];

export function nodeConditions(r: RuntimeFacts, now: string, old: KObject[] = []): KObject[] {
  const notReady = notReadyMessage(r);
  const want: Cond[] = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    notReady === undefined ? ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'] : ['Ready', 'False', 'KubeletNotReady', notReady],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = old.find((c) => c.type === type);
    return {
      type, status, lastHeartbeatTime: now,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime ?? now : now,
      reason, message,
    };
  });
}

/** Images as the node reports them: largest first, at most 50, names = digests then tags. */
export function nodeImages(images: Image[] = []): KObject[] {
  return [...images]
    .sort((a, b) => b.size - a.size)
    .slice(0, MAX_IMAGES)
    .map((i) => ({ names: [...(i.repoDigests ?? []), ...(i.repoTags ?? [])], sizeBytes: i.size }))
    .filter((i) => i.names.length > 0);
}

export function nodeStatus(f: NodeFacts, now: string, oldConditions: KObject[] = []): KObject {
  const { capacity, allocatable } = capacityOf(f.machine);
  const v = f.runtime.version;
  return {
    capacity,
    allocatable,
    conditions: nodeConditions(f.runtime, now, oldConditions),
    addresses: [
      { type: 'InternalIP', address: f.nodeIP },
      { type: 'Hostname', address: f.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: f.machine.machineID,
      systemUUID: f.machine.systemUUID,
      bootID: f.machine.bootID,
      kernelVersion: f.machine.kernelVersion,
      osImage: f.machine.osImage,
      containerRuntimeVersion: v ? `${v.runtimeName}://${v.runtimeVersion}` : '',
      kubeletVersion: KUBELET_VERSION,
      // Upstream 1.32 (DisableNodeKubeProxyVersion) leaves this empty.
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: f.machine.architecture,
    },
    images: nodeImages(f.runtime.images),
  };
}

/** The status without heartbeat times, to tell whether anything worth a write changed. */
export function statusFingerprint(status: KObject): string {
  const conditions = (status.conditions ?? []).map((c: KObject) => ({ ...c, lastHeartbeatTime: undefined }));
  return JSON.stringify({ ...status, conditions });
}

export function nodeObject(opts: {
  name: string;
  labels: Record<string, string>;
  taints?: KObject[];
  podCIDR?: string;
  status: KObject;
}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: opts.name,
      labels: { ...opts.labels },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      ...(opts.podCIDR ? { podCIDR: opts.podCIDR, podCIDRs: [opts.podCIDR] } : {}),
      ...(opts.taints?.length ? { taints: opts.taints } : {}),
    },
    status: opts.status,
  };
}
