/**
 * Answers `/openapi/v3`, `/openapi/v3/<path>` and `/openapi/v2` requests from the cached
 * documents: content negotiation, ETag / If-None-Match, and upstream's `?hash=` contract (a
 * matching hash is immutable; a stale one redirects to the current URL).
 *
 * v3 documents are JSON only. `/openapi/v2` is JSON or, when the Accept header prefers it, the
 * gnostic protobuf kubectl up to 1.28 asks for alone (v2-protobuf.ts); that answer carries its bytes
 * in `bytes` rather than `body`.
 */
import { openapiV2Document, openapiV3Document, openapiV3RootDocument, type ServedDocument } from './documents.js';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DEPRECATED, openapiV2ProtobufDocument } from './v2-protobuf.js';

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
  /** Empty for 304 and HEAD, and when `bytes` is set. */
  body: string;
  /** A binary body (the protobuf `/openapi/v2`), sent instead of `body` when present. */
  bytes?: Uint8Array;
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

interface MediaRange {
  type: string;
  q: number;
}

function mediaRanges(accept: string | undefined): MediaRange[] {
  if (!accept || !accept.trim()) return [{ type: '*/*', q: 1 }];
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.trim().split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    return { type, q: Number.isFinite(value) ? value : 1 };
  });
}

const isJsonRange = (t: string): boolean => t === 'application/json' || t === 'application/*' || t === '*/*';
const isV2ProtobufRange = (t: string): boolean => t === OPENAPI_V2_PROTOBUF || t === OPENAPI_V2_PROTOBUF_DEPRECATED;

/**
 * The form of `/openapi/v2` the Accept header prefers: protobuf only when named explicitly (by
 * either spelling) with a weight above JSON's; ties go to the range listed first.
 */
function negotiateV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  let best: { form: 'json' | 'protobuf'; q: number } | undefined;
  for (const r of mediaRanges(accept)) {
    if (r.q <= 0) continue;
    const form = isV2ProtobufRange(r.type) ? 'protobuf' : isJsonRange(r.type) ? 'json' : undefined;
    if (form && (!best || r.q > best.q)) best = { form, q: r.q };
  }
  return best?.form;
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

function sendV2Protobuf(req: OpenAPIRequest): OpenAPIResponse {
  const doc = openapiV2ProtobufDocument();
  const headers: Record<string, string> = { 'Content-Type': OPENAPI_V2_PROTOBUF, ETag: doc.etag, 'Cache-Control': 'no-cache, private', Vary: 'Accept' };
  if (etagMatches(req.ifNoneMatch, doc.etag)) return { status: 304, headers, body: '' };
  if (req.method === 'HEAD') return { status: 200, headers, body: '' };
  return { status: 200, headers, body: '', bytes: doc.bytes };
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
  if (isV2) {
    const form = negotiateV2(req.accept);
    if (form === 'protobuf') return sendV2Protobuf(req);
    if (form === 'json') {
      const r = send(req, openapiV2Document(), 'no-cache, private');
      r.headers.Vary = 'Accept';
      return r;
    }
    return status(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`);
  }
  if (!acceptsJson(req.accept)) {
    return status(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
  }
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
