/**
 * The protobuf wire format, read side: varints, fixed 32/64-bit values and length-delimited
 * fields. Knows nothing about messages; decode.ts gives the bytes meaning.
 */

/** Raised for every input the decoder cannot accept (bad magic, truncated data, unknown kind…). */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export interface FieldTag {
  number: number;
  wireType: WireType;
}

export class WireReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get offset(): number {
    return this.pos;
  }

  /** An unsigned varint of up to 64 bits, as a bigint. */
  varintBig(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new ProtobufDecodeError(`truncated varint at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** An unsigned varint known to fit a JS number (tags, lengths). */
  uint32(): number {
    const v = this.varintBig();
    if (v > 0xffffffffn) throw new ProtobufDecodeError(`varint ${v} out of range at offset ${this.pos}`);
    return Number(v);
  }

  tag(): FieldTag {
    const at = this.pos;
    const key = this.uint32();
    const wireType = key & 7;
    const number = key >>> 3;
    if (number === 0 || wireType > 5) {
      throw new ProtobufDecodeError(`invalid field key ${key} at offset ${at}`);
    }
    return { number, wireType: wireType as WireType };
  }

  fixed32(): Uint8Array {
    return this.take(4);
  }

  fixed64(): Uint8Array {
    return this.take(8);
  }

  /** The payload of a length-delimited field (a view into the buffer, not a copy). */
  bytes(): Uint8Array {
    const len = this.uint32();
    return this.take(len);
  }

  /** Skips one field's value of the given wire type. */
  skip(wireType: WireType, number: number): void {
    switch (wireType) {
      case WireType.Varint: this.varintBig(); return;
      case WireType.Fixed64: this.take(8); return;
      case WireType.LengthDelimited: this.bytes(); return;
      case WireType.Fixed32: this.take(4); return;
      case WireType.StartGroup:
        for (;;) {
          const t = this.tag();
          if (t.wireType === WireType.EndGroup) {
            if (t.number !== number) throw new ProtobufDecodeError(`mismatched end group at offset ${this.pos}`);
            return;
          }
          this.skip(t.wireType, t.number);
        }
      case WireType.EndGroup:
        throw new ProtobufDecodeError(`unexpected end group at offset ${this.pos}`);
    }
  }

  private take(len: number): Uint8Array {
    if (len > this.end - this.pos) {
      throw new ProtobufDecodeError(`truncated data at offset ${this.pos}: need ${len} bytes, have ${this.end - this.pos}`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}
