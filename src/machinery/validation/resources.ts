/**
 * Resource lists (requests, limits, capacity): resource names, quantity values and requests <= limits.
 */
import { formatQuantity, tryParseQuantity, compareQuantities, QUANTITY_FORMAT_ERROR, type Quantity } from '../quantity.js';
import { FieldPath, invalid, required, type FieldError } from './field.js';
import { IS_NEGATIVE } from './common.js';
import { isQualifiedName } from './names.js';

type P = FieldPath | string;
const asPath = (p: P): FieldPath => (typeof p === 'string' ? FieldPath.root(p) : p);

export const IS_NOT_INTEGER = 'must be an integer';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** cpu, memory, ephemeral-storage and hugepages may be overcommitted (requests < limits). */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

function isIntegerResourceName(name: string): boolean {
  return !isNativeResource(name) || name === 'pods' || name.startsWith('count/');
}

function validateResourceName(name: string, path: FieldPath, container: boolean): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes('/')) {
    if (container) {
      if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
        errs.push(invalid(path, name, 'must be a standard resource for containers'));
      }
    } else if (!STANDARD_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
    }
  }
  return errs;
}

/** Parses a quantity value found in an object; a malformed one yields an error at `path`. */
export function validateQuantity(value: unknown, path: P): { quantity?: Quantity; errors: FieldError[] } {
  const q = tryParseQuantity(value);
  if (!q) return { errors: [invalid(path, value ?? null, QUANTITY_FORMAT_ERROR)] };
  if (q.num < 0n) return { quantity: q, errors: [invalid(path, formatQuantity(q), IS_NEGATIVE)] };
  return { quantity: q, errors: [] };
}

function checkResourceList(
  list: Record<string, unknown> | undefined,
  path: FieldPath,
  container: boolean,
): { errors: FieldError[]; parsed: Map<string, Quantity> } {
  const errors: FieldError[] = [];
  const parsed = new Map<string, Quantity>();
  for (const name of Object.keys(list ?? {}).sort()) {
    const p = path.key(name);
    errors.push(...validateResourceName(name, p, container));
    const { quantity, errors: qErrs } = validateQuantity(list![name], p);
    errors.push(...qErrs);
    if (quantity) {
      parsed.set(name, quantity);
      if (isIntegerResourceName(name) && quantity.exp < 0) errors.push(invalid(p, formatQuantity(quantity), IS_NOT_INTEGER));
    }
  }
  return { errors, parsed };
}

/** A plain resource list (node capacity, quota hard limits, PVC requests). */
export function validateResourceList(list: Record<string, unknown> | undefined, p: P): FieldError[] {
  return checkResourceList(list, asPath(p), false).errors;
}

/** Container `resources`: names, non-negative values, requests <= limits. */
export function validateResourceRequirements(req: any, p: P): FieldError[] {
  const path = asPath(p);
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const lim = checkResourceList(req?.limits, limPath, true);
  const reqs = checkResourceList(req?.requests, reqPath, true);
  const errs = [...lim.errors, ...reqs.errors];
  for (const [name, q] of reqs.parsed) {
    const l = lim.parsed.get(name);
    if (l) {
      const cmp = compareQuantities(q, l);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(l)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(l)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

