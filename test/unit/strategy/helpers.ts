import { strategyFor } from '../../../src/api/strategy/index.js';
import { errorString, validateObjectMeta, validateObjectMetaUpdate } from '../../../src/machinery/validation/index.js';

const CLUSTER_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'IngressClass',
]);

/** Defaults then validates a copy of obj (metadata too), as the API server does on create; returns rendered errors. */
export function createErrors(group: string, kind: string, obj: unknown): string[] {
  const s = strategyFor(group, kind);
  const o = structuredClone(obj);
  s.defaults?.(o);
  const meta = validateObjectMeta((o as any).metadata, { namespaced: !CLUSTER_KINDS.has(kind), nameValidator: s.nameValidator });
  return [...meta, ...(s.validate?.(o) ?? [])].map(errorString);
}

export function defaulted<T>(group: string, kind: string, obj: T): any {
  const o = structuredClone(obj);
  strategyFor(group, kind).defaults?.(o);
  return o;
}

/** Defaults then validates an update of old (already defaulted) to obj. */
export function updateErrors(group: string, kind: string, obj: unknown, old: unknown): string[] {
  const s = strategyFor(group, kind);
  const n = structuredClone(obj);
  const o = structuredClone(old);
  s.defaults?.(n);
  s.defaults?.(o);
  const meta = validateObjectMetaUpdate((n as any).metadata, (o as any).metadata);
  return [...meta, ...(s.validate?.(n) ?? []), ...(s.validateUpdate?.(n, o) ?? [])].map(errorString);
}
