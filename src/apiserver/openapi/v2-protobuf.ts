/**
 * The Swagger 2.0 document in protobuf, the only form kubectl up to 1.28 asks `/openapi/v2` for
 * (explain, apply's strategic-merge metadata, query-parameter support checks). The message is
 * gnostic's `openapi.v2.Document`; the field numbers below are facts about that schema, written
 * down by hand. Extension values and defaults travel as YAML text (`Any.yaml`), which kubectl
 * parses with a YAML 1.1 parser: the YAML written here is flow style with every string
 * double-quoted, so no scalar changes type on the way ("yes", "1", "null" stay strings).
 *
 * Encodes the same object `/openapi/v2` serves as JSON (v2.ts), lazily once.
 */
import { createHash } from 'node:crypto';
import { openapiV2 } from './documents.js';

type Json = Record<string, unknown>;

/** Field numbers of the gnostic openapi.v2 messages that k8ts writes. */
const F = {
  Document: {
    swagger: 1, info: 2, host: 3, basePath: 4, schemes: 5, consumes: 6, produces: 7, paths: 8, definitions: 9,
    security: 12, securityDefinitions: 13, tags: 14, externalDocs: 15, vendorExtension: 16,
  },
  Info: { title: 1, version: 2, description: 3, termsOfService: 4, contact: 5, license: 6, vendorExtension: 7 },
  Contact: { name: 1, url: 2, email: 3 },
  License: { name: 1, url: 2 },
  ExternalDocs: { description: 1, url: 2 },
  Tag: { name: 1, description: 2, externalDocs: 3 },
  /** Definitions, Properties (of NamedSchema), SecurityDefinitions, SecurityRequirement. */
  MapMessage: { additionalProperties: 1 },
  /** NamedAny, NamedSchema, NamedPathItem, NamedResponseValue, NamedStringArray, … */
  Named: { name: 1, value: 2 },
  Any: { value: 1, yaml: 2 },
  StringArray: { value: 1 },
  TypeItem: { value: 1 },
  ItemsItem: { schema: 1 },
  AdditionalPropertiesItem: { schema: 1, boolean: 2 },
  Schema: {
    $ref: 1, format: 2, title: 3, description: 4, default: 5, multipleOf: 6, maximum: 7, exclusiveMaximum: 8,
    minimum: 9, exclusiveMinimum: 10, maxLength: 11, minLength: 12, pattern: 13, maxItems: 14, minItems: 15,
    uniqueItems: 16, maxProperties: 17, minProperties: 18, required: 19, enum: 20, additionalProperties: 21,
    type: 22, items: 23, allOf: 24, properties: 25, discriminator: 26, readOnly: 27, example: 30, vendorExtension: 31,
  },
  Paths: { vendorExtension: 1, path: 2 },
  PathItem: {
    $ref: 1, get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8, parameters: 9, vendorExtension: 10,
  },
  Operation: {
    tags: 1, summary: 2, description: 3, externalDocs: 4, operationId: 5, produces: 6, consumes: 7, parameters: 8,
    responses: 9, schemes: 10, deprecated: 11, security: 12, vendorExtension: 13,
  },
  ParametersItem: { parameter: 1, jsonReference: 2 },
  JsonReference: { $ref: 1, description: 2 },
  Parameter: { bodyParameter: 1, nonBodyParameter: 2 },
  BodyParameter: { description: 1, name: 2, in: 3, required: 4, schema: 5, vendorExtension: 6 },
  NonBodyParameter: { header: 1, formData: 2, query: 3, path: 4 },
  /** Header and path parameter sub-schemas; query and formData ones insert allowEmptyValue and shift the rest by one. */
  SimpleParameter: {
    required: 1, in: 2, description: 3, name: 4, type: 5, format: 6, items: 7, collectionFormat: 8, default: 9,
    maximum: 10, exclusiveMaximum: 11, minimum: 12, exclusiveMinimum: 13, maxLength: 14, minLength: 15, pattern: 16,
    maxItems: 17, minItems: 18, uniqueItems: 19, enum: 20, multipleOf: 21, vendorExtension: 22,
  },
  QueryParameter: { allowEmptyValue: 5 },
  PrimitivesItems: {
    type: 1, format: 2, items: 3, collectionFormat: 4, default: 5, maximum: 6, exclusiveMaximum: 7, minimum: 8,
    exclusiveMinimum: 9, maxLength: 10, minLength: 11, pattern: 12, maxItems: 13, minItems: 14, uniqueItems: 15,
    enum: 16, multipleOf: 17, vendorExtension: 18,
  },
  Responses: { responseCode: 1, vendorExtension: 2 },
  ResponseValue: { response: 1, jsonReference: 2 },
  Response: { description: 1, schema: 2, vendorExtension: 5 },
  SchemaItem: { schema: 1 },
  SecurityDefinitionsItem: { basic: 1, apiKey: 2 },
  ApiKeySecurity: { type: 1, name: 2, in: 3, description: 4, vendorExtension: 5 },
  BasicAuthenticationSecurity: { type: 1, description: 2, vendorExtension: 3 },
} as const;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

