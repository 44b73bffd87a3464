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
    else if (k === 'properties') {
      const props: Json = {};
      for (const [pk, pv] of Object.entries(v as Json)) props[pk] = prune(pv);
      out.properties = props;
    } else out[k] = prune(v);
  }
  return out;
}

const swagger = JSON.parse(readFileSync(source, 'utf8')) as { definitions: Json };
const definitions: Json = {};
for (const name of Object.keys(swagger.definitions).sort()) {
  definitions[name] = prune(swagger.definitions[name]);
}
writeFileSync(target, JSON.stringify({ source: 'kubernetes v1.32 OpenAPI v2 (facts only)', definitions }) + '\n');
console.log(`wrote ${Object.keys(definitions).length} definitions to ${target}`);
