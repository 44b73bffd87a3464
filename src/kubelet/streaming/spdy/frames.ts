/**
 * SPDY/3.1 frame layout: an 8-byte header, then the payload. Control frames start with the control bit,
 * the version (3) and the type; data frames with a 31-bit stream id. Both carry 8 bits of flags and a
 * 24-bit payload length. Header blocks inside SYN_STREAM, SYN_REPLY and HEADERS stay compressed here;
 * the session (de)compresses them in order.
 */
export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const MAX_FRAME_PAYLOAD = 0xffffff;

export type RawFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; version: number; flags: number; payload: Buffer };

export type Frame =
  | { type: 'DATA'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'SYN_STREAM'; streamId: number; associatedStreamId: number; priority: number; slot: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'SYN_REPLY'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'HEADERS'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; clear: boolean; entries: Array<{ id: number; flags: number; value: number }> }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'WINDOW_UPDATE'; streamId: number; delta: number }
  | { type: 'UNKNOWN'; controlType: number; flags: number; payload: Buffer };

function header(word0: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new Error(`spdy: frame payload of ${length} bytes is too large`);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(word0 >>> 0, 0);
  b.writeUInt32BE(((flags & 0xff) << 24 | length) >>> 0, 4);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([header((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, flags, payload.length), payload]);
}

function words(...n: number[]): Buffer {
  const b = Buffer.alloc(n.length * 4);
  n.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Encodes a frame whose header block (if any) is already compressed. */
export function encodeFrame(f: Exclude<Frame, { type: 'UNKNOWN' }>): Buffer {
  switch (f.type) {
    case 'DATA':
      return Buffer.concat([header(f.streamId & 0x7fffffff, f.fin ? FLAG_FIN : 0, f.data.length), f.data]);
    case 'SYN_STREAM': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(f.associatedStreamId & 0x7fffffff, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      fixed[9] = f.slot & 0xff;
      const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return control(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'SYN_REPLY':
      return control(FrameType.SYN_REPLY, f.fin ? FLAG_FIN : 0, Buffer.concat([words(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'HEADERS':
      return control(FrameType.HEADERS, f.fin ? FLAG_FIN : 0, Buffer.concat([words(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'RST_STREAM':
      return control(FrameType.RST_STREAM, 0, words(f.streamId & 0x7fffffff, f.status));
    case 'SETTINGS': {
      const body = Buffer.alloc(4 + f.entries.length * 8);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.SETTINGS, f.clear ? 1 : 0, body);
    }
    case 'PING':
      return control(FrameType.PING, 0, words(f.id));
    case 'GOAWAY':
      return control(FrameType.GOAWAY, 0, words(f.lastGoodStreamId & 0x7fffffff, f.status));
    case 'WINDOW_UPDATE':
      return control(FrameType.WINDOW_UPDATE, 0, words(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
  }
}

/** Splits a byte stream into frames; `push` returns every frame completed so far. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const w0 = this.buf.readUInt32BE(0);
      const flags = this.buf[4]!;
      const payload = this.buf.subarray(8, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      out.push(decodeFrame(w0, flags, Buffer.from(payload)));
    }
    return out;
  }

  /** Bytes received that do not yet form a whole frame. */
  get pending(): number {
    return this.buf.length;
  }
}

function decodeFrame(w0: number, flags: number, p: Buffer): Frame {
  if (!(w0 & 0x80000000)) return { type: 'DATA', streamId: w0 & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: p };
  const version = (w0 >>> 16) & 0x7fff;
  const type = w0 & 0xffff;
  if (version !== SPDY_VERSION) throw new Error(`spdy: unsupported version ${version}`);
  const need = (n: number): void => {
    if (p.length < n) throw new Error(`spdy: control frame type ${type} too short`);
  };
  switch (type) {
    case FrameType.SYN_STREAM:
      need(10);
      return {
        type: 'SYN_STREAM', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedStreamId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8]! >> 5, slot: p[9]!, fin: (flags & FLAG_FIN) !== 0, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: p.subarray(10),
      };
    case FrameType.SYN_REPLY:
    case FrameType.HEADERS:
      need(4);
      return { type: type === FrameType.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, headerBlock: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(8);
      return { type: 'RST_STREAM', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const w = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'SETTINGS', clear: (flags & 1) !== 0, entries };
    }
    case FrameType.PING:
      need(4);
      return { type: 'PING', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(4);
      return { type: 'GOAWAY', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WINDOW_UPDATE:
      need(8);
      return { type: 'WINDOW_UPDATE', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'UNKNOWN', controlType: type, flags, payload: p };
  }
}
