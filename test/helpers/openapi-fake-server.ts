/**
 * A tiny loopback API server for driving the real kubectl against k8ts' OpenAPI documents:
 * /version, legacy discovery built from the resource registry, /openapi/v2 and /openapi/v3*
 * through handleOpenAPI, and a bare object store (GET, POST, PATCH returning the stored object)
 * so that `kubectl apply` can run. Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES, SERVED_GROUPS, GROUP_ORDER, apiVersionOf } from '../../src/api/resources.js';
import { handleOpenAPI } from '../../src/apiserver/openapi/index.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  objects: Map<string, unknown>;
  close(): Promise<void>;
}

function resourceList(group: string, version: string): unknown {
  const resources: unknown[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const [sub, info] of Object.entries(r.subresources)) {
      resources.push({
        name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: info.kind, verbs: info.verbs,
        ...(info.group !== group || info.version !== version ? { group: info.group, version: info.version } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function groupList(): unknown {
  const groups = GROUP_ORDER.filter((g) => g !== '' && g in SERVED_GROUPS).map((name) => {
    const versions = [...new Set(RESOURCES.filter((r) => r.group === name).map((r) => r.version))]
      .sort((a, b) => (a === SERVED_GROUPS[name] ? -1 : b === SERVED_GROUPS[name] ? 1 : 0))
      .map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions, preferredVersion: versions[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const notFound = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 };

export async function startOpenAPIFakeServer(): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, unknown>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = url.pathname;
      const oa = handleOpenAPI({
        method: req.method ?? 'GET', path, query: url.searchParams,
        accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'],
      });
      if (oa) {
        res.writeHead(oa.status, oa.headers);
        res.end(oa.body);
        return;
      }
      if (path === '/version') return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
      if (path === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      if (path === '/apis') return json(res, 200, groupList());
      if (path === '/api/v1') return json(res, 200, resourceList('', 'v1'));
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (gv && RESOURCES.some((r) => r.group === gv[1] && r.version === gv[2])) return json(res, 200, resourceList(gv[1], gv[2]));
      // A bare object store, enough for `kubectl apply`.
      if (req.method === 'GET') return objects.has(path) ? json(res, 200, objects.get(path)) : json(res, 404, notFound);
      if (req.method === 'POST') {
        const obj = JSON.parse(body) as { metadata: { name: string } };
        objects.set(`${path}/${obj.metadata.name}`, obj);
        return json(res, 201, obj);
      }
      if (req.method === 'PATCH' && objects.has(path)) return json(res, 200, objects.get(path));
      json(res, 404, notFound);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
