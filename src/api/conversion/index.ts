/**
 * api/conversion: conversions between versions of one stored resource (pure code).
 * A conversion is registered per group/plural of the served resource.
 */

export interface Conversion {
  /** Converts an object of the served `version` into the storage form. */
  toStorage(obj: any, version: string): any;
  /** Converts a stored object into the served `version`. */
  fromStorage(obj: any, version: string): any;
}

const CONVERSIONS = new Map<string, Conversion>();

export function registerConversion(group: string, plural: string, c: Conversion): void {
  CONVERSIONS.set(`${group}/${plural}`, c);
}

export function conversionFor(group: string, plural: string): Conversion | undefined {
  return CONVERSIONS.get(`${group}/${plural}`);
}
