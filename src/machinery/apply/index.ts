/**
 * machinery/apply: server-side apply and field management, after upstream's structured-merge-diff
 * and apiserver fieldmanager. Pure functions over plain JSON objects, driven by the kind's schema
 * (pass `definitionFor(gvk)`; undefined means "no schema" and uses upstream's deduced typing).
 *
 * Owns: field sets and their `fieldsV1` wire form, `metadata.managedFields` bookkeeping for
 * create/update/patch (trackUpdate) and apply (apply), apply conflicts and their Status wording.
 * May import: src/api/schema only.
 */
export {
  FieldSet,
  compareElements,
  elementToString,
  keyElement,
  parseElement,
  pathToString,
  serializeElement,
  type FieldsV1,
  type Path,
  type PathElement,
} from './field-set.js';
export { FieldPathError, typeOf, type TypeInfo, type TypeRef } from './schema-types.js';
export {
  compareObjects,
  ensureNamedFieldsAreMembers,
  fieldsOf,
  mergeObjects,
  removeItems,
  type Comparison,
} from './typed-value.js';
export {
  ApplyConflictError,
  ApplyInvalidError,
  conflictMessage,
  printManager,
  type ApplyConflict,
  type StatusCause,
} from './errors.js';
export {
  LAST_APPLIED_ANNOTATION,
  MAX_UPDATE_MANAGERS,
  apply,
  decodeManagedFields,
  encodeManagedFields,
  trackUpdate,
  type ApplyOptions,
  type ApplyResult,
  type ManagerState,
  type ManagedFieldsEntry,
  type TrackUpdateOptions,
} from './managed-fields.js';
