/**
 * Which definition serves which group-version-kind, and the naming conventions of the published
 * documents (operation ids, tags, URL prefixes). The compact schema's own GVK facts are used when
 * they are complete; otherwise the mapping is derived from the served resources, their list kinds,
 * their subresource kinds and the meta kinds every group version shares.
 */
import { definitions, type GroupVersionKind } from '../../api/schema.js';
import { RESOURCES, SERVED_GROUPS } from '../../api/resources.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** The Go package segment of a group's definitions: "" → core, "rbac.authorization.k8s.io" → rbac. */
export function packageOf(group: string): string {
  return group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').split('.')[0];
}

/** Definition name by convention: io.k8s.api.<package>.<version>.<Kind>. */
export function conventionalDefinitionName(gvk: GroupVersionKind): string {
  return `io.k8s.api.${packageOf(gvk.group)}.${gvk.version}.${gvk.kind}`;
}

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

function complete(gvks: GroupVersionKind[] | undefined): gvks is GroupVersionKind[] {
  return Array.isArray(gvks) && gvks.length > 0 && gvks.every((g) => typeof g?.kind === 'string' && g.kind !== '');
}

let cache: Map<string, GroupVersionKind[]> | undefined;

/** Every definition that names a kind, with its group-version-kinds. */
export function kindsByDefinition(): Map<string, GroupVersionKind[]> {
  if (cache) return cache;
  const out = new Map<string, GroupVersionKind[]>();
  const add = (name: string, gvk: GroupVersionKind): void => {
    if (!(name in definitions)) return;
    const list = out.get(name) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    out.set(name, list);
  };
  let schemaComplete = false;
  for (const [name, def] of Object.entries(definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (complete(gvks)) {
      schemaComplete = true;
      for (const g of gvks) add(name, { group: g.group, version: g.version, kind: g.kind });
    }
  }
  if (!schemaComplete) {
    for (const r of RESOURCES) {
      const { group, version, kind } = r;
      add(conventionalDefinitionName({ group, version, kind }), { group, version, kind });
      add(conventionalDefinitionName({ group, version, kind: `${kind}List` }), { group, version, kind: `${kind}List` });
      for (const s of Object.values(r.subresources)) {
        add(conventionalDefinitionName(s), { group: s.group, version: s.version, kind: s.kind });
      }
    }
    for (const kind of ['APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'Status']) {
      add(META + kind, { group: '', version: 'v1', kind });
    }
    const gvs = new Set<string>(['/v1']);
    for (const r of RESOURCES) gvs.add(`${r.group}/${r.version}`);
    for (const kind of ['DeleteOptions', 'WatchEvent']) {
      for (const gv of [...gvs].sort()) {
        const [group, version] = gv.split('/');
        add(META + kind, { group, version, kind });
      }
    }
  }
  cache = out;
  return out;
}

/** The definition name of a group-version-kind served here, if any. */
export function definitionOfKind(gvk: GroupVersionKind): string | undefined {
  for (const [name, gvks] of kindsByDefinition()) {
    if (gvks.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) return name;
  }
  return undefined;
}

/** The served group versions, core first, then in discovery order. */
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
