/**
 * Payloads (relative path → content and mode) of configMap, secret and downwardAPI sources, shared
 * by their own volume plugins and by projected volumes. Errors carry the kubelet's wording.
 */
import { containerResourceValue, findContainer, podFieldValue, type PodRuntimeInfo } from '../field-ref.js';
import type { FileProjection } from './atomic-writer.js';
import type { VolumeLookup } from './types.js';

export const DEFAULT_MODE = 0o644;

type Payload = Map<string, FileProjection>;

function keyed(
  entries: Map<string, Buffer>, items: any[] | undefined, mode: number, optional: boolean, missingKey: (k: string) => string,
): Payload {
  const out: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, data] of entries) out.set(k, { data, mode });
    return out;
  }
  for (const it of items) {
    const data = entries.get(it.key);
    if (!data) {
      if (optional) continue;
      throw new Error(missingKey(it.key));
    }
    out.set(it.path, { data, mode: typeof it.mode === 'number' ? it.mode : mode });
  }
  return out;
}

/** A configMap source's files; undefined-and-optional gives an empty payload. */
export async function configMapPayload(pod: any, source: any, lookup: VolumeLookup, defaultMode?: number): Promise<Payload> {
  const ns = pod?.metadata?.namespace ?? 'default';
  const optional = source?.optional === true;
  const cm = await lookup.getConfigMap(ns, source?.name);
  if (!cm) {
    if (optional) return new Map();
    throw new Error(`configmap "${source?.name}" not found`);
  }
  const entries = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) entries.set(k, Buffer.from(String(v), 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) entries.set(k, Buffer.from(String(v), 'base64'));
  const mode = defaultMode ?? (typeof source?.defaultMode === 'number' ? source.defaultMode : DEFAULT_MODE);
  return keyed(entries, source?.items, mode, optional, (k) => `configmap references non-existent config key: ${k}`);
}

/** A secret source's files (source.secretName for secret volumes, source.name in projected ones). */
export async function secretPayload(pod: any, source: any, lookup: VolumeLookup, defaultMode?: number): Promise<Payload> {
  const ns = pod?.metadata?.namespace ?? 'default';
  const name = source?.secretName ?? source?.name;
  const optional = source?.optional === true;
  const s = await lookup.getSecret(ns, name);
  if (!s) {
    if (optional) return new Map();
    throw new Error(`secret "${name}" not found`);
  }
  const entries = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) entries.set(k, Buffer.from(String(v), 'base64'));
  const mode = defaultMode ?? (typeof source?.defaultMode === 'number' ? source.defaultMode : DEFAULT_MODE);
  return keyed(entries, source?.items, mode, optional, (k) => `references non-existent secret key: ${k}`);
}

/** A downwardAPI source's files: pod fields and container resources. */
export function downwardApiPayload(pod: any, source: any, info: PodRuntimeInfo, defaultMode?: number): Payload {
  const out: Payload = new Map();
  const mode = defaultMode ?? (typeof source?.defaultMode === 'number' ? source.defaultMode : DEFAULT_MODE);
  for (const it of source?.items ?? []) {
    let value: string;
    if (it.fieldRef) {
      value = podFieldValue(pod, it.fieldRef.fieldPath, info);
    } else if (it.resourceFieldRef) {
      const ref = it.resourceFieldRef;
      const c = findContainer(pod, ref.containerName);
      if (!c) throw new Error(`container ${ref.containerName} not found`);
      value = containerResourceValue(c, ref.resource, ref.divisor, info);
    } else {
      continue;
    }
    out.set(it.path, { data: Buffer.from(value, 'utf8'), mode: typeof it.mode === 'number' ? it.mode : mode });
  }
  return out;
}
