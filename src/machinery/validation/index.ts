/**
 * machinery/validation: the building blocks of upstream-compatible validation. Owns field paths and
 * FieldErrors (with the API server's rendering and the 422 `Invalid` Status built from them), name
 * and label format checks (DNS-1123/1035, qualified names, label values, config keys, ports),
 * ObjectMeta validation on create and update, label-selector validation and matching, and
 * semantic deep equality. Kind-specific rules live in src/api/strategy/.
 *
 * Pure code, no I/O. May import only src/machinery/quantity.ts (and api/schema if ever needed).
 */
export * from './field.js';
export * from './names.js';
export * from './common.js';
export {
  TOTAL_ANNOTATION_SIZE_LIMIT_B,
  annotationsSize,
  validateAnnotations,
  validateFinalizers,
  validateLabelName,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateOwnerReferences,
  type ObjectMetaOptions,
} from './object-meta.js';
export * from './label-selector.js';
export * from './resources.js';
