/**
 * Derives the project's compact API schema from the upstream OpenAPI v2 document in
 * ../shared/reference/openapi. Only facts are kept: field names, types, formats, required
 * fields, enums, list/map types, merge keys and strategies, group-version-kinds. Upstream
 * descriptions are dropped. Output: src/api/generated/schema.json.
 *
 * Run: npx tsx scripts/gen-schema.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, '..', 'shared', 'reference', 'openapi', 'swagger-v1.32.json');
const target = join(root, 'src', 'api', 'generated', 'schema.json');
const resourcesTarget = join(root, 'src', 'api', 'generated', 'resources.json');

type Json = Record<string, unknown>;

const KEEP = new Set([
  'type', 'format', 'items', 'additionalProperties', 'properties', 'required', 'enum', '$ref',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key', 'x-kubernetes-map-type', 'x-kubernetes-group-version-kind',
  'x-kubernetes-unions',
]);

function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (!KEEP.has(k)) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/definitions/', '');
    else if (k.startsWith('x-kubernetes-') || k === 'enum' || k === 'required') out[k] = v;
    else if (k === 'properties') {
      const props: Json = {};
      for (const [pk, pv] of Object.entries(v as Json)) props[pk] = prune(pv);
      out.properties = props;
    } else out[k] = prune(v);
  }
  return out;
}

const swagger = JSON.parse(readFileSync(source, 'utf8')) as { definitions: Json; paths: Record<string, Json> };
const definitions: Json = {};
for (const name of Object.keys(swagger.definitions).sort()) {
  definitions[name] = prune(swagger.definitions[name]);
}
writeFileSync(target, JSON.stringify({ source: 'kubernetes v1.32 OpenAPI v2 (facts only)', definitions }) + '\n');
console.log(`wrote ${Object.keys(definitions).length} definitions to ${target}`);

/**
 * Resource facts from the paths: group, version, plural, scope, verbs and subresources, and the
 * kind each path serves. Short names and categories are not in the document; they are stated by
 * hand in src/api/resources.ts.
 */
interface ResourceFacts {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources: Record<string, { kind: string; group: string; version: string; verbs: string[] }>;
}
const VERB: Record<string, string> = {
  get: 'get', list: 'list', watchlist: 'watch', post: 'create', put: 'update', patch: 'patch',
  delete: 'delete', deletecollection: 'deletecollection',
};
const resources = new Map<string, ResourceFacts>();
const pathRe = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:(watch)\/)?(?:namespaces\/\{namespace\}\/)?([^/{]+)(?:\/\{name\})?(?:\/([^/{]+))?$/;
for (const [path, ops] of Object.entries(swagger.paths)) {
  const m = pathRe.exec(path);
  if (!m) continue;
  const version = m[1] ?? m[3];
  const group = m[1] ? '' : m[2];
  const watch = Boolean(m[4]);
  const plural = m[5];
  const sub = m[6];
  const namespaced = path.includes('/namespaces/{namespace}/');
  const key = `${group}/${version}/${plural}`;
  for (const [method, op] of Object.entries(ops)) {
    if (typeof op !== 'object' || op === null || !('x-kubernetes-action' in op)) continue;
    const action = (op as Json)['x-kubernetes-action'] as string;
    const gvk = (op as Json)['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string } | undefined;
    if (!gvk) continue;
    let r = resources.get(key);
    if (!r) {
      r = { group, version, plural, kind: '', namespaced: false, verbs: [], subresources: {} };
      resources.set(key, r);
    }
    if (sub) {
      const s = (r.subresources[sub] ??= { kind: gvk.kind, group: gvk.group, version: gvk.version, verbs: [] });
      const verb = action === 'connect' ? method : VERB[action];
      if (verb && !s.verbs.includes(verb)) s.verbs.push(verb);
      continue;
    }
    if (!watch || action === 'watchlist') {
      if (!r.kind) r.kind = gvk.kind;
      if (namespaced) r.namespaced = true;
    }
    const verb = VERB[action];
    if (verb && (!watch || action === 'watchlist') && !r.verbs.includes(verb)) r.verbs.push(verb);
  }
}
// Namespaces are the one cluster-scoped resource whose item path is /namespaces/{name}.
for (const r of resources.values()) {
  if (r.group === '' && r.plural === 'namespaces') r.namespaced = false;
  r.verbs.sort();
  for (const s of Object.values(r.subresources)) s.verbs.sort();
}
const list = [...resources.values()].filter((r) => r.kind).sort((a, b) =>
  `${a.group}/${a.version}/${a.plural}`.localeCompare(`${b.group}/${b.version}/${b.plural}`));
writeFileSync(resourcesTarget, JSON.stringify(list, null, 1) + '\n');
console.log(`wrote ${list.length} resources to ${resourcesTarget}`);
