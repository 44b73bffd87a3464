/**
 * api/conversion: conversions between versions of one stored resource (pure code).
 * A conversion is registered per group/plural of the served resource. The built-in ones
 * (events.k8s.io Events over core Events, autoscaling/v1 over v2 HorizontalPodAutoscalers) are
 * registered when this module loads. Imports nothing outside this folder.
 */
import { eventsConversion } from './events.js';
import { hpaConversion } from './hpa.js';

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

function registerBuiltins(): void {
  registerConversion('events.k8s.io', 'events', eventsConversion);
  registerConversion('autoscaling', 'horizontalpodautoscalers', hpaConversion);
}

registerBuiltins();
