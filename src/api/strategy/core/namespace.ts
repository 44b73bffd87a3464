/**
 * v1 Namespace: DNS-label names, the `kubernetes.io/metadata.name` label, spec.finalizers
 * ["kubernetes"] and status.phase Active.
 */
import {
  FieldPath,
  invalid,
  isQualifiedName,
  nameIsDNSLabel,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';

export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const namespaceStrategy: KindStrategy = {
  nameValidator: nameIsDNSLabel,
  defaults(ns: any) {
    if (!ns.metadata || typeof ns.metadata !== 'object') ns.metadata = {};
    if (ns.metadata.name) {
      if (!ns.metadata.labels || typeof ns.metadata.labels !== 'object') ns.metadata.labels = {};
      ns.metadata.labels[LABEL_METADATA_NAME] = ns.metadata.name;
    }
    if (!ns.spec || typeof ns.spec !== 'object') ns.spec = {};
    if (!Array.isArray(ns.spec.finalizers) || ns.spec.finalizers.length === 0) ns.spec.finalizers = ['kubernetes'];
    if (!ns.status || typeof ns.status !== 'object') ns.status = {};
    if (!ns.status.phase) ns.status.phase = 'Active';
  },
  validate(ns: any): FieldError[] {
    const errs: FieldError[] = [];
    const fp = FieldPath.root('spec', 'finalizers');
    for (const f of Array.isArray(ns?.spec?.finalizers) ? ns.spec.finalizers : []) {
      const s = String(f);
      for (const m of isQualifiedName(s)) errs.push(invalid(fp, s, m));
      if (!s.includes('/') && !STANDARD_FINALIZERS.has(s)) {
        errs.push(invalid(fp, s, 'name is neither a standard finalizer name nor is it fully qualified'));
      }
    }
    return errs;
  },
  validateUpdate(ns: any, old: any) {
    return [];
  },
};
