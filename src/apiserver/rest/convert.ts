/**
 * Conversion between a resource's served version and its storage version. Most resources are
 * served in the version they are stored in; conversion functions are registered per
 * group/plural in src/api/conversion (pure code).
 */
import type { ResourceInfo } from '../../api/resources.js';
import { apiVersionOf } from '../../api/resources.js';
import { conversionFor } from '../../api/conversion/index.js';
import type { KObject } from './codec.js';

export interface Converter {
  /** From the request's version to the storage version. */
  in(obj: KObject, r: ResourceInfo): KObject;
  /** From the storage version to the request's version. */
  out(obj: KObject, r: ResourceInfo): KObject;
}

export const converter: Converter = {
  in(obj, r) {
    if (r.version === r.storageVersion && r.storageGroup === r.group) return obj;
    const conv = conversionFor(r.group, r.plural);
    return conv ? conv.toStorage(obj, r.version) : { ...obj, apiVersion: storageApiVersion(r) };
  },
  out(obj, r) {
    const want = apiVersionOf(r);
    if (obj.apiVersion === want) return obj;
    const conv = conversionFor(r.group, r.plural);
    return conv ? conv.fromStorage(obj, r.version) : { ...obj, apiVersion: want };
  },
};

function storageApiVersion(r: ResourceInfo): string {
  const g = r.storageGroup;
  return g ? `${g}/${r.storageVersion}` : r.storageVersion;
}
