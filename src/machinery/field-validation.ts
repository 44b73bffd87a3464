/**
 * machinery/field-validation: the `fieldValidation` checks (Ignore | Warn | Strict) — fields an
 * object carries that its schema does not declare, and keys repeated within one JSON object —
 * and upstream's wording for them. Paths are written as upstream's strict decoder writes them:
 * `spec.template.spec.containers[0].imagee`, map keys joined with dots. Pure; imports only
 * src/api/schema.ts.
 *
 * Wording (kube-apiserver 1.32):
 *   - each finding: `unknown field "<path>"`, `duplicate field "<path>"`; under Warn, each
 *     finding is one warning with exactly that text;
 *   - create/update under Strict: 400 BadRequest,
 *     `<Kind> in version "<version>" cannot be handled as a <Kind>: strict decoding error: <findings, joined by ", ">`;
 *   - patch (JSON, merge, strategic) under Strict: 422 Invalid with an empty kind and name:
 *     ` "" is invalid: patch: Invalid value: "<value>": strict decoding error: <findings>`.
 *
 * The same walk (dropUnknownFields) prunes those fields under Ignore and Warn (prune-unknown.ts),
 * so what is reported and what is dropped are always the same fields.
 */
import { definitions, type SchemaNode } from '../api/schema.js';

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

