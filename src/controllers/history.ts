/**
 * ControllerRevisions for StatefulSets and DaemonSets, as upstream's controller history package:
 *  - `data` is a strategic merge patch replacing the owner's pod template,
 *    `{"spec":{"template":{"$patch":"replace", ...}}}`, serialised as Go's encoding/json does
 *    (object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped) with the fields Go always
 *    writes for a PodTemplateSpec (`metadata.creationTimestamp: null`, each container's
 *    `resources: {}`), so the bytes are those upstream and kubectl compute for the same template;
 *  - the name is `<owner>-<hash>` where hash = SafeEncodeString(decimal(FNV-1 32 of the data
 *    bytes followed by the decimal collision count)), the owner's name cut to 223 bytes;
 *  - the revision carries a controller ownerReference, the template's labels and the hash.
 * Pure helpers plus the two calls that write revisions through the client.
 */
import { isConflict, isNotFound, ApiError, type KObject, type KubeClient } from '../client/rest-client.js';
import { findResource } from '../api/resources.js';
import { controllerRefOf } from './owner-claim.js';

export const CONTROLLER_REVISIONS = findResource('apps', 'v1', 'controllerrevisions')!;
/** Label on pods (StatefulSet, DaemonSet) naming the revision they were made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** Label upstream's history package puts on a revision with its hash. */
export const HISTORY_HASH_LABEL = 'controller.kubernetes.io/hash';

/** Go's encoding/json Marshal of a value decoded into interface{} (map keys sorted). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as KObject)[k] !== undefined).sort(byteOrder);
    return `{${keys.map((k) => `${goString(k)}:${goJson((v as KObject)[k])}`).join(',')}}`;
  }
  return 'null';
}

function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** strconv.FormatFloat as encoding/json uses it ('f', or 'e' outside [1e-6, 1e21)). */
function goNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go writes e-07 as e-07 (two-digit exponent at least).
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** The pod template as Go serialises a v1.PodTemplateSpec (fields it never omits filled in). */
export function goTemplate(template: KObject | undefined): KObject {
  const t = structuredClone(template ?? {}) as KObject;
  t.metadata = { ...(t.metadata ?? {}) };
  if (t.metadata.creationTimestamp === undefined) t.metadata.creationTimestamp = null;
  t.spec = { ...(t.spec ?? {}) };
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    if (!Array.isArray(t.spec[list])) continue;
    t.spec[list] = t.spec[list].map((c: KObject) => (c && typeof c === 'object' && c.resources === undefined ? { ...c, resources: {} } : c));
  }
  if (list(t.spec.containers).length === 0) t.spec.containers = null;
  return t;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The revision data (upstream's getPatch) for an owner with spec.template, as bytes Go would write. */
export function templatePatch(owner: KObject): string {
  const template = goTemplate(owner.spec?.template);
  template.$patch = 'replace';
  return goJson({ spec: { template } });
}

/** Go's hash/fnv New32 (FNV-1, not 1a) over UTF-8 bytes. */
export function fnv1_32(data: string | Buffer): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: each byte mapped onto consonants and digits without vowels. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}

/** upstream HashControllerRevision(data, probe). */
export function hashRevisionData(data: string, collisionCount?: number): string {
  const bytes = collisionCount === undefined ? data : data + String(collisionCount);
  return safeEncodeString(String(fnv1_32(bytes)));
}

/** `<prefix>-<hash>`, the prefix cut to 223 bytes so the name fits 253. */
export function revisionName(prefix: string, hash: string): string {
  const p = Buffer.from(prefix, 'utf8');
  return `${p.length > 223 ? p.subarray(0, 223).toString('utf8') : prefix}-${hash}`;
}

/** The bytes of a stored revision's data, as Go would hold them in RawExtension.Raw. */
export function revisionData(rev: KObject): string {
  return goJson(rev.data ?? null);
}