/** Builds one message: fields appended in call order, sub-messages passed as finished bytes. */
class MessageWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];

  private flush(): void {
    if (this.pending.length) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.pending = [];
    }
  }

  private varint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) {
      let n = value;
      while (n >= 0x80) {
        this.pending.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.pending.push(n);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private raw(bytes: Uint8Array): void {
    this.flush();
    this.chunks.push(bytes);
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_BYTES);
    this.varint(value.length);
    if (value.length) this.raw(value);
    return this;
  }

  /** A singular string; empty is the proto3 default and is left out. */
  string(field: number, value: unknown): this {
    if (typeof value === 'string' && value !== '') this.bytes(field, Buffer.from(value, 'utf8'));
    return this;
  }

  /** A repeated string; a lone string counts as a list of one. */
  strings(field: number, values: unknown): this {
    const list = typeof values === 'string' ? [values] : Array.isArray(values) ? values : [];
    for (const v of list) if (typeof v === 'string') this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  bool(field: number, value: unknown): this {
    if (value === true) {
      this.key(field, WIRE_VARINT);
      this.varint(1);
    }
    return this;
  }

  int64(field: number, value: unknown): this {
    if (typeof value === 'number' && Number.isInteger(value) && value !== 0) {
      this.key(field, WIRE_VARINT);
      this.varint(BigInt(value));
    }
    return this;
  }

  double(field: number, value: unknown): this {
    if (typeof value === 'number' && value !== 0) {
      this.key(field, WIRE_FIXED64);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value);
      this.raw(b);
    }
    return this;
  }

  /** A sub-message; present (possibly empty) whenever the bytes are given. */
  message(field: number, value: Uint8Array | undefined): this {
    if (value) this.bytes(field, value);
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A YAML 1.1 rendering that parses back to the same value: flow style, strings double-quoted. */
export function toYaml(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    // JSON escapes are valid YAML double-quoted escapes; also escape what YAML counts as breaks or non-printable.
    return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toYaml).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${toYaml(k)}: ${toYaml(v)}`).join(', ')}}`;
  return 'null';
}

function anyValue(value: unknown): Uint8Array {
  return new MessageWriter().string(F.Any.yaml, `${toYaml(value)}\n`).finish();
}

function named(name: string, value: Uint8Array): Uint8Array {
  return new MessageWriter().string(F.Named.name, name).message(F.Named.value, value).finish();
}

/** The object's `x-…` keys as NamedAny entries, in document order. */
function vendorExtensions(w: MessageWriter, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('x-') && v !== undefined) w.message(field, named(k, anyValue(v)));
  }
}

function anyList(w: MessageWriter, field: number, values: unknown): void {
  if (Array.isArray(values)) for (const v of values) w.message(field, anyValue(v));
}

