import { strategyFor } from '../../../src/api/strategy/index.js';
import { errorString } from '../../../src/machinery/validation/index.js';

/** Defaults then validates a copy of obj, as the API server does on create; returns rendered errors. */
export function createErrors(group: string, kind: string, obj: unknown): string[] {
  const s = strategyFor(group, kind);
  const o = structuredClone(obj);
  s.defaults?.(o);
  return (s.validate?.(o) ?? []).map(errorString);
}

export function defaulted<T>(group: string, kind: string, obj: T): any {
  const o = structuredClone(obj);
  strategyFor(group, kind).defaults?.(o);
  return o;
}

/** Defaults then validates an update of old (already defaulted) to obj. */
export function updateErrors(group: string, kind: string, obj: unknown, old: unknown): string[] {
  const s = strategyFor(group, kind);
  const n = structuredClone(obj);
  const o = structuredClone(old);
  s.defaults?.(n);
  s.defaults?.(o);
  return [...(s.validate?.(n) ?? []), ...(s.validateUpdate?.(n, o) ?? [])].map(errorString);
}
