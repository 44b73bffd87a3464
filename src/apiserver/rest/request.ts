/** Per-request context shared by the REST handlers, and small response helpers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../../api/resources.js';
import type { UserInfo } from '../authn/index.js';
import type { Negotiated } from '../negotiation.js';
import type { RequestInfo } from '../request-info.js';
import { badRequest } from '../status.js';
import type { IncludeObject } from './table.js';

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: RequestInfo;
  /** The resource as requested (its version decides the representation). */
  resource: ResourceInfo;
  /** The resource whose storage holds the objects (its storage version). */
  storage: ResourceInfo;
  user?: UserInfo;
  negotiated: Negotiated;
  warnings: string[];
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}: supported values: "All"`);
  return values.length > 0;
}

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter "${v}" must be one of: Strict, Warn, Ignore`);
}

/** The field manager: the fieldManager parameter, else the client's User-Agent name, as upstream. */
export function fieldManagerOf(q: URLSearchParams, userAgent: string | undefined, required = false): string {
  const m = q.get('fieldManager');
  if (m !== null) {
    if (m.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    if ([...m].some((c) => c < ' ' || c > '~')) throw badRequest('fieldManager: Invalid value: must only contain printable characters');
    return m;
  }
  if (required) throw badRequest('PATCH requests with application/apply-patch+yaml require a fieldManager parameter (fieldManager is required for apply requests)');
  const ua = (userAgent ?? '').split('/')[0].trim();
  return ua.slice(0, 128) || 'unknown';
}

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function sendJson(call: Pick<Call, 'res' | 'warnings'>, code: number, body: unknown): void {
  sendRaw(call, code, JSON.stringify(body));
}

/** Sends an already serialized JSON body. */
export function sendRaw(call: Pick<Call, 'res' | 'warnings'>, code: number, payload: string): void {
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
  };
  if (call.warnings.length) headers.Warning = call.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  call.res.writeHead(code, headers);
  call.res.end(payload);
}
