/**
 * ResourceQuota evaluation, shared by the ResourceQuota admission plugin and the quota
 * controller (pure code): what one object uses of the quota's resource names, whether a quota's
 * scopes select a pod, which compute resources a pod fails to state, and the message helpers.
 * Resource names as upstream: `pods`, `services`, `configmaps`, `secrets`, `persistentvolumeclaims`,
 * `replicationcontrollers`, `resourcequotas`, `services.nodeports`, `services.loadbalancers`,
 * `cpu`/`memory`/`ephemeral-storage` (= requests.*), `requests.*`, `limits.*`, `requests.storage`,
 * `<class>.storageclass.storage.k8s.io/{requests.storage,persistentvolumeclaims}` and
 * `count/<plural>[.<group>]` for any resource.
 */
import { addQuantities, compareQuantities, formatQuantity, quantityFromInt, tryParseQuantity, type Quantity } from './quantity.js';

type Obj = Record<string, any>;
export type Usage = Map<string, Quantity>;

const COUNTED_CORE = new Set(['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

export const countName = (group: string, plural: string): string => `count/${plural}${group ? '.' + group : ''}`;

export function isTerminalPod(pod: Obj): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function add(u: Usage, name: string, q: Quantity): void {
  u.set(name, u.has(name) ? addQuantities(u.get(name)!, q) : q);
}

/** A pod's requests or limits (sum over containers, or the largest init container if bigger, plus overhead). */
export function podResources(pod: Obj, field: 'requests' | 'limits'): Usage {
  const spec = pod?.spec ?? {};
  const sum: Usage = new Map();
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    for (const [r, v] of Object.entries(c?.resources?.[field] ?? {})) {
      const q = tryParseQuantity(v);
      if (q) add(sum, r, q);
    }
  }
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) {
    for (const [r, v] of Object.entries(c?.resources?.[field] ?? {})) {
      const q = tryParseQuantity(v);
      if (q && (!sum.has(r) || compareQuantities(q, sum.get(r)!) > 0)) sum.set(r, q);
    }
  }
  for (const [r, v] of Object.entries(spec.overhead ?? {})) {
    const q = tryParseQuantity(v);
    if (q && sum.has(r)) add(sum, r, q);
  }
  return sum;
}

/** What one object uses of quota resource names (empty for a terminal pod, apart from its count/ entry). */
export function usageOf(group: string, plural: string, obj: Obj): Usage {
  const u: Usage = new Map();
  const one = quantityFromInt(1);
  if (group === '' && plural === 'pods' && isTerminalPod(obj)) return u;
  u.set(countName(group, plural), one);
  if (group === '' && COUNTED_CORE.has(plural)) u.set(plural, one);
  if (group === '' && plural === 'pods') {
    for (const [r, q] of podResources(obj, 'requests')) {
      u.set(`requests.${r}`, q);
      if (COMPUTE.includes(r)) u.set(r, q);
    }
    for (const [r, q] of podResources(obj, 'limits')) u.set(`limits.${r}`, q);
  } else if (group === '' && plural === 'services') {
    const type = obj?.spec?.type;
    if (type === 'LoadBalancer') u.set('services.loadbalancers', one);
    if (type === 'NodePort' || type === 'LoadBalancer') {
      const ports = Array.isArray(obj?.spec?.ports) ? obj.spec.ports.length : 0;
      u.set('services.nodeports', quantityFromInt(ports));
    }
  } else if (group === '' && plural === 'persistentvolumeclaims') {
    const storage = tryParseQuantity(obj?.spec?.resources?.requests?.storage);
    const cls = obj?.spec?.storageClassName;
    if (storage) u.set('requests.storage', storage);
    if (typeof cls === 'string' && cls) {
      u.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, one);
      if (storage) u.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
    }
  }
  return u;
}

/** Whether a quota's resource name can be used by objects of this resource (for recomputation). */
export function resourceNameConcerns(name: string, group: string, plural: string): boolean {
  if (name === countName(group, plural)) return true;
  if (group !== '') return false;
  if (name === plural) return true;
  if (plural === 'pods') return COMPUTE.includes(name) || name.startsWith('requests.') && name !== 'requests.storage' || name.startsWith('limits.');
  if (plural === 'services') return name.startsWith('services.');
  if (plural === 'persistentvolumeclaims') return name === 'requests.storage' || name.includes('.storageclass.storage.k8s.io/');
  return false;
}

const POD_SCOPES = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass']);

function isBestEffort(pod: Obj): boolean {
  const spec = pod?.spec ?? {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (Object.keys(c?.resources?.requests ?? {}).length || Object.keys(c?.resources?.limits ?? {}).length) return false;
  }
  return true;
}

