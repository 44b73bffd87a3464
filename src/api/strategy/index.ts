/**
 * api/strategy: per-kind defaulting and validation of built-in kinds, matching upstream's
 * SetDefaults_* functions and pkg/apis/<group>/validation. The API server calls, for a create,
 * `defaults(obj)`, then validateObjectMeta(obj.metadata, {namespaced, nameValidator}) and
 * `validate(obj)`; for an update, `defaults(obj)`, validateObjectMetaUpdate, `validate(obj)` and
 * `validateUpdate(obj, old)`. Strategies never check metadata themselves. Errors become a 422 `Invalid` Status (see invalidStatus in
 * src/machinery/validation). Kinds that need the server's help before defaulting export helpers
 * (prepareJobForCreate, preparePodForCreate).
 *
 * One file per kind under <group-folder>/<kind>.ts (core group = core/); registered below.
 * Pure code, no I/O. May import src/machinery/validation and src/machinery/quantity only.
 */
import type { KindStrategy } from './types.js';
import { registry } from './registry.js';

export type { KindStrategy } from './types.js';

const EMPTY: KindStrategy = Object.freeze({});

/** The strategy for a group ('' or 'core' for the core group) and kind; an empty one when unknown. */
export function strategyFor(group: string, kind: string): KindStrategy {
  const g = group === '' ? 'core' : group;
  return registry.get(`${g}/${kind}`) ?? EMPTY;
}

/** Group/kind pairs that have a strategy, as `group/Kind`. */
export function strategyKinds(): string[] {
  return [...registry.keys()].sort();
}

export { prepareJobForCreate } from './batch/job.js';
export { preparePodForCreate, podQOSClass } from './core/pod.js';
