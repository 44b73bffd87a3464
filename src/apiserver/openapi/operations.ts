/**
 * The operations k8ts serves, as a format-neutral model built from the resource registry: one
 * PathModel per URL template, with its operations, parameters, bodies and responses. Rendered to
 * OpenAPI 3 by v3.ts and to Swagger 2.0 by v2.ts.
 */
import type { GroupVersionKind } from '../../api/schema.js';
import { RESOURCES, SERVED_GROUPS, type ResourceInfo } from '../../api/resources.js';
import { cap, definitionOfKind, META_PREFIX, operationPrefix, tagOf, urlPrefix } from './kinds.js';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';

export interface ParamModel {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
}

export interface ResponseModel {
  /** A definition name, or "string" for plain text. */
  schema: string;
}

export interface OperationModel {
  method: Method;
  operationId: string;
  action: string;
  gvk?: GroupVersionKind;
  tag: string;
  description: string;
  params: ParamModel[];
  body?: { definition: string; patch: boolean };
  responses: Record<string, ResponseModel>;
  /** Produces watch streams as well (list and watch operations). */
  streams: boolean;
  /** Plain-text responses (logs, connect). */
  text: boolean;
}

export interface PathModel {
  path: string;
  params: ParamModel[];
  operations: OperationModel[];
}

const q = (name: string, type: ParamModel['type'] = 'string'): ParamModel => ({ name, in: 'query', type });
const PRETTY = q('pretty');
const NAME: ParamModel = { name: 'name', in: 'path', type: 'string', required: true };
const NAMESPACE: ParamModel = { name: 'namespace', in: 'path', type: 'string', required: true };
const PATH: ParamModel = { name: 'path', in: 'path', type: 'string', required: true };

const LIST_PARAMS = [
  q('allowWatchBookmarks', 'boolean'), q('continue'), q('fieldSelector'), q('labelSelector'), q('limit', 'integer'),
  q('resourceVersion'), q('resourceVersionMatch'), q('sendInitialEvents', 'boolean'), q('timeoutSeconds', 'integer'),
  q('watch', 'boolean'),
];
const WRITE_PARAMS = [q('dryRun'), q('fieldManager'), q('fieldValidation')];
const PATCH_PARAMS = [...WRITE_PARAMS, q('force', 'boolean')];
const DELETE_PARAMS = [
  q('dryRun'), q('gracePeriodSeconds', 'integer'), q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean'),
  q('orphanDependents', 'boolean'), q('propagationPolicy'),
];
const DELETE_COLLECTION_PARAMS = [
  q('continue'), q('dryRun'), q('fieldSelector'), q('gracePeriodSeconds', 'integer'),
  q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean'), q('labelSelector'), q('limit', 'integer'),
  q('orphanDependents', 'boolean'), q('propagationPolicy'), q('resourceVersion'), q('resourceVersionMatch'),
  q('sendInitialEvents', 'boolean'), q('timeoutSeconds', 'integer'),
];
const CONNECT_PARAMS: Record<string, ParamModel[]> = {
  exec: [q('command'), q('container'), q('stderr', 'boolean'), q('stdin', 'boolean'), q('stdout', 'boolean'), q('tty', 'boolean')],
  attach: [q('container'), q('stderr', 'boolean'), q('stdin', 'boolean'), q('stdout', 'boolean'), q('tty', 'boolean')],
  portforward: [q('ports', 'integer')],
  proxy: [q('path')],
};
const LOG_PARAMS = [
  q('container'), q('follow', 'boolean'), q('insecureSkipTLSVerifyBackend', 'boolean'), q('limitBytes', 'integer'),
  q('previous', 'boolean'), q('sinceSeconds', 'integer'), q('stream'), q('tailLines', 'integer'), q('timestamps', 'boolean'),
];

const STATUS = `${META_PREFIX}Status`;
const DELETE_OPTIONS = `${META_PREFIX}DeleteOptions`;
const WATCH_EVENT = `${META_PREFIX}WatchEvent`;
const PATCH = `${META_PREFIX}Patch`;

