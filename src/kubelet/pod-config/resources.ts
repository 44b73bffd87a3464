/**
 * Container resources → CRI LinuxContainerResources (cgroupfs values, as the kubelet computes them
 * with CFS quota on), QoS class, OOM score adjustment and the pod's cgroup parent.
 */
import { totalmem } from 'node:os';
import { podQOSClass } from '../../api/strategy/index.js';
import { quantityMilliValue, quantityValue, tryParseQuantity } from '../../machinery/quantity.js';
import type { CriLinuxContainerResources } from './cri-shapes.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA = 1_000;
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

/** The pod's QoS class: status.qosClass when the server set it, else computed (upstream rules). */
export function qosClass(pod: any): QOSClass {
  const s = pod?.status?.qosClass;
  if (s === 'Guaranteed' || s === 'Burstable' || s === 'BestEffort') return s;
  return podQOSClass(pod);
}

const milli = (v: unknown): number => {
  const q = tryParseQuantity(v);
  return q ? quantityMilliValue(q) : 0;
};
const bytes = (v: unknown): number => {
  const q = tryParseQuantity(v);
  return q ? quantityValue(q) : 0;
};

/** cpu.shares for a CPU request in millicores (0 → the minimum, 2). */
export function milliCPUToShares(m: number): number {
  if (m <= 0) return MIN_SHARES;
  const shares = Math.floor((m * 1024) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** CFS quota for a CPU limit in millicores over `period` µs (0 = no limit). */
export function milliCPUToQuota(m: number, period = CPU_PERIOD): number {
  if (m <= 0) return 0;
  return Math.max(MIN_QUOTA, Math.floor((m * period) / 1000));
}

function isNodeCritical(pod: any): boolean {
  return pod?.spec?.priorityClassName === 'system-node-critical';
}

/** The OOM score adjustment of a container (Guaranteed −997, BestEffort 1000, Burstable by memory request). */
export function oomScoreAdj(pod: any, container: any, memoryCapacity = totalmem()): number {
  if (isNodeCritical(pod)) return GUARANTEED_OOM_SCORE_ADJ;
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const request = bytes(container?.resources?.requests?.memory);
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacity);
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

export interface ResourceOptions {
  /** Node memory capacity in bytes for the Burstable OOM formula (default: this machine's). */
  memoryCapacity?: number;
}

/** The CRI resources for a container (cpu shares from requests, CFS quota from limits, memory limit, OOM adj). */
export function linuxResources(pod: any, container: any, opts: ResourceOptions = {}): CriLinuxContainerResources {
  const req = container?.resources?.requests ?? {};
  const lim = container?.resources?.limits ?? {};
  const cpuRequest = milli(req.cpu);
  const cpuLimit = milli(lim.cpu);
  const memLimit = bytes(lim.memory);
  const out: CriLinuxContainerResources = {
    cpuShares: milliCPUToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest),
    cpuPeriod: CPU_PERIOD,
    cpuQuota: milliCPUToQuota(cpuLimit),
    oomScoreAdj: oomScoreAdj(pod, container, opts.memoryCapacity),
  };
  if (memLimit !== 0) out.memoryLimitInBytes = memLimit;
  return out;
}

/**
 * The pod's cgroup parent in cgroupfs syntax, below `root` by QoS class like the kubelet's:
 * Guaranteed `<root>/pod<uid>`, Burstable `<root>/burstable/pod<uid>`, BestEffort `<root>/besteffort/pod<uid>`.
 */
export function podCgroupParent(pod: any, root = '/kubepods'): string {
  const uid = pod?.metadata?.uid ?? '';
  const qos = qosClass(pod);
  const base = root.replace(/\/+$/, '');
  if (qos === 'Guaranteed') return `${base}/pod${uid}`;
  return `${base}/${qos.toLowerCase()}/pod${uid}`;
}
