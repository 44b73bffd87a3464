/**
 * Decoding type check: a JSON value whose shape contradicts the schema (an object where a list
 * is declared, a string where a number is) is refused as Go's decoder refuses it into typed
 * structs (`json: cannot unmarshal object into Go struct field .spec.containers of type array`),
 * instead of reaching code that expects the declared type. null is accepted anywhere (Go's zero
 * value); numbers are accepted for quantities. Pure code.
 */
import { definitions, type SchemaNode } from '../api/schema.js';

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let cur = node;
  for (let i = 0; cur?.$ref && i < 32; i++) cur = definitions[cur.$ref] ?? {};
  const allOf = (cur as { allOf?: SchemaNode[] } | undefined)?.allOf;
  if (cur && allOf?.length === 1 && !cur.properties && !cur.type) return resolve(allOf[0]);
  return cur;
}

const goKind = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string';

/** Quantities decode from JSON numbers too. */
function isQuantity(node: SchemaNode | undefined): boolean {
  for (let cur = node, i = 0; cur && i < 32; i++) {
    if (cur.$ref?.endsWith('.Quantity')) return true;
    const allOf = (cur as { allOf?: SchemaNode[] }).allOf;
    cur = cur.$ref ? definitions[cur.$ref] : allOf?.length === 1 ? allOf[0] : undefined;
  }
  return false;
}

/** The first type mismatch as an error message, or undefined. */
export function findTypeMismatch(value: unknown, node: SchemaNode | undefined, path = ''): string | undefined {
  if (typeof value === 'number' && isQuantity(node)) return undefined;
  const n = resolve(node);
  if (!n || value === null || value === undefined) return undefined;
  if ((n as Record<string, unknown>)[PRESERVE] === true) return undefined;
  const fail = (type: string) => `json: cannot unmarshal ${goKind(value)} into Go struct field ${path || '.'} of type ${type}`;
  if (n.format === 'int-or-string') return typeof value === 'string' || typeof value === 'number' ? undefined : fail('int-or-string');
  switch (n.type) {
    case 'string':
      return typeof value === 'string' ? undefined : fail('string');
    case 'integer':
    case 'number':
      return typeof value === 'number' ? undefined : fail(n.format ?? n.type);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : fail('bool');
    case 'array': {
      if (!Array.isArray(value)) return fail('array');
      for (let i = 0; i < value.length; i++) {
        const m = findTypeMismatch(value[i], n.items, path);
        if (m) return m;
      }
      return undefined;
    }
    default:
      break;
  }
  if (!n.properties && !n.additionalProperties && n.type !== 'object') return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return fail('object');
  const extra = n.additionalProperties;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const declared = n.properties && Object.prototype.hasOwnProperty.call(n.properties, k) ? n.properties[k] : undefined;
    const schema = declared ?? (extra && typeof extra === 'object' ? extra : undefined);
    if (!schema) continue;
    const m = findTypeMismatch(v, schema, `${path}.${k}`);
    if (m) return m;
  }
  return undefined;
}
