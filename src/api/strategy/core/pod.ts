/**
 * Pod: defaults (PodSpec plus Pod-only defaults), validation, update rules (only images,
 * activeDeadlineSeconds, added tolerations and a few more may change) and create-time status.
 */
import {
  FieldPath,
  forbidden,
  invalid,
  required,
  semanticEqual,
  deepCopy,
  type FieldError,
} from '../../../machinery/validation/index.js';
import { addQuantities, compareQuantities, tryParseQuantity, type Quantity } from '../../../machinery/quantity.js';
import type { KindStrategy } from '../types.js';
import { defaultPodOnly, defaultPodSpec } from './pod-spec-defaults.js';
import { validatePodSpec, validateTolerations } from './pod-spec-validation.js';

const spec = FieldPath.root('spec');

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validatePod(pod: any): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validatePodSpec(pod?.spec, spec));
  return errs;
}

function validateContainerUpdates(n: any[], o: any[], path: FieldPath): { errors: FieldError[]; stop: boolean } {
  if (n.length !== o.length) return { errors: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errors: FieldError[] = [];
  n.forEach((c, i) => {
    if (!c?.image) errors.push(required(path.index(i).child('image')));
  });
  return { errors, stop: false };
}

function validateOnlyAddedTolerations(n: any[], o: any[], path: FieldPath): FieldError[] {
  for (const old of o) {
    const found = n.some((t) => semanticEqual({ ...old, tolerationSeconds: t?.tolerationSeconds }, t));
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(n, path);
}

/** Lines naming what differs between two specs, in place of upstream's cmp.Diff rendering. */
function describeDiff(oldSpec: any, newSpec: any, prefix = 'spec'): string[] {
  if (semanticEqual(oldSpec, newSpec)) return [];
  const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object';
  if (Array.isArray(oldSpec) && Array.isArray(newSpec) && oldSpec.length === newSpec.length) {
    return oldSpec.flatMap((x, i) => describeDiff(x, newSpec[i], `${prefix}[${i}]`));
  }
  if (isObj(oldSpec) && isObj(newSpec) && !Array.isArray(oldSpec) && !Array.isArray(newSpec)) {
    const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])];
    return keys.flatMap((k) => describeDiff(oldSpec[k], newSpec[k], `${prefix}.${k}`));
  }
  return [`- ${prefix}: ${JSON.stringify(oldSpec ?? null)}`, `+ ${prefix}: ${JSON.stringify(newSpec ?? null)}`];
}

function validatePodUpdate(pod: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const n = pod?.spec ?? {};
  const o = old?.spec ?? {};
  for (const [k, p] of [
    ['containers', spec.child('containers')],
    ['initContainers', spec.child('initContainers')],
  ] as const) {
    const r = validateContainerUpdates(n[k] ?? [], o[k] ?? [], p);
    errs.push(...r.errors);
    if (r.stop) return errs;
  }
  const ads = spec.child('activeDeadlineSeconds');
  if (n.activeDeadlineSeconds !== undefined && n.activeDeadlineSeconds !== null) {
    const v = n.activeDeadlineSeconds;
    if (v < 0 || v > 2147483647) errs.push(invalid(ads, v, 'must be between 0 and 2147483647, inclusive'));
    if (typeof o.activeDeadlineSeconds === 'number' && o.activeDeadlineSeconds < v) {
      errs.push(invalid(ads, v, 'must be less than or equal to previous value'));
    }
  } else if (o.activeDeadlineSeconds !== undefined && o.activeDeadlineSeconds !== null) {
    errs.push(invalid(ads, null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(n.tolerations ?? [], o.tolerations ?? [], spec.child('tolerations')));

  const munged = deepCopy(n);
  (munged.containers ?? []).forEach((c: any, i: number) => (c.image = o.containers?.[i]?.image));
  (munged.initContainers ?? []).forEach((c: any, i: number) => (c.image = o.initContainers?.[i]?.image));
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.tolerations = o.tolerations;
  // Scheduling gates may only be removed.
  const oldGates: any[] = o.schedulingGates ?? [];
  const newGates: any[] = n.schedulingGates ?? [];
  if (newGates.every((g) => oldGates.some((og) => semanticEqual(og, g)))) munged.schedulingGates = o.schedulingGates;
  if (typeof o.terminationGracePeriodSeconds === 'number' && o.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, o)) {
    errs.push(forbidden(spec, `${POD_UPDATE_FORBIDDEN}\n${describeDiff(o, munged).join('\n')}`));
  }
  return errs;
}

export const podStrategy: KindStrategy = {
  defaults(pod: any) {
    if (!pod.spec || typeof pod.spec !== 'object') pod.spec = {};
    defaultPodOnly(pod.spec);
    defaultPodSpec(pod.spec);
  },
  validate: validatePod,
  validateUpdate: validatePodUpdate,
};

const QOS_RESOURCES = ['cpu', 'memory'];

/** The pod's QoS class from its containers' cpu/memory requests and limits (upstream GetPodQOS). */
export function podQOSClass(pod: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const add = (m: Map<string, Quantity>, k: string, q: Quantity) => m.set(k, m.has(k) ? addQuantities(m.get(k)!, q) : q);
  const containers = [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])];
  for (const c of containers) {
    for (const r of QOS_RESOURCES) {
      const q = tryParseQuantity(c?.resources?.requests?.[r]);
      if (q && q.num !== 0n) add(requests, r, q);
    }
    const have = new Set<string>();
    for (const r of QOS_RESOURCES) {
      const q = tryParseQuantity(c?.resources?.limits?.[r]);
      if (q && q.num !== 0n) {
        add(limits, r, q);
        have.add(r);
      }
    }
    if (have.size !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, q] of requests) {
      const l = limits.get(k);
      if (!l || compareQuantities(q, l) !== 0) return 'Burstable';
    }
    if (requests.size === limits.size) return 'Guaranteed';
  }
  return 'Burstable';
}

/** What the server does to a new Pod before storing it: status Pending with its QoS class. */
export function preparePodForCreate(pod: any): void {
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
}
