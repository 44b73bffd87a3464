/**
 * apiserver/discovery: the aggregated discovery documents (apidiscovery.k8s.io/v2 and v2beta1)
 * and the legacy ones (APIVersions, APIGroupList, APIGroup, APIResourceList), all built once
 * from the resource registry.
 */
import { GROUP_ORDER, RESOURCES, SERVED_GROUPS, type ResourceInfo } from '../api/resources.js';

function groupsInOrder(): string[] {
  const groups = Object.keys(SERVED_GROUPS);
  return groups.sort((a, b) => GROUP_ORDER.indexOf(a) - GROUP_ORDER.indexOf(b));
}

function versionsOf(group: string): string[] {
  const vs = [...new Set(RESOURCES.filter((r) => r.group === group).map((r) => r.version))];
  const preferred = SERVED_GROUPS[group];
  return vs.sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : b.localeCompare(a)));
}

function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  const subs = Object.entries(r.subresources).map(([name, s]) => ({
    subresource: name,
    responseKind: { group: s.group, version: s.version, kind: s.kind },
    verbs: s.verbs,
  }));
  if (subs.length) out.subresources = subs;
  return out;
}

function aggregatedGroup(group: string): Record<string, unknown> {
  return {
    metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
    versions: versionsOf(group).map((version) => ({
      version,
      resources: RESOURCES.filter((r) => r.group === group && r.version === version).map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

const cache = new Map<string, string>();
function memo(key: string, build: () => unknown): string {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = JSON.stringify(build())));
  return v;
}

/** Aggregated discovery for /api (core only) or /apis (every other group). */
export function aggregatedDiscovery(path: '/api' | '/apis', version: 'v2' | 'v2beta1'): string {
  return memo(`agg:${path}:${version}`, () => ({
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groupsInOrder().filter((g) => (path === '/api' ? g === '' : g !== '')).map(aggregatedGroup),
  }));
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

export function apiVersions(serverAddress: string): string {
  return memo(`versions:${serverAddress}`, () => ({
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }));
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = versionsOf(group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): string {
  return memo('groups', () => ({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsInOrder().filter((g) => g !== '').map(apiGroup),
  }));
}

export function apiGroupDocument(group: string): string | undefined {
  if (!group || !(group in SERVED_GROUPS)) return undefined;
  return memo(`group:${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) }));
}

export function apiResourceList(group: string, version: string): string | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  return memo(`resources:${group}/${version}`, () => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: rs.flatMap((r) => {
      const main: Record<string, unknown> = {
        name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      };
      if (r.shortNames.length) main.shortNames = r.shortNames;
      if (r.categories.length) main.categories = r.categories;
      const subs = Object.entries(r.subresources).map(([name, s]) => {
        const o: Record<string, unknown> = { name: `${r.plural}/${name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
        // Upstream names both when the subresource's kind lives in another group (pods/eviction →
        // policy/v1, deployments/scale → autoscaling/v1); kubectl drain looks for both.
        if (s.group !== r.group || s.version !== r.version) {
          o.group = s.group;
          o.version = s.version;
        }
        return o;
      });
      return [main, ...subs];
    }),
  }));
}
