/**
 * api/resources: the registry of served resources. Path facts (group, version, plural, kind,
 * scope, verbs, subresources) come from src/api/generated/resources.json, derived from upstream
 * OpenAPI by scripts/gen-schema.ts; short names, categories, singular names, preferred versions
 * and field selectors are stated here by hand. Pure: no I/O.
 */
import { createRequire } from 'node:module';

export interface SubresourceInfo {
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural, e.g. "deployments". */
  plural: string;
  /** Lower-case singular, e.g. "deployment". */
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: Record<string, SubresourceInfo>;
  /** Whether objects are stored (false for review-style resources answered on the fly). */
  stored: boolean;
  /** The group's preferred version serves this resource in this version. */
  preferred: boolean;
  /** The version objects are kept in, when several versions serve the same resource. */
  storageVersion: string;
  /** The storage resource name, when objects live under another resource's keys (events.k8s.io events). */
  storageGroup: string;
  /**
   * Field selector attributes beyond metadata.name and metadata.namespace, by this version's label
   * names, read from the stored object (for events.k8s.io, `regarding.name` reads involvedObject.name).
   */
  fieldSelectors: Record<string, (obj: any) => string | undefined>;
}

interface Facts {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources: Record<string, SubresourceInfo>;
}

/** The API groups k8ts serves and each group's preferred version. */
export const SERVED_GROUPS: Record<string, string> = {
  '': 'v1',
  apps: 'v1',
  batch: 'v1',
  'networking.k8s.io': 'v1',
  'storage.k8s.io': 'v1',
  autoscaling: 'v2',
  'rbac.authorization.k8s.io': 'v1',
  'coordination.k8s.io': 'v1',
  'discovery.k8s.io': 'v1',
  'events.k8s.io': 'v1',
  policy: 'v1',
  'scheduling.k8s.io': 'v1',
  'node.k8s.io': 'v1',
  'authorization.k8s.io': 'v1',
  'authentication.k8s.io': 'v1',
};

/** Upstream's order of groups in discovery (core first, then by priority). */
export const GROUP_ORDER = [
  '', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io',
  'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io',
];

const SHORT_NAMES: Record<string, string[]> = {
  '/configmaps': ['cm'], '/endpoints': ['ep'], '/events': ['ev'], '/limitranges': ['limits'],
  '/namespaces': ['ns'], '/nodes': ['no'], '/persistentvolumeclaims': ['pvc'],
  '/persistentvolumes': ['pv'], '/pods': ['po'], '/replicationcontrollers': ['rc'],
  '/resourcequotas': ['quota'], '/serviceaccounts': ['sa'], '/services': ['svc'],
  'apps/daemonsets': ['ds'], 'apps/deployments': ['deploy'], 'apps/replicasets': ['rs'],
  'apps/statefulsets': ['sts'], 'autoscaling/horizontalpodautoscalers': ['hpa'],
  'batch/cronjobs': ['cj'], 'networking.k8s.io/ingresses': ['ing'],
  'networking.k8s.io/networkpolicies': ['netpol'], 'policy/poddisruptionbudgets': ['pdb'],
  'scheduling.k8s.io/priorityclasses': ['pc'], 'storage.k8s.io/storageclasses': ['sc'],
  'events.k8s.io/events': ['ev'],
};

const CATEGORY_ALL = new Set([
  '/pods', '/replicationcontrollers', '/services', 'apps/daemonsets', 'apps/deployments',
  'apps/replicasets', 'apps/statefulsets', 'autoscaling/horizontalpodautoscalers', 'batch/cronjobs',
  'batch/jobs',
]);

/** Resources that exist only as request/response (never stored). */
const VIRTUAL = new Set([
  '/bindings', 'authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews', 'authentication.k8s.io/tokenreviews',
]);

