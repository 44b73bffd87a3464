/**
 * apply/errors: the errors server-side apply reports, worded as upstream's API server words them
 * (k8s.io/apimachinery managedfields conflict errors: HTTP 409, reason Conflict, one
 * FieldManagerConflict cause per conflicting field).
 */

export interface ApplyConflict {
  /** The manager name (e.g. kubectl-client-side-apply). */
  manager: string;
  operation: 'Apply' | 'Update' | string;
  apiVersion?: string;
  subresource?: string;
  /** The field in upstream's path notation, e.g. `.spec.replicas` or `.spec.containers[name="nginx"].image`. */
  field: string;
}

export interface StatusCause {
  type: 'FieldManagerConflict';
  message: string;
  field: string;
}

/** `"name"`, `"name" with subresource "status"`, then ` using apps/v1` for Update managers. */
export function printManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion ?? ''}`;
  return s;
}

/** The manager identifier upstream sorts by (JSON of manager, operation, apiVersion, subresource). */
export function managerIdentifier(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const o: Record<string, string> = {};
  if (c.manager) o.manager = c.manager;
  if (c.operation) o.operation = c.operation;
  if (c.apiVersion && c.operation !== 'Apply') o.apiVersion = c.apiVersion;
  if (c.subresource) o.subresource = c.subresource;
  return JSON.stringify(o);
}

export function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c)}: ${c.field}`;
  }
  const byManager = new Map<string, ApplyConflict[]>();
  for (const c of conflicts) {
    const id = managerIdentifier(c);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const group = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(group[0]!)}:`);
    for (const c of group) lines.push(`- ${c.field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** An apply that would take fields other managers own with different values (HTTP 409). */
export class ApplyConflictError extends Error {
  readonly code = 409;
  readonly reason = 'Conflict';
  readonly conflicts: readonly ApplyConflict[];

  constructor(conflicts: readonly ApplyConflict[]) {
    super(conflictMessage(conflicts));
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }

  get causes(): StatusCause[] {
    return this.conflicts.map((c) => ({
      type: 'FieldManagerConflict',
      message: `conflict with ${printManager(c)}`,
      field: c.field,
    }));
  }

  /** The Status body the API server answers with. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: { causes: this.causes },
      code: this.code,
    };
  }
}

/**
 * An applied configuration the field manager cannot use: managedFields set, a keyed list item
 * without its key, duplicate keys. The caller answers 400 BadRequest (upstream: managedFields
 * must be nil) or 422/500 for the typed-conversion failures, as it sees fit.
 */
export class ApplyInvalidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyInvalidError';
  }
}
