/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the
 * JSON object a JSON client would have sent. The body is the magic `k8s\0` followed by a
 * runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}; `raw` is the
 * object's message, described by generated/messages.json (scripts/gen-proto.ts).
 */
import { createRequire } from 'node:module';
import { ProtobufDecodeError, WireReader, WireType } from './wire.js';

interface FieldDef {
  name: string;
  type: string;
  repeated?: true;
  map?: { key: string; value: string };
  inline?: true;
  keepZero?: true;
}
interface MessageDef {
  fields: Record<string, FieldDef>;
  nullable?: true;
}
interface MessagesFile {
  packages: Record<string, { group: string; version: string }>;
  messages: Record<string, MessageDef>;
}

const require = createRequire(import.meta.url);
const file = require('./generated/messages.json') as MessagesFile;

export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00); // "k8s\0"

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const DURATION = `${META}.Duration`;
const FIELDS_V1 = `${META}.FieldsV1`;
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const QUANTITY_VALUE = 'k8s.io.apimachinery.pkg.api.resource.QuantityValue';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = `${RUNTIME}.RawExtension`;
const UNKNOWN = `${RUNTIME}.Unknown`;

/** Group "meta.k8s.io" kinds (DeleteOptions, …) live in the apimachinery package, not k8s.io.api.*. */
const packageByGroupVersion = new Map<string, string>([['meta.k8s.io/v1', META]]);
for (const [pkg, gv] of Object.entries(file.packages)) {
  packageByGroupVersion.set(gv.group ? `${gv.group}/${gv.version}` : gv.version, pkg);
}

