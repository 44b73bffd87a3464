/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`). Pure: inputs are never mutated.
 */
import { PatchError } from './errors.js';
import { clone, isMap, setOwn, type JsonMap } from './json-value.js';

/**
 * RFC 7386 MergePatch(target, patch) over any JSON values: an object patch merges key by key
 * (null removes the key, nested objects recurse, anything else replaces); a non-object patch
 * replaces the target wholesale.
 */
export function mergeJsonValue(target: unknown, patch: unknown): unknown {
  return mergeInto(clone(target), patch);
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergeInto(Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/**
 * The API server's merge patch: the body must be a JSON object (upstream answers anything else,
 * such as `null` or a scalar, with 400 `Invalid JSON Patch`; an array body would replace the whole
 * object and fail decoding later, so it is refused here the same way).
 */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) throw new PatchError('badRequest', 'Invalid JSON Patch');
  return mergeJsonValue(original, patch);
}
