/**
 * ObjectMeta validation on create and update: names, namespace scope, labels, annotations,
 * owner references and finalizers, with the API server's wording.
 */
import { FieldPath, forbidden, invalid, required, tooLong, type FieldError } from './field.js';
import { FIELD_IMMUTABLE, semanticEqual, validateImmutableField, validateNonnegativeField } from './common.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain, type NameValidator } from './names.js';

/** Total size limit of all annotation keys and values (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

type P = FieldPath | string;
const asPath = (p: P): FieldPath => (typeof p === 'string' ? FieldPath.root(p) : p);

export function validateLabelName(name: string, path: P): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** Label keys and values; every error is reported at `path` (e.g. `metadata.labels`). */
export function validateLabels(labels: Record<string, unknown> | undefined | null, path: P): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    const value = typeof v === 'string' ? v : String(v ?? '');
    for (const m of isValidLabelValue(value)) errs.push(invalid(path, value, m));
  }
  return errs;
}

export function annotationsSize(annotations: Record<string, unknown> | undefined | null): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(typeof v === 'string' ? v : String(v ?? ''), 'utf8');
  }
  return total;
}

export function validateAnnotations(annotations: Record<string, unknown> | undefined | null, path: P): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    // Annotation keys are qualified names, except that case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
  }
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined | null, p: P): FieldError[] {
  const path = asPath(p);
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.lastIndexOf('/') + 1) : apiVersion;
    if (!version) errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(path.child('kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(path.child('name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(path.child('uid'), ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller === true) {
      const cur = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export function validateFinalizers(finalizers: string[] | undefined | null, path: P): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
  if (list.includes(FINALIZER_ORPHAN) && list.includes(FINALIZER_FOREGROUND)) {
    errs.push(invalid(path, list, `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_FOREGROUND} cannot be both set`));
  }
  return errs;
}

export interface ObjectMetaOptions {
  /** Namespaced kinds require metadata.namespace; cluster-scoped kinds forbid it. */
  namespaced: boolean;
  /** Defaults to DNS-1123 subdomain. */
  nameValidator?: NameValidator;
}

/** Validates metadata of an object being created (name already generated when generateName was used). */
export function validateObjectMeta(meta: any, opts: ObjectMetaOptions, p: P = 'metadata'): FieldError[] {
  const path = asPath(p);
  const m = meta ?? {};
  const nameFn = opts.nameValidator ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(String(m.generateName), true)) errs.push(invalid(path.child('generateName'), m.generateName, msg));
  }
  if (!m.name) {
    errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(String(m.name), false)) errs.push(invalid(path.child('name'), m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(path.child('namespace')));
    else for (const msg of nameIsDNSLabel(String(m.namespace), false)) errs.push(invalid(path.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number') errs.push(...validateNonnegativeField(m.generation, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  return errs;
}

/**
 * Validates metadata changes on update: name, namespace, uid, creationTimestamp, deletionTimestamp
 * and deletionGracePeriodSeconds are immutable; no new finalizers once deletion started. The caller
 * is expected to have filled resourceVersion for unconditional updates, so it is not checked here.
 */
export function validateObjectMetaUpdate(newMeta: any, oldMeta: any, p: P = 'metadata'): FieldError[] {
  const path = asPath(p);
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldSet = new Set<string>(o.finalizers ?? []);
    const extra = ((n.finalizers ?? []) as string[]).filter((f) => !oldSet.has(f));
    if (extra.length > 0) {
      const list = [...new Set(extra)].sort().map((f) => JSON.stringify(f)).join(', ');
      errs.push(
        forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`,
        ),
      );
    }
  }
  if (typeof n.generation === 'number' && typeof o.generation === 'number' && n.generation < o.generation) {
    errs.push(invalid(path.child('generation'), n.generation, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    errs.push(...validateImmutableField(n[f] ?? '', o[f] ?? '', path.child(f)));
  }
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  return errs;
}

export { FIELD_IMMUTABLE, semanticEqual };
