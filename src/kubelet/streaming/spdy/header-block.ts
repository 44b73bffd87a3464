/**
 * SPDY/3 name/value header blocks: the plain encoding (32-bit counts and lengths; several values of one
 * name joined by NUL) and the zlib contexts that compress them. Each direction of a session keeps ONE
 * zlib context for its whole life, flushed with Z_SYNC_FLUSH after every block, so later blocks refer
 * back to earlier ones; node's zlib streams are asynchronous, so blocks are processed strictly in order.
 */
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

/** Header names are lower case; a name with several values maps to an array. */
export type SpdyHeaders = Record<string, string | string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(Array.isArray(value) ? value.join('\0') : value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let off = 0;
  const need = (n: number): void => {
    if (off + n > buf.length) throw new Error('spdy: truncated header block');
  };
  need(4);
  const count = buf.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = buf.readUInt32BE(off);
    off += 4;
    need(nl);
    const name = buf.subarray(off, off + nl).toString('utf8').toLowerCase();
    off += nl;
    need(4);
    const vl = buf.readUInt32BE(off);
    off += 4;
    need(vl);
    const value = buf.subarray(off, off + vl).toString('utf8');
    off += vl;
    const values = value.split('\0');
    out[name] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/** The first value of a header (names are compared in lower case). */
export function headerValue(headers: SpdyHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** One persistent zlib context; `run` feeds a block and resolves with what the sync flush produced. */
class ZlibContext {
  private out: Buffer[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private failed?: Error;

  constructor(private readonly z: zlib.Deflate | zlib.Inflate) {
    z.on('data', (c: Buffer) => this.out.push(c));
    z.on('error', (err: Error) => {
      this.failed = err;
    });
  }

  run(input: Buffer): Promise<Buffer> {
    const p = this.chain.then(() => new Promise<Buffer>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      const onError = (err: Error): void => reject(err);
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        // Output pushed while processing this block reaches 'data' no later than the next tick.
        setImmediate(() => {
          this.z.off('error', onError);
          if (this.failed) return reject(this.failed);
          const b = Buffer.concat(this.out);
          this.out = [];
          resolve(b);
        });
      });
    }));
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.close();
  }
}

export class HeaderCompressor {
  private readonly ctx = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));
  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.ctx.run(encodeHeaderBlock(headers));
  }
  close(): void {
    this.ctx.close();
  }
}

export class HeaderDecompressor {
  private readonly ctx = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.ctx.run(block));
  }
  close(): void {
    this.ctx.close();
  }
}
