/**
 * A small ustar writer and reader (regular files, directories, symlinks), enough for OCI image
 * layers and image-layout archives. Output is deterministic: fixed mtime, uid/gid 0, sorted by the
 * caller's order. Names longer than 100 bytes go through the ustar prefix field or a PAX header.
 */

export type TarEntry =
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;
/** Fixed modification time for every entry (2000-01-01T00:00:00Z) so archives are reproducible. */
export const TAR_MTIME = 946684800;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, prefix: string, size: number, mode: number, typeflag: string, linkname: string): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(TAR_MTIME, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

function pad(len: number): Buffer {
  const rest = len % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest, 0);
}

/** Splits a path into ustar (prefix, name), or undefined when it does not fit. */
function splitName(path: string): [string, string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return [prefix, name];
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** Serialises entries (in the given order) into a tar archive. Paths are relative ("bin/sh"). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    let path = e.path.replace(/^\/+/, '');
    if (e.type === 'dir' && !path.endsWith('/')) path += '/';
    const linkname = e.type === 'symlink' ? e.target : '';
    const size = e.type === 'file' ? e.data.length : 0;
    const mode = e.type === 'symlink' ? 0o777 : e.mode ?? (e.type === 'dir' ? 0o755 : 0o644);
    const flag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
    let split = splitName(path);
    if (!split || Buffer.byteLength(linkname) > 100) {
      const pax = Buffer.from(
        (split ? '' : paxRecord('path', path)) + (Buffer.byteLength(linkname) > 100 ? paxRecord('linkpath', linkname) : ''),
      );
      parts.push(header('PaxHeader', '', pax.length, 0o644, 'x', ''), pax, pad(pax.length));
      split = split ?? ['', path.slice(0, 100)];
    }
    parts.push(header(split[1], split[0], size, mode, flag, linkname.slice(0, 100)));
    if (e.type === 'file') parts.push(e.data, pad(e.data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

function cstr(buf: Buffer, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? len : nul).toString('utf8');
}

/** Reads a tar archive written by writeTar (or any ustar/PAX archive) back into entries. */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let pax: Record<string, string> = {};
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = cstr(h, 0, 100);
    const mode = parseInt(cstr(h, 100, 8) || '0', 8);
    const size = parseInt(cstr(h, 124, 12).trim() || '0', 8);
    const flag = String.fromCharCode(h[156]!) || '0';
    const linkname = cstr(h, 157, 100);
    const prefix = cstr(h, 345, 155);
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = {};
      const text = data.toString('utf8');
      for (const m of text.matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) pax[m[1]!] = m[2]!;
      continue;
    }
    let path = pax.path ?? (prefix ? `${prefix}/${name}` : name);
    const target = pax.linkpath ?? linkname;
    pax = {};
    if (flag === '5') out.push({ type: 'dir', path: path.replace(/\/$/, ''), mode });
    else if (flag === '2') out.push({ type: 'symlink', path, target });
    else if (flag === '0' || flag === '\0') out.push({ type: 'file', path, data: Buffer.from(data), mode });
    path = '';
  }
  return out;
}
