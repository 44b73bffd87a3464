/**
 * Answers `/openapi/v3`, `/openapi/v3/<path>` and `/openapi/v2` requests from the cached
 * documents: content negotiation (JSON only), ETag / If-None-Match, and upstream's `?hash=`
 * contract (a matching hash is immutable; a stale one redirects to the current URL).
 *
 * `/openapi/v2` is JSON only. kubectl asks for it in protobuf alone; it is answered 406
 * NotAcceptable, which kubectl treats like an absent document (apply falls back to its built-in
 * patch metadata; explain and validation use v3).
 */
import { openapiV2Document, openapiV3Document, openapiV3RootDocument, type ServedDocument } from './documents.js';

export interface OpenAPIRequest {
  method: string;
  /** URL path without the query, e.g. "/openapi/v3/apis/apps/v1". */
  path: string;
  query?: URLSearchParams;
  accept?: string;
  ifNoneMatch?: string;
}

export interface OpenAPIResponse {
  status: number;
  headers: Record<string, string>;
  /** Empty for 304 and HEAD. */
  body: string;
}

function status(code: number, reason: string, message: string): OpenAPIResponse {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  return { status: code, headers: { 'Content-Type': 'application/json' }, body };
}

/** Whether an Accept header admits application/json. */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag;
  });
}

function send(req: OpenAPIRequest, doc: ServedDocument, cacheControl: string): OpenAPIResponse {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: doc.etag, 'Cache-Control': cacheControl };
  if (etagMatches(req.ifNoneMatch, doc.etag)) return { status: 304, headers, body: '' };
  return { status: 200, headers, body: req.method === 'HEAD' ? '' : doc.body };
}

/** Answers an OpenAPI request, or returns undefined when the path is not an OpenAPI path. */
export function handleOpenAPI(req: OpenAPIRequest): OpenAPIResponse | undefined {
  const path = req.path.replace(/\/+$/, '');
  const isV2 = path === '/openapi/v2';
  const isV3 = path === '/openapi/v3' || path.startsWith('/openapi/v3/');
  if (!isV2 && !isV3) return undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
  if (!acceptsJson(req.accept)) {
    return status(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
  }
  if (isV2) return send(req, openapiV2Document(), 'no-cache, private');
  if (path === '/openapi/v3') return send(req, openapiV3RootDocument(), 'no-cache, private');
  const key = path.slice('/openapi/v3/'.length);
  const doc = openapiV3Document(key);
  if (!doc) return status(404, 'NotFound', 'the server could not find the requested resource');
  const hash = req.query?.get('hash');
  if (hash && hash !== doc.hash) {
    return {
      status: 301,
      headers: { Location: `/openapi/v3/${key}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' },
      body: '',
    };
  }
  return send(req, doc, hash ? 'public, immutable' : 'no-cache, private');
}