function schema(s: Json): Uint8Array {
  const S = F.Schema;
  const w = new MessageWriter()
    .string(S.$ref, s.$ref).string(S.format, s.format).string(S.title, s.title).string(S.description, s.description);
  if (s.default !== undefined) w.message(S.default, anyValue(s.default));
  w.double(S.multipleOf, s.multipleOf).double(S.maximum, s.maximum).bool(S.exclusiveMaximum, s.exclusiveMaximum)
    .double(S.minimum, s.minimum).bool(S.exclusiveMinimum, s.exclusiveMinimum)
    .int64(S.maxLength, s.maxLength).int64(S.minLength, s.minLength).string(S.pattern, s.pattern)
    .int64(S.maxItems, s.maxItems).int64(S.minItems, s.minItems).bool(S.uniqueItems, s.uniqueItems)
    .int64(S.maxProperties, s.maxProperties).int64(S.minProperties, s.minProperties)
    .strings(S.required, s.required);
  anyList(w, S.enum, s.enum);
  const ap = s.additionalProperties;
  if (isObject(ap)) w.message(S.additionalProperties, new MessageWriter().message(F.AdditionalPropertiesItem.schema, schema(ap)).finish());
  else if (typeof ap === 'boolean') {
    // A oneof member is present even when false, so the varint is written out by hand.
    w.message(S.additionalProperties, Uint8Array.of(F.AdditionalPropertiesItem.boolean * 8 + WIRE_VARINT, ap ? 1 : 0));
  }
  if (s.type !== undefined) w.message(S.type, new MessageWriter().strings(F.TypeItem.value, s.type).finish());
  if (s.items !== undefined) {
    const items = new MessageWriter();
    for (const it of Array.isArray(s.items) ? s.items : [s.items]) if (isObject(it)) items.message(F.ItemsItem.schema, schema(it));
    w.message(S.items, items.finish());
  }
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) w.message(S.allOf, schema(a));
  if (isObject(s.properties)) {
    const props = new MessageWriter();
    for (const [name, p] of Object.entries(s.properties)) if (isObject(p)) props.message(F.MapMessage.additionalProperties, named(name, schema(p)));
    w.message(S.properties, props.finish());
  }
  w.string(S.discriminator, s.discriminator).bool(S.readOnly, s.readOnly);
  if (s.example !== undefined) w.message(S.example, anyValue(s.example));
  vendorExtensions(w, S.vendorExtension, s);
  return w.finish();
}

function primitivesItems(p: Json): Uint8Array {
  const P = F.PrimitivesItems;
  const w = new MessageWriter().string(P.type, p.type).string(P.format, p.format);
  if (isObject(p.items)) w.message(P.items, primitivesItems(p.items));
  w.string(P.collectionFormat, p.collectionFormat);
  if (p.default !== undefined) w.message(P.default, anyValue(p.default));
  w.double(P.maximum, p.maximum).bool(P.exclusiveMaximum, p.exclusiveMaximum).double(P.minimum, p.minimum)
    .bool(P.exclusiveMinimum, p.exclusiveMinimum).int64(P.maxLength, p.maxLength).int64(P.minLength, p.minLength)
    .string(P.pattern, p.pattern).int64(P.maxItems, p.maxItems).int64(P.minItems, p.minItems).bool(P.uniqueItems, p.uniqueItems);
  anyList(w, P.enum, p.enum);
  w.double(P.multipleOf, p.multipleOf);
  vendorExtensions(w, P.vendorExtension, p);
  return w.finish();
}

/** A non-body parameter sub-schema; query and formData ones carry allowEmptyValue. */
function simpleParameter(p: Json, allowEmptyValue: boolean): Uint8Array {
  const base = F.SimpleParameter;
  const n = (field: number): number => (allowEmptyValue && field >= base.type ? field + 1 : field);
  const w = new MessageWriter().bool(base.required, p.required).string(base.in, p.in)
    .string(base.description, p.description).string(base.name, p.name);
  if (allowEmptyValue) w.bool(F.QueryParameter.allowEmptyValue, p.allowEmptyValue);
  w.string(n(base.type), p.type).string(n(base.format), p.format);
  if (isObject(p.items)) w.message(n(base.items), primitivesItems(p.items));
  w.string(n(base.collectionFormat), p.collectionFormat);
  if (p.default !== undefined) w.message(n(base.default), anyValue(p.default));
  w.double(n(base.maximum), p.maximum).bool(n(base.exclusiveMaximum), p.exclusiveMaximum)
    .double(n(base.minimum), p.minimum).bool(n(base.exclusiveMinimum), p.exclusiveMinimum)
    .int64(n(base.maxLength), p.maxLength).int64(n(base.minLength), p.minLength).string(n(base.pattern), p.pattern)
    .int64(n(base.maxItems), p.maxItems).int64(n(base.minItems), p.minItems).bool(n(base.uniqueItems), p.uniqueItems);
  anyList(w, n(base.enum), p.enum);
  w.double(n(base.multipleOf), p.multipleOf);
  vendorExtensions(w, n(base.vendorExtension), p);
  return w.finish();
}

