/** The KindStrategy contract shared by the per-kind files. */
import type { FieldError } from '../../machinery/validation/index.js';

export interface KindStrategy {
  /** Validates metadata.name (and generateName with prefix=true). Default: DNS-1123 subdomain. */
  nameValidator?: (name: string, prefix: boolean) => string[];
  /** Fills defaulted fields, mutating in place. */
  defaults?(obj: any): void;
  /** Validation on create and update (metadata included). */
  validate?(obj: any): FieldError[];
  /** Extra checks on update, in addition to validate. */
  validateUpdate?(obj: any, old: any): FieldError[];
}
