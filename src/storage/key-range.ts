/**
 * storage/key-range: helpers shared by the backends for turning a key prefix into a half-open
 * key range [start, end). Keys compare as UTF-8 bytes in both backends (etcd compares bytes;
 * SQLite's BINARY collation compares the UTF-8 encoding), and UTF-8 byte order equals code point
 * order, so the range can be computed on code points.
 */

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when
 * there is none (empty prefix, or a prefix made only of U+10FFFF).
 */
export function prefixEndString(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    let last = cps.pop()!;
    if (last === MAX_CODE_POINT) continue;
    last += 1;
    // Surrogate code points cannot appear in UTF-8; the next encodable one is U+E000.
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    return String.fromCodePoint(...cps, last);
  }
  return undefined;
}

/** Byte form of prefixEndString for etcd: empty prefix gives [0x00], etcd's "to the end". */
export function prefixEndBytes(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}
