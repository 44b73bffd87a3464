/** Storage keys: /registry/<group or "core">/<plural>/[<namespace>/]<name>. */
import type { ResourceInfo } from '../../api/resources.js';

export function resourcePrefix(r: ResourceInfo): string {
  return `/registry/${r.storageGroup || 'core'}/${r.plural}/`;
}

export function collectionPrefix(r: ResourceInfo, namespace: string): string {
  return r.namespaced && namespace ? `${resourcePrefix(r)}${namespace}/` : resourcePrefix(r);
}

export function objectKey(r: ResourceInfo, namespace: string, name: string): string {
  return r.namespaced ? `${resourcePrefix(r)}${namespace}/${name}` : `${resourcePrefix(r)}${name}`;
}
