/**
 * Which definition serves which group-version-kind, and the naming conventions of the published
 * documents (operation ids, tags, URL prefixes). Group-version-kinds are the compact schema's facts.
 */
import { definitionNameFor, definitions, type GroupVersionKind } from '../../api/schema.js';
import { RESOURCES, SERVED_GROUPS } from '../../api/resources.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** "AppsV1", "CoreV1", "RbacAuthorizationV1": the group-version part of operation ids. */
export function operationPrefix(group: string, version: string): string {
  const words = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split('.');
  return words.map(cap).join('') + cap(version);
}

/** "apps_v1", "core_v1", "rbacAuthorization_v1": the tag of a group version's operations. */
export function tagOf(group: string, version: string): string {
  const words = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split('.');
  return words.map((w, i) => (i === 0 ? w : cap(w))).join('') + '_' + version;
}

/** "/api/v1" or "/apis/apps/v1". */
export function urlPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** "api/v1" or "apis/apps/v1": the key of a group version in the v3 root. */
export function groupVersionPath(group: string, version: string): string {
  return urlPrefix(group, version).slice(1);
}

export function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

let cache: Map<string, GroupVersionKind[]> | undefined;

/** Every definition that names a kind, with its group-version-kinds (facts from the compact schema). */
export function kindsByDefinition(): Map<string, GroupVersionKind[]> {
  if (cache) return cache;
  const out = new Map<string, GroupVersionKind[]>();
  for (const [name, def] of Object.entries(definitions)) {
    const gvks = (def['x-kubernetes-group-version-kind'] ?? []).filter((g) => typeof g?.kind === 'string' && g.kind !== '');
    if (gvks.length) out.set(name, gvks.map((g) => ({ group: g.group, version: g.version, kind: g.kind })));
  }
  cache = out;
  return out;
}

/** The definition name of a group-version-kind, if any. */
export function definitionOfKind(gvk: GroupVersionKind): string | undefined {
  return definitionNameFor(gvk);
}

/** The served group versions, in registry order. */
export function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of RESOURCES) {
    const key = `${r.group}/${r.version}`;
    if (seen.has(key) || !(r.group in SERVED_GROUPS)) continue;
    seen.add(key);
    out.push({ group: r.group, version: r.version });
  }
  return out;
}

export const META_PREFIX = META;