function jsonReference(r: Json): Uint8Array {
  return new MessageWriter().string(F.JsonReference.$ref, r.$ref).string(F.JsonReference.description, r.description).finish();
}

function parametersItem(p: Json): Uint8Array {
  if (typeof p.$ref === 'string') return new MessageWriter().message(F.ParametersItem.jsonReference, jsonReference(p)).finish();
  let parameter: Uint8Array;
  if (p.in === 'body') {
    const B = F.BodyParameter;
    const w = new MessageWriter().string(B.description, p.description).string(B.name, p.name).string(B.in, p.in).bool(B.required, p.required);
    if (isObject(p.schema)) w.message(B.schema, schema(p.schema));
    vendorExtensions(w, B.vendorExtension, p);
    parameter = new MessageWriter().message(F.Parameter.bodyParameter, w.finish()).finish();
  } else {
    const N = F.NonBodyParameter;
    const field = p.in === 'query' ? N.query : p.in === 'path' ? N.path : p.in === 'header' ? N.header : N.formData;
    const sub = simpleParameter(p, field === N.query || field === N.formData);
    parameter = new MessageWriter().message(F.Parameter.nonBodyParameter, new MessageWriter().message(field, sub).finish()).finish();
  }
  return new MessageWriter().message(F.ParametersItem.parameter, parameter).finish();
}

function securityRequirements(w: MessageWriter, field: number, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const req of list) {
    if (!isObject(req)) continue;
    const m = new MessageWriter();
    for (const [name, scopes] of Object.entries(req)) {
      m.message(F.MapMessage.additionalProperties, named(name, new MessageWriter().strings(F.StringArray.value, scopes).finish()));
    }
    w.message(field, m.finish());
  }
}

function responses(r: Json): Uint8Array {
  const w = new MessageWriter();
  for (const [code, value] of Object.entries(r)) {
    if (code.startsWith('x-') || !isObject(value)) continue;
    let rv: Uint8Array;
    if (typeof value.$ref === 'string') {
      rv = new MessageWriter().message(F.ResponseValue.jsonReference, jsonReference(value)).finish();
    } else {
      const R = F.Response;
      const resp = new MessageWriter().string(R.description, value.description);
      if (isObject(value.schema)) resp.message(R.schema, new MessageWriter().message(F.SchemaItem.schema, schema(value.schema)).finish());
      vendorExtensions(resp, R.vendorExtension, value);
      rv = new MessageWriter().message(F.ResponseValue.response, resp.finish()).finish();
    }
    w.message(F.Responses.responseCode, named(code, rv));
  }
  vendorExtensions(w, F.Responses.vendorExtension, r);
  return w.finish();
}

function externalDocs(d: unknown): Uint8Array | undefined {
  if (!isObject(d)) return undefined;
  return new MessageWriter().string(F.ExternalDocs.description, d.description).string(F.ExternalDocs.url, d.url).finish();
}

function operation(o: Json): Uint8Array {
  const O = F.Operation;
  const w = new MessageWriter().strings(O.tags, o.tags).string(O.summary, o.summary).string(O.description, o.description)
    .message(O.externalDocs, externalDocs(o.externalDocs)).string(O.operationId, o.operationId)
    .strings(O.produces, o.produces).strings(O.consumes, o.consumes);
  if (Array.isArray(o.parameters)) for (const p of o.parameters) if (isObject(p)) w.message(O.parameters, parametersItem(p));
  if (isObject(o.responses)) w.message(O.responses, responses(o.responses));
  w.strings(O.schemes, o.schemes).bool(O.deprecated, o.deprecated);
  securityRequirements(w, O.security, o.security);
  vendorExtensions(w, O.vendorExtension, o);
  return w.finish();
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(item: Json): Uint8Array {
  const P = F.PathItem;
  const w = new MessageWriter().string(P.$ref, item.$ref);
  for (const m of METHODS) if (isObject(item[m])) w.message(P[m], operation(item[m]));
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) w.message(P.parameters, parametersItem(p));
  vendorExtensions(w, P.vendorExtension, item);
  return w.finish();
}