function resolveNode(node: SchemaNode | undefined): SchemaNode | undefined {
  let cur = node;
  for (let i = 0; cur?.$ref && i < 32; i++) cur = definitions[cur.$ref] ?? {};
  // OpenAPI 3 style wrappers: { allOf: [ { $ref } ], ... }.
  const allOf = (cur as { allOf?: SchemaNode[] } | undefined)?.allOf;
  if (cur && allOf?.length === 1 && !cur.properties && !cur.type) return resolveNode(allOf[0]);
  return cur;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** True when a node takes any JSON: RawExtension, JSON, an object with no declared fields. */
function acceptsAnything(n: SchemaNode): boolean {
  if ((n as Record<string, unknown>)[PRESERVE] === true && !n.properties) return true;
  if (n.type === 'object' && !n.properties && n.additionalProperties === undefined) return true;
  return n.type === undefined && !n.properties && !n.items && n.additionalProperties === undefined;
}

/**
 * The one schema walk behind the unknown-field findings and pruning: returns `value` without the
 * fields `node` does not declare (the same reference when there are none, copying only what
 * changes) and, when `onUnknown` is given, calls it with each such field's path in document order
 * (paths are only built then).
 */
export function dropUnknownFields(
  value: unknown, node: SchemaNode | undefined, onUnknown?: (path: string) => void, path = '',
): unknown {
  const n = resolveNode(node);
  if (!n || acceptsAnything(n)) return value;
  if (Array.isArray(value)) {
    if (!n.items) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const kept = dropUnknownFields(item, n.items, onUnknown, onUnknown ? `${path}[${i}]` : '');
      if (kept !== item) (out ??= value.slice())[i] = kept;
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  const keepUndeclared = (n as Record<string, unknown>)[PRESERVE] === true || !n.properties;
  const extra = n.additionalProperties;
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const child = value[key];
    const declared = n.properties && Object.prototype.hasOwnProperty.call(n.properties, key) ? n.properties[key] : undefined;
    const schema = declared ?? (extra && typeof extra === 'object' ? extra : undefined);
    if (schema) {
      const kept = dropUnknownFields(child, schema, onUnknown, onUnknown ? join(path, key) : '');
      if (kept !== child) (out ??= copyOf(value, keys, i))[key] = kept;
      else if (out) out[key] = child;
    } else if (extra === true || keepUndeclared) {
      if (out) out[key] = child;
    } else {
      onUnknown?.(join(path, key));
      out ??= copyOf(value, keys, i);
    }
  }
  return out ?? value;
}

/** A new object with the first `n` of `keys` of `obj`. */
function copyOf(obj: Record<string, unknown>, keys: string[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[keys[i]] = obj[keys[i]];
  return out;
}

/**
 * Paths of every field in `obj` that the schema does not declare, in document order. Maps
 * (additionalProperties) accept any key; RawExtension-like and preserve-unknown-fields nodes
 * accept anything; values of the wrong JSON type are left to other checks.
 */
export function findUnknownFields(obj: unknown, root: SchemaNode): string[] {
  const out: string[] = [];
  dropUnknownFields(obj, root, (p) => out.push(p));
  return out;
}

/**
 * Paths of keys repeated within one object of a JSON text (each repeat reported once per extra
 * occurrence), in document order. Invalid JSON yields what was found before the error.
 */
export function findDuplicateFields(json: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < json.length && (json[i] === ' ' || json[i] === '\n' || json[i] === '\r' || json[i] === '\t')) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('invalid JSON');
  };
  const string = (): string => {
    if (json[i] !== '"') fail();
    const start = i++;
    while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    if (i >= json.length) fail();
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  const value = (path: string, depth: number): void => {
    if (depth > 10_000) fail();
    ws();
    const c = json[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (json[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const key = string();
        const p = join(path, key);
        if (seen.has(key)) out.push(p);
        seen.add(key);
        ws();
        if (json[i++] !== ':') fail();
        value(p, depth + 1);
        ws();
        if (json[i] === ',') { i++; continue; }
        if (json[i] === '}') { i++; return; }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (json[i] === ']') { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`, depth + 1);
        ws();
        if (json[i] === ',') { i++; continue; }
        if (json[i] === ']') { i++; return; }
        fail();
      }
    } else if (c === '"') {
      string();
    } else {
      const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(json.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value('', 0);
  } catch {
    // Report what was found before the syntax error; the decoder reports the error itself.
  }
  return out;
}

/** Go's %q for the strings that appear in paths (close enough: JSON escaping). */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** `unknown field "spec.foo"`. */
export function unknownFieldText(path: string): string {
  return `unknown field ${quote(path)}`;
}

/** `duplicate field "spec.replicas"`. */
export function duplicateFieldText(path: string): string {
  return `duplicate field ${quote(path)}`;
}

/** The findings as upstream lists them: unknown fields, then duplicates. */
export function strictFindings(unknown: readonly string[], duplicates: readonly string[]): string[] {
  return [...unknown.map(unknownFieldText), ...duplicates.map(duplicateFieldText)];
}

/** `strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"`. */
export function strictDecodingError(unknown: readonly string[], duplicates: readonly string[]): string {
  return `strict decoding error: ${strictFindings(unknown, duplicates).join(', ')}`;
}

/**
 * The message of the 400 BadRequest for a create or update under fieldValidation=Strict:
 * `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
 * `version` is the version part of the body's apiVersion ("v1" for "apps/v1").
 */
export function strictDecodingMessage(kind: string, version: string, unknown: readonly string[], duplicates: readonly string[]): string {
  return `${kind} in version ${quote(version)} cannot be handled as a ${kind}: ${strictDecodingError(unknown, duplicates)}`;
}

/** The warnings for fieldValidation=Warn: one per finding, e.g. `unknown field "spec.foo"`. */
export function strictWarnings(unknown: readonly string[], duplicates: readonly string[]): string[] {
  return strictFindings(unknown, duplicates);
}

/** Go's `%+v` of a decoded JSON value: `map[spec:map[replicas:3]]`, `[a b]`, `<nil>`. */
export function goValueString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueString).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goValueString(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  return String(v);
}

function goFloat(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** A Status for a strict patch failure: 422 Invalid, empty kind and name, one cause on "patch". */
export interface StrictPatchStatus {
  code: 422;
  reason: 'Invalid';
  message: string;
  details: { name: string; group: string; kind: string; causes: { reason: string; message: string; field: string }[] };
}

/**
 * The 422 for a patch under fieldValidation=Strict. `value` is what upstream prints as the bad
 * value: for strategic merge patches `goValueString(patchMap)`, for JSON and merge patches the
 * patched object's JSON text.
 */
export function strictPatchStatus(value: string, unknown: readonly string[], duplicates: readonly string[]): StrictPatchStatus {
  const body = `Invalid value: ${quote(value)}: ${strictDecodingError(unknown, duplicates)}`;
  return {
    code: 422,
    reason: 'Invalid',
    message: ` "" is invalid: patch: ${body}`,
    details: { name: '', group: '', kind: '', causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }] },
  };
}