/** Left out: ComponentStatus (no separate components to probe). */
const NOT_SERVED = new Set(['/componentstatuses']);

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const getter = (path: string): ((obj: any) => string | undefined) => {
  const parts = path.split('.');
  return (obj) => {
    let cur = obj;
    for (const p of parts) cur = cur?.[p];
    return str(cur);
  };
};
const fields = (...paths: string[]): Record<string, (obj: any) => string | undefined> =>
  Object.fromEntries(paths.map((p) => [p, getter(p)]));

const EVENT_FIELDS = {
  ...fields(
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
    'reportingComponent', 'type',
  ),
  // Upstream: the source component, else the reporting controller.
  source: (o: any) => str(o?.source?.component || o?.reportingComponent),
};

/** events.k8s.io labels (upstream's field label conversion) over the stored core Event. */
const EVENTS_V1_FIELDS = {
  ...Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']
    .map((f) => [`regarding.${f}`, getter(`involvedObject.${f}`)])),
  ...fields('reason', 'type'),
  reportingController: getter('reportingComponent'),
  source: EVENT_FIELDS.source,
};

const FIELD_SELECTORS: Record<string, Record<string, (obj: any) => string | undefined>> = {
  '/pods': {
    ...fields('spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'status.phase', 'status.podIP', 'status.nominatedNodeName'),
    'spec.hostNetwork': (o) => String(Boolean(o?.spec?.hostNetwork)),
    'status.podIPs': (o) => str(o?.status?.podIPs?.[0]?.ip) ?? '',
  },
  '/events': EVENT_FIELDS,
  '/secrets': fields('type'),
  '/namespaces': fields('status.phase'),
  '/nodes': { 'spec.unschedulable': (o) => String(Boolean(o?.spec?.unschedulable)) },
  '/replicationcontrollers': fields('status.replicas'),
  '/services': fields('spec.clusterIP', 'spec.type'),
  'apps/replicasets': fields('status.replicas'),
  'batch/jobs': fields('status.successful'),
  'events.k8s.io/events': EVENTS_V1_FIELDS,
};

const require = createRequire(import.meta.url);
const facts = require('./generated/resources.json') as Facts[];

function build(): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const f of facts) {
    if (!(f.group in SERVED_GROUPS) || !/^v\d+$/.test(f.version)) continue;
    const id = `${f.group}/${f.plural}`;
    if (NOT_SERVED.has(id)) continue;
    const preferredVersion = SERVED_GROUPS[f.group];
    const versions = facts.filter((x) => x.group === f.group && x.plural === f.plural && /^v\d+$/.test(x.version));
    const storageVersion = versions.some((x) => x.version === preferredVersion) ? preferredVersion : f.version;
    const subresources = { ...f.subresources };
    // Ephemeral containers and in-place resize are left out with the node-side features they need.
    delete subresources.ephemeralcontainers;
    delete subresources.resize;
    out.push({
      group: f.group,
      version: f.version,
      kind: f.kind,
      plural: f.plural,
      singular: f.kind.toLowerCase(),
      namespaced: f.namespaced,
      verbs: f.verbs,
      shortNames: SHORT_NAMES[id] ?? [],
      categories: CATEGORY_ALL.has(id) ? ['all'] : [],
      subresources,
      stored: !VIRTUAL.has(id),
      preferred: f.version === preferredVersion,
      storageVersion,
      // events.k8s.io/v1 Events are the core Events, seen through another version.
      storageGroup: id === 'events.k8s.io/events' ? '' : f.group,
      fieldSelectors: FIELD_SELECTORS[id] ?? {},
    });
  }
  return out;
}

export const RESOURCES: readonly ResourceInfo[] = build();

const byPath = new Map<string, ResourceInfo>();
const byKind = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byPath.set(`${r.group}/${r.version}/${r.plural}`, r);
  byKind.set(`${r.group}/${r.version}/${r.kind}`, r);
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function findResourceByKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${group}/${version}/${kind}`);
}

/** "apps/v1" or "v1" for the core group. */
export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits an apiVersion into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The group/resource string used in error messages: "deployments.apps", "pods". */
export function qualifiedResource(r: { group: string; plural: string }): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}
