/** The KindStrategy contract shared by the per-kind files. */
import type { FieldError } from '../../machinery/validation/index.js';

export interface KindStrategy {
  /** Validates metadata.name (and generateName with prefix=true). Default: DNS-1123 subdomain. */
  nameValidator?: (name: string, prefix: boolean) => string[];
  /** Fills defaulted fields, mutating in place. */
  defaults?(obj: any): void;
  /**
   * Validation of the kind's own fields on create and update. Metadata is not included: the
   * caller runs validateObjectMeta (with nameValidator) and validateObjectMetaUpdate first.
   */
  validate?(obj: any): FieldError[];
  /** Extra checks on update (immutable spec fields), in addition to validate. */
  validateUpdate?(obj: any, old: any): FieldError[];
}
