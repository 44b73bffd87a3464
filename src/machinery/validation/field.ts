/**
 * Field paths and field-level validation errors, rendered the way the Kubernetes API server renders
 * them (`spec.containers[0].image: Required value`, `Unsupported value: "x": supported values: ...`).
 */

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooShort'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path such as `spec.containers[0].image` or `metadata.labels`. */
  field: string;
  detail: string;
  /** The offending value; omitted for errors that never print a value. */
  badValue?: unknown;
}

/** An immutable field path: `new FieldPath('spec').child('containers').index(0)` → `spec.containers[0]`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  child(...names: string[]): FieldPath {
    if (names.length === 0) return this;
    const tail = names.join('.');
    return new FieldPath(this.text === '' ? tail : `${this.text}.${tail}`);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

/** Shorthand for FieldPath.root. */
export function fieldPath(...names: string[]): FieldPath {
  return FieldPath.root(...names);
}

type P = FieldPath | string;
const s = (p: P): string => String(p);

/** Marks a bad value that must not be printed (upstream's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omit-value');

export function required(path: P, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: s(path), detail, badValue: '' };
}

export function invalid(path: P, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: s(path), detail, badValue: value };
}

export function typeInvalid(path: P, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field: s(path), detail, badValue: value };
}

export function notFound(path: P, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field: s(path), detail: '', badValue: value };
}

export function duplicate(path: P, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field: s(path), detail: '', badValue: value };
}

export function notSupported(path: P, value: unknown, validValues: readonly string[]): FieldError {
  const detail =
    validValues.length > 0 ? 'supported values: ' + validValues.map((v) => goQuote(String(v))).join(', ') : '';
  return { type: 'FieldValueNotSupported', field: s(path), detail, badValue: value };
}

export function forbidden(path: P, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: s(path), detail, badValue: '' };
}

export function tooLong(path: P, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { type: 'FieldValueTooLong', field: s(path), detail, badValue: '<value omitted>' };
}

export function tooMany(path: P, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { type: 'FieldValueTooMany', field: s(path), detail, badValue: actual >= 0 ? actual : OMIT_VALUE };
}

export function internalError(path: P, detail: string): FieldError {
  return { type: 'InternalError', field: s(path), detail, badValue: detail };
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooShort: 'Too short',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** The error without its field, as in a Status cause's `message`: `Invalid value: "Foo": <detail>`. */
export function errorMessage(e: FieldError): string {
  let out: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'FieldValueTooShort':
    case 'InternalError':
      out = TYPE_TEXT[e.type];
      break;
    default:
      out = e.badValue === OMIT_VALUE ? TYPE_TEXT[e.type] : `${TYPE_TEXT[e.type]}: ${renderValue(e.badValue)}`;
  }
  if (e.detail) out += `: ${e.detail}`;
  return out;
}

/** `<field>: <message>`, as upstream's Error() renders it. */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorMessage(e)}`;
}

/** Go's %q for a string (close enough: JSON escaping with Go's spelling of a few escapes). */
export function goQuote(v: string): string {
  return JSON.stringify(v).replace(/\\u00([0-7][0-9a-f])/g, (_m, h: string) => {
    const c = parseInt(h, 16);
    if (c === 0x7f) return '\\x7f';
    return `\\x${h}`;
  });
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return 'null';
  return goJson(v);
}

/** JSON as Go's encoder would write it: maps of scalars with sorted keys. */
function goJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const entries = Object.entries(val as Record<string, unknown>);
      if (entries.every(([, x]) => typeof x === 'string')) {
        return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    }
    return val;
  });
}

/**
 * Upstream's aggregate rendering of an error list: duplicates (by full text) dropped, one error
 * printed bare, several wrapped in `[a, b]`. Returns '' for an empty list.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const m = errorString(e);
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0]!;
  return `[${msgs.join(', ')}]`;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface InvalidStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: 'Invalid';
  details: { name: string; group?: string; kind: string; causes: StatusCause[] };
  code: 422;
}

/** The Status cause list for an error list (`reason` carries the error type). */
export function statusCauses(errors: readonly FieldError[]): StatusCause[] {
  return errors.map((e) => ({ reason: e.type, message: errorMessage(e), field: e.field }));
}

/**
 * The 422 `Invalid` Status upstream sends for a failed validation, e.g. message
 * `Deployment.apps "d" is invalid: spec.selector: Required value`.
 */
export function invalidStatus(group: string, kind: string, name: string, errors: readonly FieldError[]): InvalidStatus {
  const qualified = group ? `${kind}.${group}` : kind;
  const agg = aggregateMessage(errors);
  const details: InvalidStatus['details'] = { name, kind, causes: statusCauses(errors) };
  if (group) details.group = group;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: agg ? `${qualified} ${goQuote(name)} is invalid: ${agg}` : `${qualified} ${goQuote(name)} is invalid`,
    reason: 'Invalid',
    details,
    code: 422,
  };
}
