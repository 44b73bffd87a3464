/**
 * The protobuf `/openapi/v2` (gnostic openapi.v2.Document): decoded back with a small reader and
 * compared with the JSON document it encodes; extension YAML parsed as YAML 1.1, as kubectl does.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { handleOpenAPI, openapiV2, openapiV2Document } from '../../src/apiserver/openapi/index.js';
import { encodeOpenAPIV2, openapiV2ProtobufDocument, toYaml } from '../../src/apiserver/openapi/v2-protobuf.js';
import { WireReader, WireType } from '../../src/machinery/protobuf/wire.js';

type Json = any;
type Value = Uint8Array | bigint;

/** One message's fields by number, each with its values in wire order. */
class Msg {
  readonly fields = new Map<number, Value[]>();

  constructor(buf: Uint8Array) {
    const r = new WireReader(buf);
    while (!r.done) {
      const t = r.tag();
      let v: Value;
      if (t.wireType === WireType.Varint) v = r.varintBig();
      else if (t.wireType === WireType.LengthDelimited) v = r.bytes();
      else if (t.wireType === WireType.Fixed64) v = r.fixed64();
      else throw new Error(`unexpected wire type ${t.wireType} for field ${t.number}`);
      const list = this.fields.get(t.number) ?? [];
      list.push(v);
      this.fields.set(t.number, list);
    }
  }

  private bytesList(n: number): Uint8Array[] {
    return (this.fields.get(n) ?? []).map((v) => {
      if (typeof v === 'bigint') throw new Error(`field ${n} is a varint`);
      return v;
    });
  }

  has(n: number): boolean {
    return this.fields.has(n);
  }
  str(n: number): string {
    const b = this.bytesList(n);
    return b.length ? Buffer.from(b[b.length - 1]!).toString('utf8') : '';
  }
  strs(n: number): string[] {
    return this.bytesList(n).map((b) => Buffer.from(b).toString('utf8'));
  }
  varint(n: number): bigint | undefined {
    const v = this.fields.get(n)?.at(-1);
    return typeof v === 'bigint' ? v : undefined;
  }
  msg(n: number): Msg | undefined {
    const b = this.bytesList(n);
    return b.length ? new Msg(b[b.length - 1]!) : undefined;
  }
  msgs(n: number): Msg[] {
    return this.bytesList(n).map((b) => new Msg(b));
  }
  /** Named* entries (name = 1, value = 2) of a repeated field, as a map. */
  named(n: number): Map<string, Msg> {
    return new Map(this.msgs(n).map((m) => [m.str(1), m.msg(2) ?? new Msg(new Uint8Array())]));
  }
}

/** Vendor extensions (NamedAny: name, Any{yaml = 2}) parsed the way kubectl's YAML 1.1 parser would. */
function extensions(m: Msg, field: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, any] of m.named(field)) out[name] = parseYaml(any.str(2), { version: '1.1' });
  return out;
}

// Field numbers, restated independently of the encoder.
const DOC = { swagger: 1, info: 2, paths: 8, definitions: 9, security: 12, securityDefinitions: 13 };
const SCHEMA = { ref: 1, description: 4, required: 19, additionalProperties: 21, type: 22, items: 23, properties: 25, ext: 31 };

const doc = new Msg(openapiV2ProtobufDocument().bytes);
const json = openapiV2() as Json;
const definitions = doc.msg(DOC.definitions)!.named(1);