function resourcePaths(r: ResourceInfo): PathModel[] {
  const prefix = urlPrefix(r.group, r.version);
  const gv = operationPrefix(r.group, r.version);
  const tag = tagOf(r.group, r.version);
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const def = definitionOfKind(gvk);
  const listDef = definitionOfKind({ ...gvk, kind: `${r.kind}List` });
  if (!def) return [];
  const scoped = r.namespaced ? `Namespaced${r.kind}` : r.kind;
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const scopeParams = r.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const has = (v: string): boolean => r.verbs.includes(v);
  const op = (o: Omit<OperationModel, 'tag' | 'streams' | 'text'> & Partial<OperationModel>): OperationModel =>
    ({ tag, streams: false, text: false, ...o });
  const out: PathModel[] = [];

  const collection: OperationModel[] = [];
  if (has('list') && listDef) {
    collection.push(op({
      method: 'get', operationId: `list${gv}${scoped}`, action: 'list', gvk, params: LIST_PARAMS,
      description: `list or watch objects of kind ${r.kind}`, responses: { 200: { schema: listDef } }, streams: true,
    }));
  }
  if (has('create')) {
    collection.push(op({
      method: 'post', operationId: `create${gv}${scoped}`, action: 'post', gvk, params: WRITE_PARAMS,
      description: `create a ${r.kind}`, body: { definition: def, patch: false },
      responses: { 200: { schema: def }, 201: { schema: def }, 202: { schema: def } },
    }));
  }
  if (has('deletecollection')) {
    collection.push(op({
      method: 'delete', operationId: `delete${gv}Collection${scoped}`, action: 'deletecollection', gvk,
      params: DELETE_COLLECTION_PARAMS, description: `delete collection of ${r.kind}`,
      body: { definition: DELETE_OPTIONS, patch: false }, responses: { 200: { schema: STATUS } },
    }));
  }
  if (collection.length) out.push({ path: base, params: scopeParams, operations: collection });

  const item: OperationModel[] = [];
  if (has('get')) {
    item.push(op({
      method: 'get', operationId: `read${gv}${scoped}`, action: 'get', gvk, params: [],
      description: `read the specified ${r.kind}`, responses: { 200: { schema: def } },
    }));
  }
  if (has('update')) {
    item.push(op({
      method: 'put', operationId: `replace${gv}${scoped}`, action: 'put', gvk, params: WRITE_PARAMS,
      description: `replace the specified ${r.kind}`, body: { definition: def, patch: false },
      responses: { 200: { schema: def }, 201: { schema: def } },
    }));
  }
  if (has('delete')) {
    item.push(op({
      method: 'delete', operationId: `delete${gv}${scoped}`, action: 'delete', gvk, params: DELETE_PARAMS,
      description: `delete a ${r.kind}`, body: { definition: DELETE_OPTIONS, patch: false },
      responses: { 200: { schema: STATUS }, 202: { schema: STATUS } },
    }));
  }
  if (has('patch')) {
    item.push(op({
      method: 'patch', operationId: `patch${gv}${scoped}`, action: 'patch', gvk, params: PATCH_PARAMS,
      description: `partially update the specified ${r.kind}`, body: { definition: PATCH, patch: true },
      responses: { 200: { schema: def }, 201: { schema: def } },
    }));
  }
  if (item.length) out.push({ path: `${base}/{name}`, params: [NAME, ...scopeParams], operations: item });

  if (r.namespaced && has('list') && listDef) {
    out.push({
      path: `${prefix}/${r.plural}`, params: [PRETTY], operations: [op({
        method: 'get', operationId: `list${gv}${r.kind}ForAllNamespaces`, action: 'list', gvk, params: LIST_PARAMS,
        description: `list or watch objects of kind ${r.kind}`, responses: { 200: { schema: listDef } }, streams: true,
      })],
    });
  }

  if (has('watch')) {
    const watch = (path: string, params: ParamModel[], operationId: string, action: string): PathModel => ({
      path, params: [...params, ...LIST_PARAMS], operations: [op({
        method: 'get', operationId, action, gvk, params: [],
        description: action === 'watch'
          ? `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`
          : `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        responses: { 200: { schema: WATCH_EVENT } }, streams: true,
      })],
    });
    const wbase = r.namespaced ? `${prefix}/watch/namespaces/{namespace}/${r.plural}` : `${prefix}/watch/${r.plural}`;
    if (has('list')) out.push(watch(wbase, scopeParams, `watch${gv}${scoped}List`, 'watchlist'));
    if (has('get')) out.push(watch(`${wbase}/{name}`, [NAME, ...scopeParams], `watch${gv}${scoped}`, 'watch'));
    if (r.namespaced && has('list')) {
      out.push(watch(`${prefix}/watch/${r.plural}`, [PRETTY], `watch${gv}${r.kind}ListForAllNamespaces`, 'watchlist'));
    }
  }

  for (const [sub, info] of Object.entries(r.subresources)) {
    const subGvk: GroupVersionKind = { group: info.group, version: info.version, kind: info.kind };
    const path = `${base}/{name}/${sub}`;
    const params = [NAME, ...scopeParams];
    const id = `${scoped}${cap(sub)}`;
    if (info.kind.endsWith('Options')) {
      const connect = (withPath: boolean): OperationModel[] => info.verbs.map((m) => op({
        method: m as Method, operationId: `connect${gv}${cap(m)}${id}${withPath ? 'WithPath' : ''}`, action: 'connect',
        gvk: subGvk, params: withPath ? [] : (CONNECT_PARAMS[sub] ?? []),
        description: `connect ${m.toUpperCase()} requests to ${sub} of ${r.kind}`,
        responses: { 200: { schema: 'string' } }, text: true,
      }));
      out.push({ path, params: params.filter((p) => p !== PRETTY), operations: connect(false) });
      if (sub === 'proxy') {
        out.push({
          path: `${path}/{path}`, params: [NAME, ...(r.namespaced ? [NAMESPACE] : []), PATH, q('path')],
          operations: connect(true),
        });
      }
      continue;
    }
    if (sub === 'log') {
      out.push({
        path, params, operations: [op({
          method: 'get', operationId: `read${gv}${id}`, action: 'get', gvk: subGvk, params: LOG_PARAMS,
          description: `read log of the specified ${r.kind}`, responses: { 200: { schema: 'string' } }, text: true,
        })],
      });
      continue;
    }
    const subDef = definitionOfKind(subGvk);
    if (!subDef) continue;
    const ops: OperationModel[] = [];
    const what = `${sub} of the specified ${r.kind}`;
    for (const verb of info.verbs) {
      if (verb === 'get') {
        ops.push(op({
          method: 'get', operationId: `read${gv}${id}`, action: 'get', gvk: subGvk, params: [],
          description: `read ${what}`, responses: { 200: { schema: subDef } },
        }));
      } else if (verb === 'update') {
        ops.push(op({
          method: 'put', operationId: `replace${gv}${id}`, action: 'put', gvk: subGvk, params: WRITE_PARAMS,
          description: `replace ${what}`, body: { definition: subDef, patch: false },
          responses: { 200: { schema: subDef }, 201: { schema: subDef } },
        }));
      } else if (verb === 'patch') {
        ops.push(op({
          method: 'patch', operationId: `patch${gv}${id}`, action: 'patch', gvk: subGvk, params: PATCH_PARAMS,
          description: `partially update ${what}`, body: { definition: PATCH, patch: true },
          responses: { 200: { schema: subDef }, 201: { schema: subDef } },
        }));
      } else if (verb === 'create') {
        ops.push(op({
          method: 'post', operationId: `create${gv}${id}`, action: 'post', gvk: subGvk, params: WRITE_PARAMS,
          description: `create ${sub} of a ${r.kind}`, body: { definition: subDef, patch: false },
          responses: { 200: { schema: subDef }, 201: { schema: subDef }, 202: { schema: subDef } },
        }));
      }
    }
    if (ops.length) out.push({ path, params, operations: ops });
  }
  return out;
}

/** Every path of one served group version, including its discovery path. */
export function groupVersionPaths(group: string, version: string): PathModel[] {
  const prefix = urlPrefix(group, version);
  const out: PathModel[] = [{
    path: `${prefix}/`, params: [], operations: [{
      method: 'get', operationId: `get${operationPrefix(group, version)}APIResources`, action: '', tag: tagOf(group, version),
      description: 'get available resources', params: [], responses: { 200: { schema: `${META_PREFIX}APIResourceList` } },
      streams: false, text: false,
    }],
  }];
  for (const r of RESOURCES) {
    if (r.group === group && r.version === version) out.push(...resourcePaths(r));
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The discovery paths above group versions: "/api/", "/apis/", "/apis/<group>/". */
export function discoveryPaths(kind: 'api' | 'apis' | 'group', group = ''): PathModel[] {
  const discovery = (path: string, operationId: string, tag: string, def: string, description: string): PathModel[] => [{
    path, params: [], operations: [{
      method: 'get', operationId, action: '', tag, description, params: [],
      responses: { 200: { schema: META_PREFIX + def } }, streams: false, text: false,
    }],
  }];
  if (kind === 'api') return discovery('/api/', 'getCoreAPIVersions', 'core', 'APIVersions', 'get available API versions');
  if (kind === 'apis') return discovery('/apis/', 'getAPIVersions', 'apis', 'APIGroupList', 'get available API versions');
  const name = group.replace(/\.k8s\.io$/, '').split('.').map((w, i) => (i === 0 ? w : cap(w))).join('');
  return discovery(`/apis/${group}/`, `get${cap(name)}APIGroup`, name, 'APIGroup', 'get information of a group');
}

/** The served groups other than core, in registry order. */
export function servedNamedGroups(): string[] {
  return Object.keys(SERVED_GROUPS).filter((g) => g !== '');
}
