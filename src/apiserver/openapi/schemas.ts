/**
 * Converts the compact schema's definitions to published form: references in the document's own
 * style ("#/definitions/…" for Swagger 2.0, "#/components/schemas/…" for OpenAPI 3), k8ts'
 * descriptions, complete group-version-kind extensions, and the set of definitions reachable from
 * a group version's operations.
 */
import { definitions, type SchemaNode } from '../../api/schema.js';
import { fieldDescription, kindDescription } from './descriptions.js';
import { kindsByDefinition } from './kinds.js';

type Json = Record<string, unknown>;
export type Dialect = 'v2' | 'v3';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function refTo(name: string, dialect: Dialect): string {
  return (dialect === 'v2' ? '#/definitions/' : '#/components/schemas/') + name;
}

/** Keeps only meaningful union facts (the compact schema may carry empty placeholders). */
function unions(value: unknown): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const kept = value.filter((u) => u && typeof u === 'object' && Object.keys(u as object).length > 0);
  return kept.length ? kept : undefined;
}

function convertNode(node: SchemaNode, dialect: Dialect, description?: string, ofKind = false): Json {
  const out: Json = {};
  const src = node as Json;
  if (description) out.description = description;
  for (const [k, v] of Object.entries(src)) {
    switch (k) {
      case '$ref':
      case 'properties':
      case 'items':
      case 'additionalProperties':
      case 'x-kubernetes-group-version-kind':
        break;
      case 'x-kubernetes-unions': {
        const u = unions(v);
        if (u) out[k] = u;
        break;
      }
      default:
        out[k] = v;
    }
  }
  if (node.items) out.items = convertNode(node.items, dialect);
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = typeof node.additionalProperties === 'object'
      ? convertNode(node.additionalProperties, dialect)
      : node.additionalProperties;
  }
  if (node.properties) {
    const props: Json = {};
    for (const name of Object.keys(node.properties).sort()) {
      props[name] = convertNode(node.properties[name], dialect, fieldDescription(name, ofKind));
    }
    out.properties = props;
  }
  if (node.$ref) {
    const ref = { $ref: refTo(node.$ref, dialect) };
    // OpenAPI 3 forbids siblings next to $ref: wrap the reference as upstream does.
    if (Object.keys(out).length === 0) return ref;
    return dialect === 'v3' ? { allOf: [ref], ...out } : { ...ref, ...out };
  }
  return out;
}

/** One definition in published form, with its kind description and group-version-kinds. */
export function convertDefinition(name: string, dialect: Dialect): Json {
  const def = definitions[name] ?? {};
  const gvks = kindsByDefinition().get(name);
  const kind = gvks?.[0]?.kind ?? name.slice(name.lastIndexOf('.') + 1);
  const out = convertNode(def, dialect, kindDescription(kind), Boolean(gvks?.length));
  if (dialect === 'v3' && name === INT_OR_STRING) {
    delete out.type;
    out.oneOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (dialect === 'v3' && name === QUANTITY) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'number' }];
  }
  if (gvks?.length) out['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return out;
}

function refsOf(node: SchemaNode | undefined, into: Set<string>): void {
  if (!node) return;
  if (node.$ref) into.add(node.$ref);
  if (node.items) refsOf(node.items, into);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') refsOf(node.additionalProperties, into);
  for (const p of Object.values(node.properties ?? {})) refsOf(p, into);
}

/** The named definitions plus every definition they reach, sorted by name. */
export function reachable(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name) || !(name in definitions)) continue;
    seen.add(name);
    const refs = new Set<string>();
    refsOf(definitions[name], refs);
    for (const r of refs) if (!seen.has(r)) stack.push(r);
  }
  return [...seen].sort();
}
