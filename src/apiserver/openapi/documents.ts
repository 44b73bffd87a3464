/**
 * The published documents, built lazily once and kept with their serialized bytes, hashes and ETags.
 */
import { createHash } from 'node:crypto';
import { buildV2Document } from './v2.js';
import { buildV3Document, v3DocumentPaths } from './v3.js';

/** A document ready to send. */
export interface ServedDocument {
  object: object;
  /** The serialized JSON. */
  body: string;
  /** Upper-case hex SHA-512 of body, as in upstream's `?hash=`. */
  hash: string;
  /** Quoted strong ETag built from the hash. */
  etag: string;
}

function serve(object: object): ServedDocument {
  const body = JSON.stringify(object);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { object, body, hash, etag: `"${hash}"` };
}

const v3Cache = new Map<string, ServedDocument | null>();
let rootCache: ServedDocument | undefined;
let v2Cache: ServedDocument | undefined;

/** The keys of the v3 root, sorted: "api", "api/v1", "apis", "apis/apps", "apis/apps/v1", … */
export function openapiV3Paths(): string[] {
  return v3DocumentPaths();
}

/** The v3 document at a root key ("api/v1", "apis/apps/v1", "api", "apis", "apis/apps"), cached. */
export function openapiV3Document(groupVersionPath: string): ServedDocument | undefined {
  const key = groupVersionPath.replace(/^\/+|\/+$/g, '');
  if (!v3Cache.has(key)) {
    const doc = v3DocumentPaths().includes(key) ? buildV3Document(key) : undefined;
    v3Cache.set(key, doc ? serve(doc) : null);
  }
  return v3Cache.get(key) ?? undefined;
}

/** The v3 root document `{ paths: { "<key>": { serverRelativeURL } } }`, cached. */
export function openapiV3RootDocument(): ServedDocument {
  if (!rootCache) {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of v3DocumentPaths()) {
      const doc = openapiV3Document(key);
      if (doc) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
    }
    rootCache = serve({ paths });
  }
  return rootCache;
}

/** The Swagger 2.0 document for everything served, cached. */
export function openapiV2Document(): ServedDocument {
  v2Cache ??= serve(buildV2Document());
  return v2Cache;
}

export function openapiV3Root(): object {
  return openapiV3RootDocument().object;
}

export function openapiV3GroupVersion(groupVersionPath: string): object | undefined {
  return openapiV3Document(groupVersionPath)?.object;
}

export function openapiV2(): object {
  return openapiV2Document().object;
}
