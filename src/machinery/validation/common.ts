/**
 * Small shared checks (non-negative numbers, immutable fields) and upstream's "semantic" deep
 * equality, under which a missing field, null, an empty list and an empty map are all equal.
 */
import { FieldPath, invalid, type FieldError } from './field.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const IS_NOT_POSITIVE = 'must be greater than zero';

type P = FieldPath | string;

export function validateNonnegativeField(value: number, path: P): FieldError[] {
  return value < 0 ? [invalid(path, value, IS_NEGATIVE)] : [];
}

export function validatePositiveField(value: number, path: P): FieldError[] {
  return value <= 0 ? [invalid(path, value, IS_NOT_POSITIVE)] : [];
}

/** `<path>: Invalid value: <new>: field is immutable` when new and old differ semantically. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: P): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [invalid(path, newVal ?? null, FIELD_IMMUTABLE)];
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Deep equality treating undefined/null/[]/{} as equal, and ignoring keys whose value is undefined or null. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

/** A plain deep copy for JSON-shaped values. */
export function deepCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
