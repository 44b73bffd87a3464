/** v1 ConfigMap: config-key names, 1 MiB total size, `immutable` freezes data. */
import {
  FieldPath,
  forbidden,
  invalid,
  isConfigMapKey,
  semanticEqual,
  tooLong,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const MAX_SECRET_SIZE = 1024 * 1024;

/** Bytes in a base64 value (as stored in Secret.data and ConfigMap.binaryData). */
export function base64Size(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

export function validateImmutableData(obj: any, old: any, fields: string[]): FieldError[] {
  if (old?.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj?.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!semanticEqual(obj?.[f], old?.[f])) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configMapStrategy: KindStrategy = {
  validate(cm: any): FieldError[] {
    const errs: FieldError[] = [];
    let total = 0;
    const data = cm?.data && typeof cm.data === 'object' ? cm.data : {};
    const bin = cm?.binaryData && typeof cm.binaryData === 'object' ? cm.binaryData : {};
    for (const [k, v] of Object.entries(data)) {
      const p = FieldPath.root('data').key(k);
      for (const m of isConfigMapKey(k)) errs.push(invalid(p, k, m));
      if (k in bin) errs.push(invalid(p, k, 'duplicate of key present in binaryData'));
      total += Buffer.byteLength(String(v ?? ''), 'utf8');
    }
    for (const [k, v] of Object.entries(bin)) {
      for (const m of isConfigMapKey(k)) errs.push(invalid(FieldPath.root('binaryData').key(k), k, m));
      total += base64Size(v);
    }
    if (total > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
    return errs;
  },
  validateUpdate(cm: any, old: any) {
    return [...validateImmutableData(cm, old, ['data', 'binaryData'])];
  },
};
