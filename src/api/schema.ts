/**
 * api/schema: typed access to the project's compact API schema (src/api/generated/schema.json,
 * written by scripts/gen-schema.ts). One source of truth for field names, types, list and map
 * semantics, merge keys and group-version-kinds. Pure: no I/O beyond loading the JSON once.
 */
import { createRequire } from 'node:module';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** One node of the schema: an OpenAPI v2 schema object without descriptions. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  $ref?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  required?: string[];
  enum?: unknown[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

interface SchemaFile {
  definitions: Record<string, SchemaNode>;
}

const require = createRequire(import.meta.url);
const file = require('./generated/schema.json') as SchemaFile;

export const definitions: Readonly<Record<string, SchemaNode>> = file.definitions;

const byGvk = new Map<string, string>();
for (const [name, def] of Object.entries(file.definitions)) {
  for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
    byGvk.set(gvkKey(gvk), name);
  }
}

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** The definition name (e.g. io.k8s.api.core.v1.Pod) for a group-version-kind, if known. */
export function definitionNameFor(gvk: GroupVersionKind): string | undefined {
  return byGvk.get(gvkKey(gvk));
}

export function definitionFor(gvk: GroupVersionKind): SchemaNode | undefined {
  const name = byGvk.get(gvkKey(gvk));
  return name ? file.definitions[name] : undefined;
}

/** Follows $ref links until a concrete node. Unknown refs resolve to an empty (any) node. */
export function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let cur = node;
  for (let i = 0; cur?.$ref && i < 16; i++) cur = file.definitions[cur.$ref] ?? {};
  return cur;
}

/** The schema of a named field of an object node (after resolving refs). */
export function fieldOf(node: SchemaNode | undefined, field: string): SchemaNode | undefined {
  const r = resolve(node);
  if (!r) return undefined;
  if (r.properties && field in r.properties) return r.properties[field];
  if (r.additionalProperties && typeof r.additionalProperties === 'object') return r.additionalProperties;
  return undefined;
}

/** The schema of a list's items (after resolving refs). */
export function itemsOf(node: SchemaNode | undefined): SchemaNode | undefined {
  return resolve(node)?.items;
}

/** True when the node accepts arbitrary JSON (RawExtension, JSON, a typeless object). */
export function isFreeForm(node: SchemaNode | undefined): boolean {
  const r = resolve(node);
  if (!r) return true;
  if (r.type === 'object' && !r.properties && r.additionalProperties === undefined) return true;
  return r.type === undefined && !r.properties && !r.items;
}