/** metav1.NewControllerRef(owner, apps/v1 kind). */
export function controllerRef(owner: KObject, kind: string = owner.kind): KObject {
  return { apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(obj: KObject, owner: KObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

export interface NewRevisionOptions {
  /** Labels for the revision (the template's); the hash label is added. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  revision: number;
  collisionCount?: number;
  /** Label key that carries the hash (upstream: controller.kubernetes.io/hash for StatefulSets, controller-revision-hash for DaemonSets). */
  hashLabel?: string;
  /** The owner's kind (StatefulSet, DaemonSet). */
  kind: string;
}

/** A ControllerRevision (not yet written) for the owner's current template. */
export function newRevision(owner: KObject, o: NewRevisionOptions): KObject {
  const data = templatePatch(owner);
  const hash = hashRevisionData(data, o.collisionCount ?? 0);
  const labels = { ...(o.labels ?? owner.spec?.template?.metadata?.labels ?? {}), [o.hashLabel ?? HISTORY_HASH_LABEL]: hash };
  const meta: KObject = { name: revisionName(owner.metadata.name, hash), namespace: owner.metadata.namespace, labels, ownerReferences: [controllerRef(owner, o.kind)] };
  if (o.annotations && Object.keys(o.annotations).length) meta.annotations = { ...o.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, data: JSON.parse(data), revision: o.revision };
}

/** Sorted by revision number, then creation time and name (upstream's byRevision). */
export function sortRevisions(revs: KObject[]): KObject[] {
  return [...revs].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)
    || String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? ''))
    || String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

/** One more than the highest revision number (1 when there are none). */
export function nextRevision(revs: KObject[]): number {
  let max = 0;
  for (const r of revs) max = Math.max(max, Number(r.revision ?? 0));
  return max + 1;
}

/** Revisions whose data equals `rev`'s (upstream's FindEqualRevisions), in revision order. */
export function findEqualRevisions(revs: KObject[], rev: KObject): KObject[] {
  const want = revisionData(rev);
  return sortRevisions(revs).filter((r) => revisionData(r) === want);
}

/**
 * Creates the revision; on a name collision with different data, bumps the collision count and
 * tries the next name (upstream's CreateControllerRevision). Returns the revision and the count.
 */
export async function createRevision(client: KubeClient, rev: KObject, collisionCount: number): Promise<{ revision: KObject; collisionCount: number }> {
  let count = collisionCount;
  const data = revisionData(rev);
  const ownerName = rev.metadata.ownerReferences[0].name as string;
  for (let i = 0; i < 100; i++) {
    const candidate = structuredClone(rev);
    candidate.metadata.name = revisionName(ownerName, hashRevisionData(data, count));
    try {
      return { revision: await client.create(CONTROLLER_REVISIONS, candidate.metadata.namespace, candidate), collisionCount: count };
    } catch (err) {
      if (!(err instanceof ApiError) || err.reason !== 'AlreadyExists') throw err;
      const existing = await client.get(CONTROLLER_REVISIONS, candidate.metadata.namespace, candidate.metadata.name);
      if (revisionData(existing) === data) return { revision: existing, collisionCount: count };
      count++;
    }
  }
  throw new Error(`could not find a free ControllerRevision name for ${ownerName}`);
}

/** Gives an existing revision a new revision number (a rollback to an older template). */
export async function updateRevisionNumber(client: KubeClient, rev: KObject, revision: number): Promise<KObject> {
  if (rev.revision === revision) return rev;
  const copy = structuredClone(rev);
  copy.revision = revision;
  try {
    return await client.update(CONTROLLER_REVISIONS, copy);
  } catch (err) {
    if (!isConflict(err)) throw err;
    const fresh = await client.get(CONTROLLER_REVISIONS, rev.metadata.namespace, rev.metadata.name);
    fresh.revision = revision;
    return client.update(CONTROLLER_REVISIONS, fresh);
  }
}

/**
 * Deletes the oldest revisions that no pod uses and that are neither `live` names, beyond
 * `limit` (revisionHistoryLimit).
 */
export async function truncateHistory(client: KubeClient, revs: KObject[], live: Set<string>, limit: number): Promise<void> {
  const dead = sortRevisions(revs).filter((r) => !live.has(r.metadata.name));
  const excess = dead.length - Math.max(0, limit);
  for (const r of dead.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(CONTROLLER_REVISIONS, r.metadata.namespace, r.metadata.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The owner with its template taken from a revision's data (upstream's ApplyRevision). */
export function applyRevision(owner: KObject, rev: KObject | undefined): KObject {
  if (!rev) return owner;
  const copy = structuredClone(owner);
  const t = structuredClone(rev.data?.spec?.template ?? {});
  delete t.$patch;
  if (t.metadata?.creationTimestamp === null) delete t.metadata.creationTimestamp;
  copy.spec = { ...copy.spec, template: t };
  return copy;
}
