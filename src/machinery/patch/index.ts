/**
 * machinery/patch: the three PATCH body formats the API server applies to a stored object —
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes strategic merge patch — and
 * PatchError, which tells the API server how upstream would answer a patch that cannot apply.
 * Server-side apply (`application/apply-patch+yaml`) lives elsewhere.
 *
 * Pure functions over decoded JSON values; inputs are never mutated. May import only
 * src/api/schema (for strategic merge patch's merge keys and strategies).
 */
import type { SchemaNode } from '../../api/schema.js';
import { jsonMergePatch } from './json-merge.js';
import { jsonPatch } from './json-patch.js';
import { strategicMergePatch } from './strategic-merge.js';

export { PatchError, type PatchErrorKind, type PatchErrorReason } from './errors.js';
export { jsonMergePatch, mergeJsonValue } from './json-merge.js';
export { jsonPatch, jsonPatch as applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { strategicMergePatch } from './strategic-merge.js';

export type PatchType = 'json' | 'merge' | 'strategic';

/** Content types of the PATCH formats handled here. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The patch type named by a Content-Type header (parameters ignored), if it is one handled here. */
export function patchTypeFor(contentType: string): PatchType | undefined {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  for (const [type, ct] of Object.entries(PATCH_CONTENT_TYPES) as [PatchType, string][]) {
    if (ct === mediaType) return type;
  }
  return undefined;
}

/**
 * Applies a decoded patch body of the given type. `schema` (the kind's root definition) is used by
 * strategic merge patch only.
 */
export function applyPatch(type: PatchType, original: unknown, patch: unknown, schema?: SchemaNode): unknown {
  switch (type) {
    case 'json':
      return jsonPatch(original, patch);
    case 'merge':
      return jsonMergePatch(original, patch);
    case 'strategic':
      return strategicMergePatch(original, patch, schema);
  }
}
