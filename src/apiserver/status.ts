/**
 * apiserver/status: metav1.Status errors in Kubernetes' own form, and the one place where
 * storage errors become API errors.
 */
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, UnavailableError,
} from '../storage/store.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) body.details = this.details;
    return body;
  }
}

/** Identifies a resource in messages: `deployments.apps "web"`. */
export interface Target {
  group: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  name?: string;
  kind?: string;
}

const qualified = (t: Target): string => (t.group ? `${t.resource}.${t.group}` : t.resource);
const detailsOf = (t: Target): StatusDetails => {
  const d: StatusDetails = {};
  if (t.name !== undefined) d.name = t.name;
  d.group = t.group || undefined;
  d.kind = t.resource;
  if (d.group === undefined) delete d.group;
  return d;
};

export const notFound = (t: Target): StatusError =>
  new StatusError(404, 'NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, detailsOf(t));

export const alreadyExists = (t: Target): StatusError =>
  new StatusError(409, 'AlreadyExists', `${qualified(t)} "${t.name ?? ''}" already exists`, detailsOf(t));

export const conflict = (t: Target, why: string): StatusError =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ''}": ${why}`, detailsOf(t));

export const staleConflict = (t: Target): StatusError =>
  conflict(t, 'the object has been modified; please apply your changes to the latest version and try again');

export const badRequest = (message: string, causes?: StatusCause[]): StatusError =>
  new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);

export const methodNotAllowed = (message: string): StatusError => new StatusError(405, 'MethodNotAllowed', message);

/** A path the server has no handler for. */
export const routeNotFound = (): StatusError => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

export const notAcceptable = (message: string): StatusError => new StatusError(406, 'NotAcceptable', message);

export const unsupportedMediaType = (contentType: string): StatusError =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got "${contentType}")`);

export const tooLarge = (): StatusError => new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');

export const expired = (message: string): StatusError => new StatusError(410, 'Expired', message);

export const gone = (message: string): StatusError => new StatusError(410, 'Gone', message);

export const unauthorized = (): StatusError => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const forbidden = (message: string): StatusError => new StatusError(403, 'Forbidden', message);

export const internalError = (message: string): StatusError =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const serviceUnavailable = (message: string): StatusError => new StatusError(503, 'ServiceUnavailable', message);

export const timeout = (message: string): StatusError => new StatusError(504, 'Timeout', message);

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`. */
export const invalid = (t: Target & { kind: string }, causes: { reason: string; message: string; field: string }[]): StatusError => {
  const kindName = t.group ? `${t.kind}.${t.group}` : t.kind;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const details: StatusDetails = { name: t.name, group: t.group || undefined, kind: t.kind, causes };
  if (!t.group) delete details.group;
  return new StatusError(422, 'Invalid', `${kindName} "${t.name ?? ''}" is invalid: ${summary}`, details);
};

/** Maps storage errors to API errors, in one place. */
export function fromStoreError(err: unknown, t: Target): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof KeyExistsError) return alreadyExists(t);
  if (err instanceof NotFoundError) return notFound(t);
  if (err instanceof ConflictError) return staleConflict(t);
  if (err instanceof CompactedError) return expired(`The resourceVersion for the provided watch is too old.`);
  if (err instanceof FutureRevisionError) return timeout(`Too large resource version: ${err.requested}, current: ${err.current}`);
  if (err instanceof UnavailableError) return serviceUnavailable(`storage is unavailable: ${err.message}`);
  return internalError(err instanceof Error ? err.message : String(err));
}