function securityDefinitions(defs: Json): Uint8Array {
  const w = new MessageWriter();
  for (const [name, d] of Object.entries(defs)) {
    if (!isObject(d)) continue;
    let item: Uint8Array | undefined;
    if (d.type === 'apiKey') {
      const A = F.ApiKeySecurity;
      const m = new MessageWriter().string(A.type, d.type).string(A.name, d.name).string(A.in, d.in).string(A.description, d.description);
      vendorExtensions(m, A.vendorExtension, d);
      item = new MessageWriter().message(F.SecurityDefinitionsItem.apiKey, m.finish()).finish();
    } else if (d.type === 'basic') {
      const B = F.BasicAuthenticationSecurity;
      const m = new MessageWriter().string(B.type, d.type).string(B.description, d.description);
      vendorExtensions(m, B.vendorExtension, d);
      item = new MessageWriter().message(F.SecurityDefinitionsItem.basic, m.finish()).finish();
    }
    if (item) w.message(F.MapMessage.additionalProperties, named(name, item));
  }
  return w.finish();
}

function info(i: Json): Uint8Array {
  const I = F.Info;
  const w = new MessageWriter().string(I.title, i.title).string(I.version, i.version).string(I.description, i.description)
    .string(I.termsOfService, i.termsOfService);
  if (isObject(i.contact)) {
    const c = i.contact;
    w.message(I.contact, new MessageWriter().string(F.Contact.name, c.name).string(F.Contact.url, c.url).string(F.Contact.email, c.email).finish());
  }
  if (isObject(i.license)) w.message(I.license, new MessageWriter().string(F.License.name, i.license.name).string(F.License.url, i.license.url).finish());
  vendorExtensions(w, I.vendorExtension, i);
  return w.finish();
}

/** Encodes a Swagger 2.0 document object as an `openapi.v2.Document` message. */
export function encodeOpenAPIV2(doc: Json): Uint8Array {
  const D = F.Document;
  const w = new MessageWriter().string(D.swagger, doc.swagger);
  if (isObject(doc.info)) w.message(D.info, info(doc.info));
  w.string(D.host, doc.host).string(D.basePath, doc.basePath)
    .strings(D.schemes, doc.schemes).strings(D.consumes, doc.consumes).strings(D.produces, doc.produces);
  if (isObject(doc.paths)) {
    const paths = new MessageWriter();
    vendorExtensions(paths, F.Paths.vendorExtension, doc.paths);
    for (const [p, item] of Object.entries(doc.paths)) {
      if (!p.startsWith('x-') && isObject(item)) paths.message(F.Paths.path, named(p, pathItem(item)));
    }
    w.message(D.paths, paths.finish());
  }
  if (isObject(doc.definitions)) {
    const defs = new MessageWriter();
    for (const [name, s] of Object.entries(doc.definitions)) if (isObject(s)) defs.message(F.MapMessage.additionalProperties, named(name, schema(s)));
    w.message(D.definitions, defs.finish());
  }
  securityRequirements(w, D.security, doc.security);
  if (isObject(doc.securityDefinitions)) w.message(D.securityDefinitions, securityDefinitions(doc.securityDefinitions));
  if (Array.isArray(doc.tags)) {
    for (const t of doc.tags) {
      if (!isObject(t)) continue;
      const tag = new MessageWriter().string(F.Tag.name, t.name).string(F.Tag.description, t.description).message(F.Tag.externalDocs, externalDocs(t.externalDocs));
      w.message(D.tags, tag.finish());
    }
  }
  w.message(D.externalDocs, externalDocs(doc.externalDocs));
  vendorExtensions(w, D.vendorExtension, doc);
  return w.finish();
}

/**
 * The protobuf media type as answered in Content-Type (Go's mime parser, which client-go runs on
 * every response, rejects the '@' spelling), and the deprecated spelling kubectl sends in Accept.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
export const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export interface ServedBinaryDocument {
  bytes: Uint8Array;
  /** Quoted strong ETag (SHA-512 of the bytes), distinct from the JSON form's. */
  etag: string;
}

let cache: ServedBinaryDocument | undefined;

/** The protobuf form of `/openapi/v2`, encoded on first use and kept. */
export function openapiV2ProtobufDocument(): ServedBinaryDocument {
  if (!cache) {
    const bytes = encodeOpenAPIV2(openapiV2() as Json);
    cache = { bytes, etag: `"${createHash('sha512').update(bytes).digest('hex').toUpperCase()}"` };
  }
  return cache;
}