describe('the protobuf /openapi/v2 document', () => {
  it('carries swagger, info and every definition of the JSON document, in order', () => {
    expect(doc.str(DOC.swagger)).toBe('2.0');
    const info = doc.msg(DOC.info)!;
    expect(info.str(1)).toBe(json.info.title);
    expect(info.str(2)).toBe(json.info.version);
    expect([...definitions.keys()]).toEqual(Object.keys(json.definitions));
  });

  it.each([
    ['io.k8s.api.apps.v1.Deployment', [{ group: 'apps', kind: 'Deployment', version: 'v1' }]],
    ['io.k8s.api.core.v1.Pod', [{ group: '', kind: 'Pod', version: 'v1' }]],
  ])('round-trips the group-version-kind extension of %s', (name, gvks) => {
    const def = definitions.get(name)!;
    expect(extensions(def, SCHEMA.ext)['x-kubernetes-group-version-kind']).toEqual(gvks);
    expect(extensions(def, SCHEMA.ext)['x-kubernetes-group-version-kind']).toEqual(json.definitions[name]['x-kubernetes-group-version-kind']);
  });

  it('keeps the strategic-merge and list facts of PodSpec.containers', () => {
    const containers = definitions.get('io.k8s.api.core.v1.PodSpec')!.msg(SCHEMA.properties)!.named(1).get('containers')!;
    expect(containers.msg(SCHEMA.type)!.strs(1)).toEqual(['array']);
    expect(containers.str(SCHEMA.description)).toBe(json.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers.description);
    const items = containers.msg(SCHEMA.items)!.msgs(1);
    expect(items.map((i) => i.str(SCHEMA.ref))).toEqual(['#/definitions/io.k8s.api.core.v1.Container']);
    expect(extensions(containers, SCHEMA.ext)).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
  });

  it('writes required fields and map values (additionalProperties as a schema)', () => {
    expect(definitions.get('io.k8s.api.core.v1.Container')!.strs(SCHEMA.required)).toEqual(json.definitions['io.k8s.api.core.v1.Container'].required);
    const labels = definitions.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.msg(SCHEMA.properties)!.named(1).get('labels')!;
    expect(labels.msg(SCHEMA.type)!.strs(1)).toEqual(['object']);
    expect(labels.has(SCHEMA.properties)).toBe(false);
    const value = labels.msg(SCHEMA.additionalProperties)!.msg(1)!;
    expect(value.msg(SCHEMA.type)!.strs(1)).toEqual(['string']);
  });

  it('describes operations well enough for kubectl to find query-parameter support', () => {
    const paths = doc.msg(DOC.paths)!.named(2);
    expect([...paths.keys()]).toEqual(Object.keys(json.paths));
    const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
    const patch = item.msg(8)!; // PathItem.patch
    expect(patch.str(5)).toBe(json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.operationId);
    expect(extensions(patch, 13)['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    // ParametersItem.parameter → Parameter.non_body_parameter → NonBodyParameter.query_parameter_sub_schema.
    const query = patch.msgs(8).map((p) => p.msg(1)?.msg(2)?.msg(3)).filter((q): q is Msg => q !== undefined);
    const byName = new Map(query.map((q) => [q.str(4), q]));
    expect(byName.has('fieldValidation')).toBe(true);
    expect(byName.has('dryRun')).toBe(true);
    expect(byName.get('fieldValidation')!.str(2)).toBe('query');
    expect(byName.get('fieldValidation')!.str(6)).toBe('string');
    // The body: ParametersItem.parameter → Parameter.body_parameter with a schema.
    const body = patch.msgs(8).map((p) => p.msg(1)?.msg(1)).find((b) => b !== undefined)!;
    expect(body.str(2)).toBe('body');
    expect(body.varint(4)).toBe(1n);
    // Responses → NamedResponseValue "200" → ResponseValue.response → Response.schema → SchemaItem.schema.
    const ok = patch.msg(9)!.named(1).get('200')!.msg(1)!;
    expect(ok.str(1)).toBe('OK');
    expect(ok.msg(2)!.msg(1)!.str(SCHEMA.ref)).toBe('#/definitions/io.k8s.api.apps.v1.Deployment');
    // Path-level parameters are path sub-schemas.
    const pathParams = item.msgs(9).map((p) => p.msg(1)?.msg(2)?.msg(4)).filter((q): q is Msg => q !== undefined);
    expect(pathParams.map((p) => p.str(4)).sort()).toEqual(['name', 'namespace']);
    expect(pathParams.every((p) => p.varint(1) === 1n)).toBe(true);
  });

  it('carries the security definition and requirement', () => {
    const sd = doc.msg(DOC.securityDefinitions)!.named(1).get('BearerToken')!.msg(2)!;
    expect([sd.str(1), sd.str(2), sd.str(3)]).toEqual(['apiKey', 'authorization', 'header']);
    expect([...doc.msg(DOC.security)!.named(1).keys()]).toEqual(['BearerToken']);
  });

  it('encodes once and answers the same bytes', () => {
    expect(openapiV2ProtobufDocument()).toBe(openapiV2ProtobufDocument());
  });
});

describe('encodeOpenAPIV2 on small documents', () => {
  const def = (schema: Json): Msg =>
    new Msg(encodeOpenAPIV2({ swagger: '2.0', definitions: { x: schema } })).msg(DOC.definitions)!.named(1).get('x')!;

  it('keeps additionalProperties: false present (a oneof member set to false)', () => {
    const ap = def({ type: 'object', additionalProperties: false }).msg(SCHEMA.additionalProperties)!;
    expect(ap.varint(2)).toBe(0n);
    expect(def({ type: 'object', additionalProperties: true }).msg(SCHEMA.additionalProperties)!.varint(2)).toBe(1n);
    expect(def({ type: 'object' }).has(SCHEMA.additionalProperties)).toBe(false);
  });

  it('keeps an empty properties object present, so kubectl reads a kind rather than a map', () => {
    expect(def({ type: 'object', properties: {} }).has(SCHEMA.properties)).toBe(true);
  });

  it('writes numbers: doubles as fixed64, lengths as varints, enums and defaults as YAML', () => {
    const s = def({ type: 'integer', format: 'int32', minimum: -1.5, maxLength: 300, enum: ['a', 1], default: 'on' });
    const min = s.fields.get(9)![0] as Uint8Array;
    expect(Buffer.from(min).readDoubleLE(0)).toBe(-1.5);
    expect(s.varint(11)).toBe(300n);
    expect(s.msgs(20).map((a) => parseYaml(a.str(2), { version: '1.1' }))).toEqual(['a', 1]);
    expect(parseYaml(s.msg(5)!.str(2), { version: '1.1' })).toBe('on');
  });
});

describe('toYaml', () => {
  it.each<[string, unknown]>([
    ['a YAML 1.1 boolean word', 'yes'],
    ['another', 'on'],
    ['a number-like string', '1'],
    ['an octal-like string', '0755'],
    ['null-like', '~'],
    ['empty', ''],
    ['with a colon', 'a: b'],
    ['quotes and escapes', 'say "hi"\\ \n\ttab'],
    ['unicode and separators', 'é ☃ \u2028 \u0085 \u007f'],
    ['a number', 42],
    ['a float', -0.5],
    ['booleans', [true, false]],
    ['null', null],
    ['a group-version-kind list', [{ group: '', kind: 'Pod', version: 'v1' }]],
    ['nested', { 'x-a': { b: ['c', { d: 'e: f' }] }, '': 'empty key' }],
  ])('%s parses back unchanged as YAML 1.1', (_, value) => {
    expect(parseYaml(toYaml(value), { version: '1.1' })).toEqual(value);
  });
});

describe('handleOpenAPI for /openapi/v2 in protobuf', () => {
  const get = (accept: string, extra: { method?: string; ifNoneMatch?: string } = {}) =>
    handleOpenAPI({ method: extra.method ?? 'GET', path: '/openapi/v2', accept, ifNoneMatch: extra.ifNoneMatch })!;
  const PB = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

  it.each([
    'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    PB,
    `application/json;q=0.5, ${PB}`,
  ])('answers %s with the protobuf bytes', (accept) => {
    const r = get(accept);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe(PB);
    expect(r.headers.ETag).toBe(openapiV2ProtobufDocument().etag);
    expect(r.bytes).toBe(openapiV2ProtobufDocument().bytes);
  });

  it.each(['application/json', '*/*', '', `application/json, ${PB}`, `${PB};q=0.5, application/json`])(
    'answers %j with JSON',
    (accept) => {
      const r = get(accept);
      expect(r.status).toBe(200);
      expect(r.headers['Content-Type']).toBe('application/json');
      expect(r.bytes).toBeUndefined();
      expect(r.body).toBe(openapiV2Document().body);
    },
  );

  it('honours If-None-Match and HEAD, and refuses what it cannot produce', () => {
    const etag = openapiV2ProtobufDocument().etag;
    expect(etag).not.toBe(openapiV2Document().etag);
    const notModified = get(PB, { ifNoneMatch: etag });
    expect(notModified.status).toBe(304);
    expect(notModified.bytes).toBeUndefined();
    const head = get(PB, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.bytes).toBeUndefined();
    expect(get('application/xml').status).toBe(406);
    expect(get(`${PB};q=0`).status).toBe(406);
  });
});
