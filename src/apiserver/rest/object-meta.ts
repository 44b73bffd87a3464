/**
 * Server-set metadata and the per-resource facts the generic object lifecycle needs: which
 * kinds track generation, how status is reset on create, names from generateName.
 */
import { randomInt } from 'node:crypto';
import type { ResourceInfo } from '../../api/resources.js';
import { podQOSClass } from '../../api/strategy/index.js';
import { sameJson, type KObject } from './codec.js';

/** Resources whose metadata.generation tracks spec changes (upstream's strategies set it). */
const GENERATION = new Set([
  'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs', 'batch/cronjobs',
  '/replicationcontrollers', 'networking.k8s.io/ingresses', 'networking.k8s.io/networkpolicies',
  'policy/poddisruptionbudgets',
]);

export function tracksGeneration(r: ResourceInfo): boolean {
  return GENERATION.has(`${r.group}/${r.plural}`);
}

export function hasStatus(r: ResourceInfo): boolean {
  return 'status' in r.subresources;
}

/** Status as upstream's PrepareForCreate leaves it. Nodes keep what they were created with. */
export function initialStatus(r: ResourceInfo, obj: KObject): unknown {
  const id = `${r.group}/${r.plural}`;
  switch (id) {
    case '/nodes':
      return obj.status;
    case '/pods':
      return { phase: 'Pending', qosClass: podQOSClass(obj) };
    case '/namespaces':
      return { phase: 'Active' };
    case '/persistentvolumes':
      return { phase: 'Pending' };
    case '/persistentvolumeclaims':
      return { phase: 'Pending' };
    default:
      return {};
  }
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName plus five random characters, as upstream's SimpleNameGenerator. */
export function generateName(base: string): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return prefix + suffix;
}

/**
 * Drops empty labels, annotations, finalizers and ownerReferences: upstream's ObjectMeta declares
 * them omitempty, so an emptied map or list (e.g. after `kubectl label x k-`) is not stored.
 */
export function dropEmptyMetaFields(meta: Record<string, any>): void {
  for (const k of ['labels', 'annotations']) {
    const v = meta[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete meta[k];
  }
  for (const k of ['finalizers', 'ownerReferences']) if (Array.isArray(meta[k]) && meta[k].length === 0) delete meta[k];
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Everything but metadata and status: what a generation bump compares. */
export function specOf(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Whether a and b have the same spec (everything but metadata and status). */
export function sameSpec(a: KObject, b: KObject): boolean {
  return sameJson(specOf(a), specOf(b));
}
