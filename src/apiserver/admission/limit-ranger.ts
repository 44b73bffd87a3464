/**
 * LimitRanger (upstream's plugin of that name), from the namespace's LimitRange objects:
 *  - admit, on pod creation: containers (and init containers) without a limit get the
 *    LimitRange's `default`, without a request its `defaultRequest` (which defaults to `default`,
 *    and `default` to `max`, as upstream defaults LimitRange items); the pod is annotated
 *    `kubernetes.io/limit-ranger` with what was set;
 *  - validate: min / max / maxLimitRequestRatio per Container and per Pod (on pod creation) and
 *    per PersistentVolumeClaim (storage request, on create and update), refusing with upstream's
 *    wording, e.g. `pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2`
 *    (several findings: `[a, b]`).
 */
import { canonicalQuantity, formatQuantity, compareQuantities, addQuantities, tryParseQuantity, quantityToNumber, type Quantity } from '../../machinery/quantity.js';
import { forbidden } from '../status.js';
import type { AdmissionAttributes, AdmissionLookup, AdmissionPluginFactory } from './types.js';

type ResourceList = Record<string, string>;
interface LimitItem {
  type?: string;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

const ANNOTATION = 'kubernetes.io/limit-ranger';

/** The items of the namespace's LimitRanges, with upstream's item defaulting applied. */
export async function limitItems(lookup: AdmissionLookup, namespace: string): Promise<LimitItem[]> {
  if (!lookup.list) return [];
  const ranges = await lookup.list('', 'limitranges', namespace);
  const items: LimitItem[] = [];
  for (const lr of ranges) {
    for (const raw of Array.isArray(lr.spec?.limits) ? lr.spec.limits : []) {
      if (!raw || typeof raw !== 'object') continue;
      const item: LimitItem = { ...raw };
      if (item.type === 'Container') {
        const def: ResourceList = { ...(item.max ?? {}), ...(item.default ?? {}) };
        const req: ResourceList = { ...def, ...(item.defaultRequest ?? {}) };
        item.default = Object.keys(def).length ? def : undefined;
        item.defaultRequest = Object.keys(req).length ? req : undefined;
      }
      items.push(item);
    }
  }
  return items;
}

const q = (s: unknown): Quantity | undefined => tryParseQuantity(s);
const show = (s: string): string => {
  try {
    return canonicalQuantity(s);
  } catch {
    return s;
  }
};
const sorted = (l: ResourceList | undefined): string[] => Object.keys(l ?? {}).sort();

/** Checks one set of requests/limits against an item, for `kind` (Container, Pod, PersistentVolumeClaim). */
function checkItem(kind: string, item: LimitItem, requests: ResourceList, limits: ResourceList, errs: string[]): void {
  // One finding per bound and resource, as upstream's min/max constraints.
  for (const r of sorted(item.min)) {
    const min = q(item.min![r]);
    if (!min) continue;
    const req = q(requests[r]);
    const lim = q(limits[r]);
    if (!req) errs.push(`minimum ${r} usage per ${kind} is ${show(item.min![r]!)}.  No request is specified`);
    else if (compareQuantities(req, min) < 0) errs.push(`minimum ${r} usage per ${kind} is ${show(item.min![r]!)}, but request is ${show(requests[r]!)}`);
    else if (lim && compareQuantities(lim, min) < 0) errs.push(`minimum ${r} usage per ${kind} is ${show(item.min![r]!)}, but limit is ${show(limits[r]!)}`);
  }
  for (const r of sorted(item.max)) {
    const max = q(item.max![r]);
    if (!max) continue;
    const req = q(requests[r]);
    const lim = q(limits[r]);
    if (kind !== 'PersistentVolumeClaim') {
      if (!lim) errs.push(`maximum ${r} usage per ${kind} is ${show(item.max![r]!)}.  No limit is specified`);
      else if (compareQuantities(lim, max) > 0) errs.push(`maximum ${r} usage per ${kind} is ${show(item.max![r]!)}, but limit is ${show(limits[r]!)}`);
      else if (req && compareQuantities(req, max) > 0) errs.push(`maximum ${r} usage per ${kind} is ${show(item.max![r]!)}, but request is ${show(requests[r]!)}`);
    } else if (req && compareQuantities(req, max) > 0) errs.push(`maximum ${r} usage per ${kind} is ${show(item.max![r]!)}, but request is ${show(requests[r]!)}`);
  }
  for (const r of sorted(item.maxLimitRequestRatio)) {
    const ratio = q(item.maxLimitRequestRatio![r]);
    if (!ratio) continue;
    const req = q(requests[r]);
    const lim = q(limits[r]);
    if (!lim) {
      errs.push(`${r} max limit to request ratio per ${kind} is ${show(item.maxLimitRequestRatio![r]!)}, but no limit is specified`);
      continue;
    }
    if (!req || quantityToNumber(req) === 0) {
      errs.push(`${r} max limit to request ratio per ${kind} is ${show(item.maxLimitRequestRatio![r]!)}, but no request is specified or request is 0`);
      continue;
    }
    const actual = quantityToNumber(lim) / quantityToNumber(req);
    if (actual > quantityToNumber(ratio)) {
      errs.push(`${r} max limit to request ratio per ${kind} is ${show(item.maxLimitRequestRatio![r]!)}, but provided ratio is ${actual.toFixed(6)}`);
    }
  }
}

const containersOf = (spec: any): any[] =>
  [...(Array.isArray(spec?.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec?.containers) ? spec.containers : [])]
    .filter((c) => c && typeof c === 'object');

/** Pod totals: the sum over containers, or the largest init container if bigger (upstream's pod requests). */
function podTotal(spec: any, field: 'requests' | 'limits'): ResourceList {
  const sum = new Map<string, Quantity>();
  const missing = new Set<string>();
  const containers = Array.isArray(spec?.containers) ? spec.containers : [];
  const names = new Set<string>();
  for (const c of containersOf(spec)) for (const r of Object.keys(c.resources?.[field] ?? {})) names.add(r);
  for (const c of containers) {
    if (!c || typeof c !== 'object') continue;
    for (const r of names) {
      const v = q(c.resources?.[field]?.[r]);
      if (!v) {
        missing.add(r);
        continue;
      }
      sum.set(r, sum.has(r) ? addQuantities(sum.get(r)!, v) : v);
    }
  }
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) {
    for (const r of names) {
      const v = q(c?.resources?.[field]?.[r]);
      if (v && (!sum.has(r) || compareQuantities(v, sum.get(r)!) > 0)) sum.set(r, v);
    }
  }
  const out: ResourceList = {};
  for (const [r, v] of sum) if (!missing.has(r)) out[r] = formatQuantity(v);
  return out;
}

