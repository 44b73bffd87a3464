/**
 * Derives the protobuf message table used by src/machinery/protobuf from the upstream
 * generated.proto files in ../shared/reference/k8s-proto (k8s.io/api/** and
 * k8s.io/apimachinery/**). A small parser of our own reads the proto2 subset those files use
 * (package, import, option, message, optional/repeated fields, map<K,V> fields) and keeps only
 * facts: per message its fields (JSON name, number, type, repeated, map key/value) and the
 * `+protobuf.nullable=true` marker (a Go slice type wrapped in a message). Comments and prose
 * are dropped.
 *
 * The package -> (group, version) table is derived from the upstream OpenAPI v2 document
 * (../shared/reference/openapi): every kind defined in a package carries its group-version-kind.
 * Field names are cross-checked against the OpenAPI properties (k8s proto field names are the
 * JSON names); mismatches are printed.
 *
 * Output: src/machinery/protobuf/generated/messages.json
 * Run: npx tsx scripts/gen-proto.ts
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(root, '..', 'shared', 'reference', 'k8s-proto');
const openapiFile = join(root, '..', 'shared', 'reference', 'openapi', 'swagger-v1.32.json');
const target = join(root, 'src', 'machinery', 'protobuf', 'generated', 'messages.json');

const SCALARS = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

interface RawField {
  name: string;
  number: number;
  type: string;
  repeated: boolean;
  map?: { key: string; value: string };
}
interface RawMessage {
  pkg: string;
  name: string;
  markers: string[];
  fields: RawField[];
}

// ---- tokenizer ---------------------------------------------------------------------------

interface Token {
  kind: 'word' | 'string' | 'punct' | 'marker';
  text: string;
  line: number;
}

/** Splits a proto file into tokens. `// +marker` comment lines become marker tokens. */
function tokenize(src: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      const text = src.slice(i + 2, end < 0 ? src.length : end).trim();
      if (text.startsWith('+')) out.push({ kind: 'marker', text, line });
      i = end < 0 ? src.length : end;
      continue;
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`${file}:${line}: unterminated block comment`);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new Error(`${file}:${line}: unterminated string`);
      out.push({ kind: 'string', text: src.slice(i + 1, end), line });
      i = end + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_.]+/.exec(src.slice(i, i + 256));
    if (word) {
      out.push({ kind: 'word', text: word[0], line });
      i += word[0].length;
      continue;
    }
    if ('{}<>,;=()[]'.includes(c)) {
      out.push({ kind: 'punct', text: c, line });
      i++;
      continue;
    }
    throw new Error(`${file}:${line}: unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

// ---- parser ------------------------------------------------------------------------------

function parseFile(src: string, file: string): RawMessage[] {
  const toks = tokenize(src, file);
  let p = 0;
  let pkg = '';
  let markers: string[] = [];
  const messages: RawMessage[] = [];

  const peek = (): Token | undefined => toks[p];
  const next = (): Token => {
    const t = toks[p++];
    if (!t) throw new Error(`${file}: unexpected end of file`);
    return t;
  };
  const expect = (text: string): void => {
    const t = next();
    if (t.text !== text) throw new Error(`${file}:${t.line}: expected ${text}, got ${t.text}`);
  };
  const skipStatement = (): void => {
    while (next().text !== ';');
  };

  while (p < toks.length) {
    const t = next();
    if (t.kind === 'marker') { markers.push(t.text); continue; }
    switch (t.text) {
      case 'syntax':
        expect('=');
        if (next().text !== 'proto2') throw new Error(`${file}: only proto2 files are supported`);
        expect(';');
        break;
      case 'package':
        pkg = next().text;
        expect(';');
        break;
      case 'import':
      case 'option':
        skipStatement();
        break;
      case 'message': {
        const name = next().text;
        expect('{');
        const msg: RawMessage = { pkg, name, markers, fields: [] };
        markers = [];
        for (;;) {
          const f = next();
          if (f.kind === 'marker') continue;
          if (f.text === '}') break;
          if (f.text === 'message' || f.text === 'enum' || f.text === 'oneof') {
            throw new Error(`${file}:${f.line}: nested ${f.text} is not supported`);
          }
          let repeated = false;
          let type: string;
          let map: RawField['map'];
          if (f.text === 'optional' || f.text === 'required') type = next().text;
          else if (f.text === 'repeated') { repeated = true; type = next().text; }
          else if (f.text === 'map') {
            expect('<');
            const key = next().text;
            expect(',');
            const value = next().text;
            expect('>');
            map = { key, value };
            type = 'map';
          } else throw new Error(`${file}:${f.line}: unexpected ${f.text} in message ${name}`);
          const fieldName = next().text;
          expect('=');
          const number = Number(next().text);
          if (!Number.isInteger(number) || number <= 0) throw new Error(`${file}:${f.line}: bad field number`);
          if (peek()?.text === '[') while (next().text !== ']');
          expect(';');
          msg.fields.push({ name: fieldName, number, type, repeated, ...(map ? { map } : {}) });
        }
        messages.push(msg);
        break;
      }
      default:
        throw new Error(`${file}:${t.line}: unexpected top-level token ${t.text}`);
    }
  }
  return messages;
}

// ---- resolution --------------------------------------------------------------------------

function protoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...protoFiles(full));
    else if (entry === 'generated.proto') out.push(full);
  }
  return out;
}

const all: RawMessage[] = [];
for (const file of protoFiles(join(protoRoot, 'k8s.io'))) {
  all.push(...parseFile(readFileSync(file, 'utf8'), relative(protoRoot, file)));
}
const known = new Set(all.map((m) => `${m.pkg}.${m.name}`));

/** Resolves a type reference the way protoc does: absolute (.a.b.C) or from the innermost scope out. */
function resolveType(ref: string, pkg: string): string {
  if (SCALARS.has(ref)) return ref;
  if (ref.startsWith('.')) {
    if (!known.has(ref.slice(1))) throw new Error(`unknown type ${ref}`);
    return ref.slice(1);
  }
  const parts = pkg.split('.');
  for (let n = parts.length; n >= 0; n--) {
    const candidate = [...parts.slice(0, n), ref].join('.');
    if (known.has(candidate)) return candidate;
  }
  throw new Error(`unknown type ${ref} in package ${pkg}`);
}

interface OutField {
  name: string;
  type: string;
  repeated?: true;
  map?: { key: string; value: string };
  /** An embedded Go struct (`json:",inline"`): its fields belong to the parent object. */
  inline?: true;
  /** A zero scalar on the wire is meaningful and stays in the JSON (see keepZero below). */
  keepZero?: true;
}
interface OutMessage {
  fields: Record<string, OutField>;
  nullable?: true;
}

const messages: Record<string, OutMessage> = {};
for (const m of all.sort((a, b) => `${a.pkg}.${a.name}`.localeCompare(`${b.pkg}.${b.name}`))) {
  const fields: Record<string, OutField> = {};
  for (const f of m.fields) {
    if (String(f.number) in fields) throw new Error(`${m.pkg}.${m.name}: duplicate field number ${f.number}`);
    const out: OutField = f.map
      ? { name: f.name, type: 'map', map: { key: resolveType(f.map.key, m.pkg), value: resolveType(f.map.value, m.pkg) } }
      : { name: f.name, type: resolveType(f.type, m.pkg) };
    if (f.repeated) out.repeated = true;
    fields[String(f.number)] = out;
  }
  const msg: OutMessage = { fields };
  if (m.markers.includes('+protobuf.nullable=true')) msg.nullable = true;
  messages[`${m.pkg}.${m.name}`] = msg;
}

// ---- packages -> group/version, from the OpenAPI group-version-kinds ------------------

interface SchemaNode {
  properties?: Record<string, { type?: string; description?: string }>;
  required?: string[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
const schema = JSON.parse(readFileSync(openapiFile, 'utf8')) as { definitions: Record<string, SchemaNode> };

/** k8s.io.api.apps.v1.Deployment <-> io.k8s.api.apps.v1.Deployment */
const definitionName = (message: string): string => `io.k8s.${message.slice('k8s.io.'.length)}`;

const packages: Record<string, { group: string; version: string }> = {};
const conflicts: string[] = [];
for (const pkg of [...new Set(all.map((m) => m.pkg))].sort()) {
  if (!pkg.startsWith('k8s.io.api.')) continue;
  const seen = new Set<string>();
  for (const m of all.filter((x) => x.pkg === pkg)) {
    for (const gvk of schema.definitions[definitionName(`${pkg}.${m.name}`)]?.['x-kubernetes-group-version-kind'] ?? []) {
      seen.add(`${gvk.group}/${gvk.version}`);
    }
  }
  if (seen.size !== 1) { conflicts.push(`${pkg}: ${[...seen].join(', ') || 'no kinds'}`); continue; }
  const [group, version] = [...seen][0]!.split('/') as [string, string];
  if (!pkg.endsWith(`.${version}`)) throw new Error(`${pkg}: version ${version} does not match the package`);
  packages[pkg] = { group, version };
}
if (conflicts.length) throw new Error(`packages without one group-version:\n  ${conflicts.join('\n  ')}`);

// ---- JSON names: cross-check field names against the OpenAPI properties -------------------
// k8s proto field names are the JSON names, with two exceptions the OpenAPI facts reveal:
//  - Go structs embedded with `json:",inline"` appear as one message-typed field whose own
//    fields are properties of the parent: marked `inline`, their fields are merged into the parent.
//  - a few fields whose proto name differs from the JSON name only in case (Webhooks, uID):
//    renamed to the OpenAPI property name.

/** The JSON property names a message contributes, with inlined fields flattened. */
function jsonNames(name: string): string[] {
  const msg = messages[name];
  if (!msg) return [];
  return Object.values(msg.fields).flatMap((f) => (f.inline ? jsonNames(f.type) : [f.name]));
}

const unresolved: string[] = [];
const adjusted: string[] = [];
for (const [name, msg] of Object.entries(messages)) {
  const def = schema.definitions[definitionName(name)];
  if (!def?.properties) continue;
  const props = Object.keys(def.properties);
  for (const f of Object.values(msg.fields)) {
    if (props.includes(f.name)) continue;
    const sameButCase = props.filter((p) => p.toLowerCase() === f.name.toLowerCase());
    if (sameButCase.length === 1) {
      adjusted.push(`${name}.${f.name} -> ${sameButCase[0]}`);
      f.name = sameButCase[0]!;
    } else if (!f.repeated && !f.map && messages[f.type]) {
      f.inline = true;
    } else unresolved.push(`${name}.${f.name}`);
  }
}
// Verify inlined fields: after flattening, every JSON name must be a property of the parent.
for (const [name, msg] of Object.entries(messages)) {
  const def = schema.definitions[definitionName(name)];
  if (!def?.properties || !Object.values(msg.fields).some((f) => f.inline)) continue;
  for (const n of jsonNames(name)) {
    if (!(n in def.properties)) unresolved.push(`${name}: inlined ${n}`);
  }
  adjusted.push(`${name}: inlines ${Object.values(msg.fields).filter((f) => f.inline).map((f) => f.type).join(', ')}`);
}
console.log(`adjusted against OpenAPI (${adjusted.length}):\n  ${adjusted.join('\n  ')}`);
if (unresolved.length) throw new Error(`fields with no OpenAPI property:\n  ${unresolved.join('\n  ')}`);

// ---- zero values ---------------------------------------------------------------------------
// Go's protobuf marshalling writes every non-pointer scalar, zero or not, while its JSON encoding
// leaves zero values out (omitempty). Pointer fields are written only when set, so a zero there is
// meaningful. The proto files do not say which is which; the OpenAPI facts approximate it:
//  - required fields have no omitempty: keep zeros;
//  - integers documented with a default (e.g. replicas "Defaults to 1", runAsUser) are pointers
//    whose zero differs from unset: keep zeros, unless the documented default is 0;
//  - booleans: keep false unless the documented default is false (then false == unset);
//  - strings: drop "" (an empty string is the same as unset for almost every field).

const ZERO_DEFAULT = /defaults?( value)?( is| to|:)? *`?(false|0)\b/i;
let keptZero = 0;
for (const [name, msg] of Object.entries(messages)) {
  const def = schema.definitions[definitionName(name)];
  if (!def?.properties) continue;
  for (const f of Object.values(msg.fields)) {
    const prop = def.properties[f.name];
    if (!prop || f.repeated || f.map || f.inline || messages[f.type]) continue;
    const desc = prop.description ?? '';
    let keep = (def.required ?? []).includes(f.name);
    if (f.type === 'bool') keep ||= !ZERO_DEFAULT.test(desc);
    else if (f.type !== 'string' && f.type !== 'bytes') keep ||= /default/i.test(desc) && !ZERO_DEFAULT.test(desc);
    if (keep) { f.keepZero = true; keptZero++; }
  }
}
console.log(`${keptZero} scalar fields keep zero values`);

mkdirSync(dirname(target), { recursive: true });
writeFileSync(
  target,
  JSON.stringify({ source: 'kubernetes v1.32 generated.proto (facts only)', packages, messages }) + '\n',
);
console.log(`wrote ${Object.keys(messages).length} messages, ${Object.keys(packages).length} packages to ${relative(root, target)}`);
