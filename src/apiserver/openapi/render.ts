/**
 * What the Swagger 2.0 (v2.ts) and OpenAPI 3 (v3.ts) renderings of the operation model share:
 * the server version they report, the patch content types, response status texts, the common
 * tail of an operation (401, x-kubernetes-action, x-kubernetes-group-version-kind) and the walk
 * that turns PathModels into a `paths` object and the definitions it reaches.
 */
import type { OperationModel, ParamModel, PathModel } from './operations.js';

type Json = Record<string, unknown>;

export const SERVER_VERSION = 'v1.32.0';
export const PATCH_CONTENT_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
export const STATUS_TEXT: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 401: 'Unauthorized' };

/** Adds 401 to `responses`, sets them on `out`, then the x-kubernetes action and kind. */
export function finishOperation(out: Json, o: OperationModel, responses: Json): Json {
  responses['401'] = { description: STATUS_TEXT[401] };
  out.responses = responses;
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

/** The `paths` object for `models` (in their order) and the names of the definitions they refer to. */
export function renderPaths(
  models: PathModel[], operation: (o: OperationModel) => Json, parameter: (p: ParamModel) => Json,
): { paths: Json; roots: Set<string> } {
  const paths: Json = {};
  const roots = new Set<string>();
  for (const m of models) {
    const item: Json = {};
    for (const o of m.operations) {
      item[o.method] = operation(o);
      if (o.body) roots.add(o.body.definition);
      for (const r of Object.values(o.responses)) if (r.schema !== 'string') roots.add(r.schema);
    }
    if (m.params.length) item.parameters = m.params.map(parameter);
    paths[m.path] = item;
  }
  return { paths, roots };
}