export const limitRanger: AdmissionPluginFactory = (lookup) => {
  const isPod = (a: AdmissionAttributes) => a.resource.group === '' && a.resource.plural === 'pods' && !a.subresource;
  const isPvc = (a: AdmissionAttributes) => a.resource.group === '' && a.resource.plural === 'persistentvolumeclaims' && !a.subresource;
  return {
    name: 'LimitRanger',
    async admit(a) {
      if (!isPod(a) || a.operation !== 'CREATE' || !a.object || !a.namespace) return;
      const items = (await limitItems(lookup, a.namespace)).filter((i) => i.type === 'Container');
      if (!items.length) return;
      const notes: string[] = [];
      const spec = (a.object.spec ??= {});
      for (const item of items) {
        for (const c of containersOf(spec)) {
          const res = (c.resources ??= {});
          const setReq: string[] = [];
          const setLim: string[] = [];
          for (const r of sorted(item.default)) {
            if (res.limits?.[r] === undefined) {
              res.limits = { ...(res.limits ?? {}), [r]: item.default![r] };
              setLim.push(r);
            }
          }
          for (const r of sorted(item.defaultRequest)) {
            if (res.requests?.[r] === undefined) {
              res.requests = { ...(res.requests ?? {}), [r]: item.defaultRequest![r] };
              setReq.push(r);
            }
          }
          if (setReq.length) notes.push(`${setReq.join(', ')} request for ${spec.initContainers?.includes(c) ? 'init container' : 'container'} ${c.name}`);
          if (setLim.length) notes.push(`${setLim.join(', ')} limit for ${spec.initContainers?.includes(c) ? 'init container' : 'container'} ${c.name}`);
        }
      }
      if (notes.length) {
        const meta = (a.object.metadata ??= {});
        meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
      }
    },
    async validate(a) {
      if (!a.object || !a.namespace) return;
      const pod = isPod(a) && a.operation === 'CREATE';
      const pvc = isPvc(a) && (a.operation === 'CREATE' || a.operation === 'UPDATE');
      if (!pod && !pvc) return;
      const items = await limitItems(lookup, a.namespace);
      if (!items.length) return;
      const errs: string[] = [];
      if (pod) {
        const spec = a.object.spec ?? {};
        for (const item of items) {
          if (item.type === 'Container') {
            for (const c of containersOf(spec)) checkItem('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
          } else if (item.type === 'Pod') {
            checkItem('Pod', item, podTotal(spec, 'requests'), podTotal(spec, 'limits'), errs);
          }
        }
      } else {
        const res = a.object.spec?.resources ?? {};
        for (const item of items) if (item.type === 'PersistentVolumeClaim') checkItem('PersistentVolumeClaim', item, res.requests ?? {}, res.limits ?? {}, errs);
      }
      if (!errs.length) return;
      const what = pod ? 'pods' : 'persistentvolumeclaims';
      const name = a.name || String(a.object.metadata?.generateName ?? '');
      throw forbidden(`${what} "${name}" is forbidden: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`);
    },
  };
};
