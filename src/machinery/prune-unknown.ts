/**
 * machinery/prune-unknown: drops the fields a schema does not declare, as decoding into
 * upstream's typed structs does under fieldValidation Ignore and Warn. Pure.
 */
import { resolve, type SchemaNode } from '../api/schema.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns obj without undeclared fields (obj itself when nothing is dropped). */
export function pruneUnknownFields<T>(obj: T, root: SchemaNode | undefined): T {
  return prune(obj, root) as T;
}

function prune(value: unknown, node: SchemaNode | undefined): unknown {
  const n = resolve(node);
  if (!n) return value;
  if (Array.isArray(value)) {
    if (!n.items) return value;
    let changed = false;
    const out = value.map((item) => {
      const p = prune(item, n.items);
      if (p !== item) changed = true;
      return p;
    });
    return changed ? out : value;
  }
  if (!isObject(value) || !n.properties) {
    if (isObject(value) && n.additionalProperties && typeof n.additionalProperties === 'object') {
      const extra = n.additionalProperties;
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = prune(v, extra);
        if (out[k] !== v) changed = true;
      }
      return changed ? out : value;
    }
    return value;
  }
  if ((n as Record<string, unknown>)['x-kubernetes-preserve-unknown-fields'] === true) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const declared = Object.prototype.hasOwnProperty.call(n.properties, k) ? n.properties[k] : undefined;
    if (!declared) {
      changed = true;
      continue;
    }
    out[k] = prune(v, declared);
    if (out[k] !== v) changed = true;
  }
  return changed ? out : value;
}
