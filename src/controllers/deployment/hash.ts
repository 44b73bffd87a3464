/**
 * The pod-template-hash: FNV-32a over the pod template, then the collision count as 8
 * little-endian bytes (when set), the 32-bit sum written in decimal and each digit mapped
 * through upstream's SafeEncodeString alphabet (digits become `4 5 6 7 8 9 b c d f`).
 *
 * Upstream feeds the hasher a Go-syntax dump of the typed struct (spew); k8ts has no Go structs,
 * so it hashes the template's canonical JSON (keys sorted; null, {} and [] dropped as omitempty
 * would). The hash is therefore stable and has upstream's shape and alphabet, but is not
 * byte-for-byte the value upstream computes for the same template. Nothing depends on the value
 * itself: the new ReplicaSet is found by comparing templates, not hashes.
 */

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upstream's rand.SafeEncodeString: every byte becomes ALPHANUMS[byte % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += ALPHANUMS[b % ALPHANUMS.length];
  return out;
}

/** A value with keys sorted and empty values (null, {}, []) dropped, recursively. */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize((v as Record<string, unknown>)[k]);
      if (n === null || n === undefined) continue;
      if (Array.isArray(n) && n.length === 0) continue;
      if (typeof n === 'object' && !Array.isArray(n) && Object.keys(n as object).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v) ?? null);
}

export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