function scopeMatches(scope: string, pod: Obj, req?: { operator?: string; values?: string[] }): boolean {
  const spec = pod?.spec ?? {};
  switch (scope) {
    case 'Terminating':
      return typeof spec.activeDeadlineSeconds === 'number';
    case 'NotTerminating':
      return typeof spec.activeDeadlineSeconds !== 'number';
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const name = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
      if (!req) return Boolean(name);
      const values = req.values ?? [];
      switch (req.operator) {
        case 'In': return values.includes(name);
        case 'NotIn': return !values.includes(name);
        case 'Exists': return Boolean(name);
        case 'DoesNotExist': return !name;
        default: return false;
      }
    }
    default:
      return false;
  }
}

/** Whether the quota applies to the object at all (scoped quotas only apply to pods). */
export function quotaMatches(quota: Obj, group: string, plural: string, obj: Obj): boolean {
  const scopes: string[] = Array.isArray(quota?.spec?.scopes) ? quota.spec.scopes : [];
  const selectors: any[] = Array.isArray(quota?.spec?.scopeSelector?.matchExpressions) ? quota.spec.scopeSelector.matchExpressions : [];
  if (!scopes.length && !selectors.length) return true;
  if (group !== '' || plural !== 'pods') return false;
  if (scopes.some((s) => !POD_SCOPES.has(s))) return false;
  return scopes.every((s) => scopeMatches(s, obj)) && selectors.every((e) => scopeMatches(String(e?.scopeName), obj, e));
}

/** A quantity as the API writes it. */
export function quantityString(q: Quantity): string {
  return formatQuantity(q);
}

/**
 * Compute resources the quota constrains that some container does not state:
 * `limits.cpu for: a,b; requests.memory for: a` (empty when nothing is missing).
 */
export function missingComputeResources(quota: Obj, pod: Obj): string {
  const hard = Object.keys(quota?.spec?.hard ?? {});
  const required = hard.filter((r) => COMPUTE.includes(r) || /^(requests|limits)\.(cpu|memory|ephemeral-storage)$/.test(r));
  if (!required.length) return '';
  const missing = new Map<string, string[]>();
  const spec = pod?.spec ?? {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!c || typeof c !== 'object') continue;
    for (const r of required) {
      const [field, res] = r.includes('.') ? (r.split('.', 2) as [string, string]) : ['requests', r];
      if (c.resources?.[field]?.[res] === undefined) missing.set(r, [...(missing.get(r) ?? []), String(c.name)]);
    }
  }
  return [...missing.keys()].sort().map((r) => `${r} for: ${missing.get(r)!.join(',')}`).join('; ');
}

/** Sum of usages. */
export function addUsage(into: Usage, u: Usage): void {
  for (const [k, v] of u) add(into, k, v);
}

export function parseResourceList(list: unknown): Usage {
  const u: Usage = new Map();
  if (!list || typeof list !== 'object') return u;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (q) u.set(k, q);
  }
  return u;
}

export function formatResourceList(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = formatQuantity(u.get(k)!);
  return out;
}

/** The (group, plural) a quota resource name counts, or undefined for names tied to fixed core resources. */
export function countedResource(name: string): { group: string; plural: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
}

/** The resources whose objects a quota's hard names depend on. */
export function resourcesOfQuota(quota: Obj): Array<{ group: string; plural: string }> {
  const out = new Map<string, { group: string; plural: string }>();
  for (const name of Object.keys(quota?.spec?.hard ?? {})) {
    const counted = countedResource(name);
    if (counted) out.set(`${counted.group}/${counted.plural}`, counted);
    for (const plural of COUNTED_CORE) if (resourceNameConcerns(name, '', plural)) out.set(`/${plural}`, { group: '', plural });
  }
  return [...out.values()];
}

/**
 * The quota's current usage of each of its hard names, from the objects `list` gives for a
 * resource (all in the quota's namespace).
 */
export async function computeUsage(quota: Obj, list: (group: string, plural: string) => Promise<Obj[]> | Obj[]): Promise<Usage> {
  const hard = Object.keys(quota?.spec?.hard ?? {});
  const used: Usage = new Map(hard.map((h) => [h, quantityFromInt(0)]));
  for (const { group, plural } of resourcesOfQuota(quota)) {
    for (const obj of await list(group, plural)) {
      if (!quotaMatches(quota, group, plural, obj)) continue;
      for (const [k, v] of usageOf(group, plural, obj)) if (used.has(k)) add(used, k, v);
    }
  }
  return used;
}