/** The fully-qualified message name for an apiVersion and kind, if the table knows it. */
export function messageNameFor(apiVersion: string, kind: string): string | undefined {
  const pkg = packageByGroupVersion.get(apiVersion);
  const name = pkg && `${pkg}.${kind}`;
  if (name && file.messages[name]) return name;
  // Upstream registers the meta/v1 option kinds (DeleteOptions, …) in every group version:
  // client-go sends a DELETE body as {apiVersion: "v1", kind: "DeleteOptions"}.
  const meta = `${META}.${kind}`;
  return pkg && kind.endsWith('Options') && file.messages[meta] ? meta : undefined;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** True when the body starts with the Kubernetes protobuf magic `k8s\0`. */
export function hasKubernetesProtobufMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

export interface DecodeKubernetesProtobufOptions {
  /**
   * 'json' (default): zero scalars ("", 0, false) that Go's JSON encoding would leave out are
   * dropped — Go's protobuf marshalling writes every non-pointer field, set or not. Fields whose
   * zero is meaningful (required, or pointers with a non-zero default such as replicas) keep it.
   * 'wire': every field present on the wire is kept.
   */
  zeros?: 'json' | 'wire';
}

/**
 * Decodes a `k8s\0` + runtime.Unknown body. The returned object carries `kind` and `apiVersion`
 * from the envelope's typeMeta, followed by the object's fields in wire (= Go struct) order.
 */
export function decodeKubernetesProtobuf(body: Uint8Array, options: DecodeKubernetesProtobufOptions = {}): DecodedObject {
  if (!hasKubernetesProtobufMagic(body)) {
    throw new ProtobufDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const unknown = decodeMessage(UNKNOWN, body.subarray(MAGIC.length), { raw: true, wire: true });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (!kind) throw new ProtobufDecodeError("Object 'Kind' is missing in protobuf envelope");
  if (!apiVersion) throw new ProtobufDecodeError("Object 'apiVersion' is missing in protobuf envelope");
  const encoding = unknown.contentEncoding;
  if (typeof encoding === 'string' && encoding !== '') {
    throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(encoding)} in protobuf envelope`);
  }
  const contentType = unknown.contentType;
  if (typeof contentType === 'string' && contentType !== '' && contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ProtobufDecodeError(`unsupported content type ${JSON.stringify(contentType)} in protobuf envelope`);
  }
  const message = messageNameFor(apiVersion, kind);
  if (!message) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const raw = unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array(0);
  const fields = decodeMessage(message, raw, { wire: options.zeros === 'wire' });
  delete fields.kind;
  delete fields.apiVersion;
  return { apiVersion, kind, object: { kind, apiVersion, ...fields } };
}

interface DecodeOptions {
  /** Leave `bytes` fields as Uint8Array (for the runtime.Unknown envelope). */
  raw?: boolean;
  /** Keep zero scalars (see DecodeKubernetesProtobufOptions.zeros). */
  wire?: boolean;
}

/** Marks a value the JSON encoding leaves out (a zero metav1.Time). */
const OMIT = Symbol('omit');

function decodeMessage(name: string, bytes: Uint8Array, opts: DecodeOptions = {}): Record<string, unknown> {
  const def = file.messages[name];
  if (!def) throw new ProtobufDecodeError(`no protobuf message ${name}`);
  const out: Record<string, unknown> = {};
  const r = new WireReader(bytes);
  while (!r.done) {
    const tag = r.tag();
    const field = def.fields[String(tag.number)];
    if (!field) {
      r.skip(tag.wireType, tag.number);
      continue;
    }
    if (field.map) {
      const entry = expectBytes(r, tag.wireType, name, field);
      const [k, v] = decodeMapEntry(entry, field, name, opts);
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      if (v !== OMIT) map[k] = v;
      continue;
    }
    if (field.repeated && isPackable(field.type) && tag.wireType === WireType.LengthDelimited) {
      const list = (out[field.name] ??= []) as unknown[];
      const packed = new WireReader(r.bytes());
      while (!packed.done) list.push(readScalar(packed, wireTypeOf(field.type), field.type, name, field, opts));
      continue;
    }
    const value = readValue(r, tag.wireType, field.type, name, field, opts);
    if (value === OMIT) continue;
    if (!opts.wire && !field.repeated && !field.keepZero && (value === '' || value === 0 || value === false)) continue;
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (field.inline && isObject(value)) Object.assign(out, value);
    else out[field.name] = value;
  }
  return out;
}

function decodeMapEntry(entry: Uint8Array, field: FieldDef, parent: string, opts: DecodeOptions): [string, unknown] {
  const { key: keyType, value: valueType } = field.map!;
  let key: unknown = zeroOf(keyType);
  let value: unknown = zeroOf(valueType);
  const r = new WireReader(entry);
  while (!r.done) {
    const tag = r.tag();
    if (tag.number === 1) key = readValue(r, tag.wireType, keyType, parent, field, {});
    else if (tag.number === 2) value = readValue(r, tag.wireType, valueType, parent, field, { wire: opts.wire });
    else r.skip(tag.wireType, tag.number);
  }
  if (value === undefined) value = decodeMessageValue(valueType, new Uint8Array(0), opts);
  return [String(key), value];
}

function readValue(r: WireReader, wt: WireType, type: string, parent: string, field: FieldDef, opts: DecodeOptions): unknown {
  if (file.messages[type]) return decodeMessageValue(type, expectBytes(r, wt, parent, field), opts);
  return readScalar(r, wt, type, parent, field, opts);
}

function readScalar(r: WireReader, wt: WireType, type: string, parent: string, field: FieldDef, opts: DecodeOptions): unknown {
  const expected = wireTypeOf(type);
  if (wt !== expected) {
    throw new ProtobufDecodeError(`field ${parent}.${field.name}: wire type ${wt} does not match ${type}`);
  }
  switch (type) {
    case 'string': return utf8.decode(r.bytes());
    case 'bytes': {
      const b = r.bytes();
      return opts.raw ? b : Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    }
    case 'bool': return r.varintBig() !== 0n;
    case 'int32': return Number(BigInt.asIntN(32, r.varintBig()));
    case 'int64': return Number(BigInt.asIntN(64, r.varintBig()));
    case 'uint32': return Number(BigInt.asUintN(32, r.varintBig()));
    case 'uint64': return Number(r.varintBig());
    case 'sint32':
    case 'sint64': {
      const v = r.varintBig();
      return Number((v >> 1n) ^ -(v & 1n));
    }
    case 'fixed32': return view(r.fixed32()).getUint32(0, true);
    case 'sfixed32': return view(r.fixed32()).getInt32(0, true);
    case 'float': return view(r.fixed32()).getFloat32(0, true);
    case 'fixed64': return Number(view(r.fixed64()).getBigUint64(0, true));
    case 'sfixed64': return Number(view(r.fixed64()).getBigInt64(0, true));
    case 'double': return view(r.fixed64()).getFloat64(0, true);
    default: throw new ProtobufDecodeError(`field ${parent}.${field.name}: unknown type ${type}`);
  }
}

/** A nested message as its JSON value: the special apimachinery types have their own JSON forms. */
function decodeMessageValue(type: string, bytes: Uint8Array, opts: DecodeOptions): unknown {
  const wire: DecodeOptions = { wire: true };
  switch (type) {
    case TIME: {
      // A zero time is marshalled as an empty message; Go's JSON would say null (omitted here).
      if (bytes.length === 0) return OMIT;
      const t = decodeMessage(`${META}.Timestamp`, bytes, wire);
      return formatTime(num(t.seconds), 0, false);
    }
    case MICRO_TIME: {
      if (bytes.length === 0) return OMIT;
      const t = decodeMessage(`${META}.Timestamp`, bytes, wire);
      return formatTime(num(t.seconds), num(t.nanos), true);
    }
    case DURATION:
      return formatDuration(BigInt(num(decodeMessage(type, bytes, wire).duration)));
    case QUANTITY:
    case QUANTITY_VALUE: {
      const s = decodeMessage(type, bytes, wire).string;
      return typeof s === 'string' && s !== '' ? s : '0';
    }
    case INT_OR_STRING: {
      const v = decodeMessage(type, bytes, wire);
      return num(v.type) === 1 ? (typeof v.strVal === 'string' ? v.strVal : '') : num(v.intVal);
    }
    case RAW_EXTENSION:
      return rawJson(decodeMessage(type, bytes, { raw: true, wire: true }).raw, 'RawExtension', opts);
    case FIELDS_V1:
      return rawJson(decodeMessage(type, bytes, { raw: true, wire: true }).Raw, 'FieldsV1', opts);
  }
  const def = file.messages[type]!;
  const value = decodeMessage(type, bytes, { wire: opts.wire });
  // A Go slice type wrapped in a message (Verbs, ExtraValue): JSON is the slice itself.
  if (def.nullable) return value.items ?? [];
  return value;
}

function rawJson(raw: unknown, what: string, opts: DecodeOptions): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  if (hasKubernetesProtobufMagic(raw)) return decodeKubernetesProtobuf(raw, { zeros: opts.wire ? 'wire' : 'json' }).object;
  try {
    return JSON.parse(utf8.decode(raw)) as unknown;
  } catch {
    throw new ProtobufDecodeError(`${what} does not hold JSON`);
  }
}

function expectBytes(r: WireReader, wt: WireType, parent: string, field: FieldDef): Uint8Array {
  if (wt !== WireType.LengthDelimited) {
    throw new ProtobufDecodeError(`field ${parent}.${field.name}: expected a length-delimited value, got wire type ${wt}`);
  }
  return r.bytes();
}

function wireTypeOf(type: string): WireType {
  switch (type) {
    case 'string':
    case 'bytes':
      return WireType.LengthDelimited;
    case 'fixed32': case 'sfixed32': case 'float':
      return WireType.Fixed32;
    case 'fixed64': case 'sfixed64': case 'double':
      return WireType.Fixed64;
    default:
      return file.messages[type] ? WireType.LengthDelimited : WireType.Varint;
  }
}

function isPackable(type: string): boolean {
  return wireTypeOf(type) !== WireType.LengthDelimited;
}

function zeroOf(type: string): unknown {
  switch (type) {
    case 'string': return '';
    case 'bytes': return '';
    case 'bool': return false;
    default: return file.messages[type] ? undefined : 0;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const utf8 = new TextDecoder('utf-8');

/** RFC 3339 in UTC, as metav1.Time (seconds) and metav1.MicroTime (6 fractional digits) marshal to JSON. */
export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufDecodeError(`time ${seconds}s is out of range`);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const base = iso.slice(0, 19);
  if (!micro) return `${base}Z`;
  const frac = String(Math.floor(Math.max(0, nanos) / 1000)).padStart(6, '0');
  return `${base}.${frac}Z`;
}

/** A duration in nanoseconds as Go's time.Duration.String() prints it ("1h2m3.5s", "150ms", "0s"). */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Below one second: the largest of ns, µs, ms that keeps the integer part non-zero.
    let unit: string;
    let scale: bigint;
    if (u < 1000n) { unit = 'ns'; scale = 1n; }
    else if (u < 1_000_000n) { unit = 'µs'; scale = 1000n; }
    else { unit = 'ms'; scale = 1_000_000n; }
    out = fixed(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fixed(u, 1_000_000_000n)}s`;
    if (h > 0n || m > 0n) out = `${m}m${out}`;
    if (h > 0n) out = `${h}h${out}`;
  }
  return neg ? `-${out}` : out;
}

/** v/scale with the fraction's trailing zeros dropped, as Go's fmtFrac does. */
function fixed(v: bigint, scale: bigint): string {
  const int = v / scale;
  let frac = (v % scale).toString().padStart(scale.toString().length - 1, '0').replace(/0+$/, '');
  if (scale === 1n) frac = '';
  return frac ? `${int}.${frac}` : `${int}`;
}
