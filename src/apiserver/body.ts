/**
 * apiserver/body: reads request bodies (3 MiB limit, as upstream) and decodes JSON, YAML and
 * Kubernetes protobuf envelopes into plain objects. Errors are 400/413/415 Statuses.
 */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { decodeKubernetesProtobuf } from '../machinery/protobuf/index.js';
import { jsonSyntaxError } from './json-syntax.js';
import { badRequest, StatusError, tooLarge, unsupportedMediaType } from './status.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The bodies readBody has read, by request (the audit log records request objects from here). */
export const receivedBodies = new WeakMap<IncomingMessage, Buffer>();

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  // Not `for await`: leaving that loop early destroys the request, which wedges the keep-alive
  // connection. On overflow the rest of the body is drained and discarded instead.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks.length = 0;
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      const body = Buffer.concat(chunks);
      receivedBodies.set(req, body);
      resolve(body);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export interface DecodedBody {
  object: unknown;
  /** The JSON text when the body was JSON (for duplicate-field checks). */
  json?: string;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a body of the given media type; `what` names the expected kind in messages. */
export function decodeBody(buf: Buffer, contentType: string | undefined): DecodedBody {
  const mt = mediaType(contentType);
  if (buf.length === 0) throw badRequest('the body of the request was empty');
  switch (mt) {
    case '':
    case 'application/json':
    case 'application/strategic-merge-patch+json':
    case 'application/merge-patch+json':
    case 'application/json-patch+json':
      return { object: parseJson(buf), json: buf.toString('utf8') };
    case 'application/yaml':
    case 'application/apply-patch+yaml':
    case 'application/json-patch+yaml':
      return { object: parseYaml(buf), json: undefined };
    case 'application/vnd.kubernetes.protobuf': {
      try {
        return { object: decodeKubernetesProtobuf(buf).object };
      } catch (err) {
        throw badRequest(`unable to decode protobuf body: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    default:
      throw unsupportedMediaType(mt);
  }
}

/**
 * Deepest nesting accepted in a JSON body. Go's decoder stops at 10000; the server's recursive
 * object walks (pruning, defaulting, validation) need a margin below the JS stack, so 2000 here.
 */
export const MAX_JSON_DEPTH = 2000;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const fixString = (v: string): string => v.replace(LONE_SURROGATE, '\ufffd');

function wellFormed(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return fixString(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => fixString(k) !== k)) return Object.fromEntries(keys.map((k) => [fixString(k), (value as Record<string, unknown>)[k]]));
  }
  return value;
}

/** Whether JSON text nests deeper than max (brackets outside strings). */
function tooDeep(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (tooDeep(text, MAX_JSON_DEPTH)) throw badRequest("couldn't get version/kind; json parse error: exceeded max depth");
  try {
    // Escaped lone surrogates become U+FFFD, as Go's decoder makes them (no ill-formed string is stored).
    if (/\\u[dD][89a-fA-F]/.test(text)) return JSON.parse(text, wellFormed);
    return JSON.parse(text);
  } catch (err) {
    const detail = jsonSyntaxError(text) ?? (err instanceof Error ? err.message : String(err));
    throw badRequest(`couldn't get version/kind; json parse error: ${detail}`);
  }
}

/**
 * Decodes a body that must be one object of kind (create, update): undecodable bodies are
 * described as upstream's decoder does, with a summary of the data.
 */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined, kind: string): DecodedBody {
  try {
    return decodeBody(buf, contentType);
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 400 || buf.length === 0) throw err;
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): ${err.message} (${summarizeData(buf, 30)})`);
  }
}

/** Upstream's summary of undecodable data: JSON-looking text as is, anything else in hex. */
function summarizeData(data: Buffer, max: number): string {
  const head = data.subarray(0, max);
  const more = data.length > max ? ' ...' : '';
  return data[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

export function parseYaml(buf: Buffer): unknown {
  const doc = parseDocument(buf.toString('utf8'), { uniqueKeys: true, schema: 'core' });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw badRequest(`error converting YAML to JSON: yaml: line ${e.linePos?.[0]?.line ?? 0}: ${what}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
