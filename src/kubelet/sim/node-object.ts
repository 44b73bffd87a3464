/** The Node and Lease a simulated node registers, and its addresses (node IP, pod range). */
import type { KObject } from '../../client/index.js';
import { LEASE_NAMESPACE, leaseObject, microTime, rfc3339 } from '../node/lease.js';
import { nodeConditions as runtimeNodeConditions } from '../node/node-status.js';

export { LEASE_NAMESPACE, leaseObject, microTime, rfc3339 };

export const SIMULATED_ANNOTATION = 'k8ts.io/simulated';
export const INDEX_ANNOTATION = 'sim.k8ts.io/index';
export const INSTANCE_TYPE = 'k8ts-sim';
export const KUBELET_VERSION = 'v1.32.0-k8ts';

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = { cpu: '4', memory: '16Gi', pods: '110' };

/** 127.0.0.N for node N (1-based), spilling into the third octet past 255: a loopback address only. */
export function nodeIPFor(index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > 65535) throw new Error(`simulated node index out of range: ${index}`);
  return `127.0.${index >> 8}.${index & 255}`;
}

/** 10.42.N.0/24 for node N, spilling into the second octet past 255. */
export function podCIDRFor(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 65535) throw new Error(`simulated node index out of range: ${index}`);
  return `10.${42 + (index >> 8)}.${index & 255}.0/24`;
}


export interface NodeShape {
  name: string;
  index: number;
  internalIP: string;
  podCIDR: string;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: KObject[];
}

export function nodeLabels(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': INSTANCE_TYPE,
    ...extra,
  };
}

/** A simulated runtime is always up with its network ready. */
const SIM_RUNTIME = {
  conditions: [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ],
};

/** Ready plus the three pressure conditions, all healthy (the real node's conditions for a runtime that is up). */
export function nodeConditions(now: string, old: KObject[] = []): KObject[] {
  return runtimeNodeConditions(SIM_RUNTIME, now, old);
}

export function nodeStatus(shape: NodeShape, now: string, oldConditions: KObject[] = []): KObject {
  return {
    capacity: { ...shape.capacity },
    allocatable: { ...shape.allocatable },
    conditions: nodeConditions(now, oldConditions),
    addresses: [
      { type: 'InternalIP', address: shape.internalIP },
      { type: 'Hostname', address: shape.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '',
      kernelVersion: 'sim', osImage: 'k8ts simulated node', containerRuntimeVersion: 'sim://0.1',
      kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

export function nodeObject(shape: NodeShape, now: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: shape.name,
      labels: { ...shape.labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', [SIMULATED_ANNOTATION]: 'true', [INDEX_ANNOTATION]: String(shape.index), ...shape.annotations },
    },
    spec: { podCIDR: shape.podCIDR, podCIDRs: [shape.podCIDR], ...(shape.taints.length ? { taints: shape.taints } : {}) },
    status: nodeStatus(shape, now),
  };
}
