/**
 * apiserver/body: reads request bodies (3 MiB limit, as upstream) and decodes JSON, YAML and
 * Kubernetes protobuf envelopes into plain objects. Errors are 400/413/415 Statuses.
 */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { decodeKubernetesProtobuf } from '../machinery/protobuf/index.js';
import { badRequest, tooLarge, unsupportedMediaType } from './status.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding JSON: ${jsonErrorDetail(err, text)}`);
  }
}

function jsonErrorDetail(err: unknown, text: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(msg);
  if (pos) {
    const p = Number(pos[1]);
    const before = text.slice(0, p);
    const line = before.split('\n').length;
    return `invalid character ${JSON.stringify(text[p] ?? 'EOF')} at line ${line}, offset ${p}: ${msg}`;
  }
  return msg;
}

export function parseYaml(buf: Buffer): unknown {
  const doc = parseDocument(buf.toString('utf8'), { uniqueKeys: true, schema: 'core' });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw badRequest(`error converting YAML to JSON: yaml: line ${e.linePos?.[0]?.line ?? 0}: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
