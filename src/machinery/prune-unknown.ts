/**
 * machinery/prune-unknown: drops the fields a schema does not declare, as decoding into
 * upstream's typed structs does under fieldValidation Ignore and Warn. Pure. The walk is
 * field-validation's, so exactly the fields Strict would report are dropped.
 */
import type { SchemaNode } from '../api/schema.js';
import { dropUnknownFields } from './field-validation.js';

/** Returns obj without undeclared fields (obj itself when nothing is dropped). */
export function pruneUnknownFields<T>(obj: T, root: SchemaNode | undefined): T {
  return dropUnknownFields(obj, root) as T;
}
