/**
 * The Swagger 2.0 document for everything served (`/openapi/v2`): all paths of all served group
 * versions and their discovery paths, with every definition they reach.
 */
import { PARAMETER_DESCRIPTIONS } from './descriptions.js';
import { servedGroupVersions } from './kinds.js';
import { discoveryPaths, groupVersionPaths, servedNamedGroups, type OperationModel, type ParamModel, type PathModel } from './operations.js';
import { finishOperation, PATCH_CONTENT_TYPES, renderPaths, SERVER_VERSION, STATUS_TEXT } from './render.js';
import { convertDefinition, reachable } from './schemas.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/definitions/${name}` });

function parameter(p: ParamModel): Json {
  const out: Json = { name: p.name, in: p.in, type: p.type, uniqueItems: true };
  const d = PARAMETER_DESCRIPTIONS[p.name];
  if (d) out.description = d;
  if (p.required) out.required = true;
  return out;
}

function operation(o: OperationModel): Json {
  const out: Json = { description: o.description };
  if (o.body) out.consumes = o.body.patch ? PATCH_CONTENT_TYPES : ['*/*'];
  out.produces = o.text ? ['*/*'] : o.streams ? ['application/json', 'application/yaml', 'application/json;stream=watch'] : ['application/json', 'application/yaml'];
  out.schemes = ['https'];
  out.tags = [o.tag];
  out.operationId = o.operationId;
  const params: Json[] = [];
  if (o.body) params.push({ name: 'body', in: 'body', required: o.method !== 'delete', schema: ref(o.body.definition) });
  params.push(...o.params.map(parameter));
  if (params.length) out.parameters = params;
  const responses: Json = {};
  for (const [code, r] of Object.entries(o.responses)) {
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', schema: r.schema === 'string' ? { type: 'string' } : ref(r.schema) };
  }
  return finishOperation(out, o, responses);
}

export function buildV2Document(): Json {
  const models: PathModel[] = [...discoveryPaths('api'), ...discoveryPaths('apis')];
  for (const g of servedNamedGroups()) models.push(...discoveryPaths('group', g));
  for (const gv of servedGroupVersions()) models.push(...groupVersionPaths(gv.group, gv.version));
  models.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { paths, roots } = renderPaths(models, operation, parameter);
  const definitions: Json = {};
  for (const name of reachable(roots)) definitions[name] = convertDefinition(name, 'v2');
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
