/**
 * Values of the downward API: a pod field (fieldRef) or a container resource (resourceFieldRef),
 * as env vars and downwardAPI volume files see them. Container limits that are not set default to
 * the node's allocatable (upstream's defaultPodLimitsForDownwardAPI).
 */
import { parseQuantity, quantityMilliValue, quantityValue, type Quantity } from '../../machinery/quantity.js';

/** What the agent knows about the running pod beyond its object. */
export interface PodRuntimeInfo {
  /** The pod's IPs (first = primary); status.podIP(s). Defaults to pod.status.podIPs. */
  podIPs?: string[];
  /** The node's IPs; status.hostIP(s). Defaults to pod.status.hostIPs. */
  hostIPs?: string[];
  /** The node's allocatable (cpu, memory, ephemeral-storage), used where a container sets no limit. */
  nodeAllocatable?: Record<string, string>;
}

/** Go's %q-style quoting, close enough for label and annotation values. */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** Labels or annotations as the downward API prints them: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${quote(m![k]!)}`).join('\n');
}

const SUBSCRIPT = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/;

/** The value of a fieldRef path for this pod; throws `unsupported fieldPath: X` when unknown. */
export function podFieldValue(pod: any, fieldPath: string, info: PodRuntimeInfo = {}): string {
  const podIPs = info.podIPs ?? (pod?.status?.podIPs ?? []).map((p: any) => p.ip).filter(Boolean);
  const podIP = podIPs[0] ?? pod?.status?.podIP ?? '';
  const hostIPs = info.hostIPs ?? (pod?.status?.hostIPs ?? []).map((p: any) => p.ip).filter(Boolean);
  const meta = pod?.metadata ?? {};
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod?.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod?.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return hostIPs[0] ?? pod?.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (hostIPs.length ? hostIPs : [pod?.status?.hostIP].filter(Boolean)).join(',');
    case 'status.podIP':
      return podIP;
    case 'status.podIPs':
      return (podIPs.length ? podIPs : [podIP].filter(Boolean)).join(',');
  }
  const m = SUBSCRIPT.exec(fieldPath);
  if (m) {
    const map = m[1] === 'metadata.labels' ? meta.labels : meta.annotations;
    return map?.[m[2]!] ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function quantityOr(v: unknown): Quantity {
  return typeof v === 'string' || typeof v === 'number' ? parseQuantity(String(v)) : { num: 0n, exp: 0, format: 'DecimalSI' };
}

/**
 * The value of a resourceFieldRef (`limits.cpu`, `requests.memory`, ...) for a container, rounded
 * up in units of the divisor (default 1). Limits that are unset fall back to node allocatable.
 */
export function containerResourceValue(
  container: any, resource: string, divisor: string | undefined, info: PodRuntimeInfo = {},
): string {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  if ((kind !== 'limits' && kind !== 'requests') || !RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
    throw new Error(`unsupported container resource : ${resource}`);
  }
  const res = container?.resources ?? {};
  let raw = res[kind]?.[name];
  if (raw === undefined && kind === 'limits' && RESOURCES.includes(name)) raw = info.nodeAllocatable?.[name];
  const value = quantityOr(raw);
  const div = divisor === undefined || divisor === '' || quantityOr(divisor).num === 0n ? parseQuantity('1') : quantityOr(divisor);
  if (name === 'cpu') return String(Math.ceil(quantityMilliValue(value) / quantityMilliValue(div)));
  return String(Math.ceil(quantityValue(value) / quantityValue(div)));
}

/** resourceFieldRef.containerName or the given container, looked up in the pod. */
export function findContainer(pod: any, name: string): any {
  const spec = pod?.spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].find((c: any) => c?.name === name);
}
