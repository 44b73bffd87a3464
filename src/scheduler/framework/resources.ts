/**
 * Resource arithmetic for scheduling, in plain numbers: CPU in millicores, memory and
 * ephemeral storage in bytes, every other resource (hugepages, extended resources such as
 * example.com/gpu) as an integer count. A pod's effective request follows upstream's rules:
 * the sum of its containers, plus restartable init containers (sidecars) which keep running,
 * against the largest single (non-sidecar) init container plus the sidecars started before it,
 * plus the pod overhead. Non-zero requests (100m CPU, 200Mi memory per container that asks for
 * none) are what scoring uses, as upstream does.
 */
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue, tryParseQuantity } from '../../machinery/quantity.js';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pods the node allows (allocatable only). */
  allowedPodNumber: number;
  /** Every other named resource: hugepages-*, extended resources. */
  scalar: Map<string, number>;
}

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

export function cloneResources(r: Resources): Resources {
  return { ...r, scalar: new Map(r.scalar) };
}

/** Adds (sign 1) or subtracts (sign -1) b into a. */
export function addResources(a: Resources, b: Resources, sign: 1 | -1 = 1): void {
  a.milliCPU += sign * b.milliCPU;
  a.memory += sign * b.memory;
  a.ephemeralStorage += sign * b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + sign * v);
}

function maxInto(a: Resources, b: Resources): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of b.scalar) a.scalar.set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function quantityOf(value: unknown, milli: boolean): number {
  const q = tryParseQuantity(value);
  if (!q) return 0;
  return milli ? quantityMilliValue(q) : quantityValue(q);
}

/** Converts a ResourceList ({cpu: "500m", memory: "1Gi", ...}) into numbers. */
export function resourcesFromList(list: Record<string, unknown> | undefined): Resources {
  const r = emptyResources();
  if (!list) return r;
  for (const [name, value] of Object.entries(list)) {
    switch (name) {
      case 'cpu': r.milliCPU = quantityOf(value, true); break;
      case 'memory': r.memory = quantityOf(value, false); break;
      case 'ephemeral-storage': r.ephemeralStorage = quantityOf(value, false); break;
      case 'pods': r.allowedPodNumber = quantityOf(value, false); break;
      default: r.scalar.set(name, quantityOf(value, false));
    }
  }
  return r;
}

/** A node's allocatable resources (status.allocatable, falling back to status.capacity). */
export function nodeAllocatable(node: Node): Resources {
  return resourcesFromList((node.status?.allocatable ?? node.status?.capacity) as Record<string, unknown> | undefined);
}

/** A container's requests; as the API server's defaulting does, a limit stands in for a missing request. */
function containerRequests(c: Container): Resources {
  const req = c.resources?.requests as Record<string, unknown> | undefined;
  const lim = c.resources?.limits as Record<string, unknown> | undefined;
  if (!lim) return resourcesFromList(req);
  return resourcesFromList({ ...lim, ...req });
}

/** The CPU and memory scoring counts for a container: a default when it asks for none. */
function containerNonZero(c: Container): Resources {
  const r = containerRequests(c);
  const out = emptyResources();
  const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) } as Record<string, unknown>;
  out.milliCPU = req.cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : r.milliCPU;
  out.memory = req.memory === undefined ? DEFAULT_MEMORY_REQUEST : r.memory;
  return out;
}

function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

function effective(pod: Pod, per: (c: Container) => Resources, withOverhead: boolean): Resources {
  const reqs = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(reqs, per(c));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = per(c);
    let peak: Resources;
    if (isSidecar(c)) {
      addResources(reqs, own);
      addResources(sidecars, own);
      peak = sidecars;
    } else {
      peak = cloneResources(own);
      addResources(peak, sidecars);
    }
    maxInto(initMax, peak);
  }
  maxInto(reqs, initMax);
  if (withOverhead && pod.spec?.overhead) addResources(reqs, resourcesFromList(pod.spec.overhead as Record<string, unknown>));
  return reqs;
}

/** The pod's effective request, as NodeResourcesFit checks it. */
export function podRequests(pod: Pod): Resources {
  return effective(pod, containerRequests, true);
}

/** The pod's CPU/memory request with upstream's non-zero defaults, as scoring counts it. */
export function podNonZeroRequests(pod: Pod): Resources {
  const r = effective(pod, containerNonZero, true);
  return r;
}
