/**
 * OpenAPI 3.0 documents: one per served group version (plus "api", "apis" and "apis/<group>"),
 * each with its paths and every schema those paths reach, as `kubectl explain`, client-side
 * apply (strategic merge patch from x-kubernetes-patch-* facts) and server-side validation
 * detection (a `fieldValidation` parameter on PATCH) expect.
 */
import { PARAMETER_DESCRIPTIONS } from './descriptions.js';
import { groupVersionPath, servedGroupVersions } from './kinds.js';
import { discoveryPaths, groupVersionPaths, servedNamedGroups, type OperationModel, type ParamModel, type PathModel } from './operations.js';
import { finishOperation, PATCH_CONTENT_TYPES, renderPaths, SERVER_VERSION, STATUS_TEXT } from './render.js';
import { convertDefinition, reachable } from './schemas.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function parameter(p: ParamModel): Json {
  const out: Json = { name: p.name, in: p.in };
  const d = PARAMETER_DESCRIPTIONS[p.name];
  if (d) out.description = d;
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function operation(o: OperationModel): Json {
  const out: Json = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = o.params.map(parameter);
  if (o.body) {
    const content: Json = {};
    for (const type of o.body.patch ? PATCH_CONTENT_TYPES : ['*/*']) content[type] = { schema: ref(o.body.definition) };
    out.requestBody = o.method === 'delete' ? { content } : { content, required: true };
  }
  const responses: Json = {};
  for (const [code, r] of Object.entries(o.responses)) {
    const content: Json = {};
    if (o.text) content['*/*'] = { schema: { type: 'string' } };
    else {
      content['application/json'] = { schema: ref(r.schema) };
      content['application/yaml'] = { schema: ref(r.schema) };
      if (o.streams) content['application/json;stream=watch'] = { schema: ref(r.schema) };
    }
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', content };
  }
  return finishOperation(out, o, responses);
}

function document(models: PathModel[]): Json {
  const { paths, roots } = renderPaths(models, operation, parameter);
  const schemas: Json = {};
  for (const name of reachable(roots)) schemas[name] = convertDefinition(name, 'v3');
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' },
      },
    },
  };
}

/** The keys of the v3 root: "api", "api/v1", "apis", "apis/apps", "apis/apps/v1", … */
export function v3DocumentPaths(): string[] {
  const out = ['api', 'apis'];
  for (const g of servedNamedGroups()) out.push(`apis/${g}`);
  for (const gv of servedGroupVersions()) out.push(groupVersionPath(gv.group, gv.version));
  return out.sort();
}

/** Builds the v3 document at a root key, or undefined when nothing is served there. */
export function buildV3Document(path: string): Json | undefined {
  if (path === 'api') return document(discoveryPaths('api'));
  if (path === 'apis') return document(discoveryPaths('apis'));
  const m = /^(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/.exec(path);
  if (!m) return undefined;
  if (m[1]) return document(groupVersionPaths('', m[1]));
  const group = m[2];
  if (!m[3]) return servedNamedGroups().includes(group) ? document(discoveryPaths('group', group)) : undefined;
  if (!servedGroupVersions().some((gv) => gv.group === group && gv.version === m[3])) return undefined;
  return document(groupVersionPaths(group, m[3]));
}
