/**
 * apiserver/request-info: turns a request path and method into what is being asked for
 * (group, version, namespace, resource, name, subresource, verb), as upstream's RequestInfo.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the subresource (proxy paths). */
  rest: string[];
}

/** Percent-decodes a path segment; bytes that are not UTF-8 become U+FFFD (Go keeps raw bytes; no name can hold either). */
function decodeSegment(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return Buffer.from(p.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), group: '', version: '', namespace: '',
    resource: '', subresource: '', name: '', rest: [],
  };
  const parts = path.split('/').filter((p) => p !== '').map(decodeSegment);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0];
  let i = 1;
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info;
    info.group = parts[i++];
  } else if (parts.length < 2) return info;
  info.version = parts[i++];
  if (i >= parts.length) return info;
  info.isResourceRequest = true;
  let watchPath = false;
  if (parts[i] === 'watch') {
    watchPath = true;
    i++;
  }
  if (parts[i] === 'namespaces' && parts.length > i + 1) {
    info.namespace = parts[i + 1];
    // namespaces/{name}/status and /finalize are subresources of the namespace itself.
    if (parts.length > i + 2 && parts[i + 2] !== 'status' && parts[i + 2] !== 'finalize') i += 2;
  }
  const rest = parts.slice(i);
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  info.rest = rest.slice(3);
  if (info.resource === 'namespaces' && info.name) info.namespace = info.name;

  const m = method.toUpperCase();
  const isCollection = info.name === '';
  if (watchPath) info.verb = 'watch';
  else if (m === 'GET' || m === 'HEAD') {
    const watch = query.get('watch');
    info.verb = isCollection ? (watch === 'true' || watch === '1' ? 'watch' : 'list') : 'get';
  } else if (m === 'POST') info.verb = 'create';
  else if (m === 'PUT') info.verb = 'update';
  else if (m === 'PATCH') info.verb = 'patch';
  else if (m === 'DELETE') info.verb = isCollection ? 'deletecollection' : 'delete';
  return info;
}
