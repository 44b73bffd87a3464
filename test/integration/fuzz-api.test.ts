/**
 * Hostile input over raw HTTPS, from a seeded pseudo-random generator (seed FUZZ_SEED, default
 * fixed; printed with every failure): malformed and truncated JSON, deep nesting, oversized bodies,
 * bad UTF-8, path tricks in names, odd headers and raw request lines, huge label sets, wrong
 * content types, random bytes as protobuf, and randomly mutated valid objects, at many endpoints.
 * Every answer must be a well-formed Status (4xx; never 5xx but 503/504), the server must keep
 * serving (/readyz 200 after each batch), and everything stored afterwards must still pass the
 * server's own validation (a dry-run replace of each object with itself succeeds).
 */
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { rawClient, type RawClient, type RawResponse } from '../helpers/raw-https.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
let t: TestServer;
let c: RawClient;

beforeAll(async () => {
  t = await startTestServer({ disable: ['scheduler'] });
  c = rawClient(t.url, t.dataDir);
}, 60_000);

afterAll(async () => {
  c?.close();
  await t?.stop();
});

/** mulberry32: a small seeded generator. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}

const COLLECTIONS = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/secrets',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/services',
  '/api/v1/namespaces/default/limitranges',
  '/api/v1/namespaces/default/resourcequotas',
  '/api/v1/namespaces/default/persistentvolumeclaims',
  '/api/v1/namespaces',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/batch/v1/namespaces/default/jobs',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
  '/apis/scheduling.k8s.io/v1/priorityclasses',
  '/apis/storage.k8s.io/v1/storageclasses',
];

const VALID: Record<string, () => any> = {
  configmaps: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fz' }, data: { a: 'b' } }),
  secrets: () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fz' }, stringData: { a: 'b' } }),
  pods: () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fz' }, spec: { containers: [{ name: 'c', image: 'k8ts.local/busybox:1.36', resources: { limits: { cpu: '1' } } }] } }),
  services: () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'fz' }, spec: { ports: [{ port: 80 }], selector: { a: 'b' } } }),
  limitranges: () => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'fz' }, spec: { limits: [{ type: 'Container', max: { cpu: '100' } }] } }),
  resourcequotas: () => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'fz' }, spec: { hard: { pods: '1000' } } }),
  persistentvolumeclaims: () => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fz' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  namespaces: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } }),
  deployments: () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fz' }, spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }),
  jobs: () => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fz' }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } }),
  roles: () => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'fz' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  priorityclasses: () => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'fz' }, value: 5 }),
  storageclasses: () => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fz' }, provisioner: 'k8ts.local/none' }),
};
const plural = (path: string): string => path.split('/').pop()!;

/** A random JSON value, for replacing fields. */
function randomValue(r: ReturnType<typeof rng>, depth = 0): unknown {
  switch (r.int(depth > 2 ? 8 : 10)) {
    case 0: return null;
    case 1: return r.int(2) === 0;
    case 2: return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, 9007199254740993]);
    case 3: return '';
    case 4: return r.pick(['..', '%2F', 'a/b', '\u0000', '\ud800', 'é'.repeat(100), 'x'.repeat(70_000), '${x}', '1Gi', '-1', 'DROP TABLE']);
    case 5: return r.bytes(r.int(40)).toString('latin1');
    case 6: return 'k'.repeat(r.int(300));
    case 7: return r.int(1000);
    case 8: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [r.pick(['name', 'spec', 'metadata', 'x' + i, '', 'kind']), randomValue(r, depth + 1)]));
  }
}

/** Replaces a random node of a valid object with a random value. */
function mutate(r: ReturnType<typeof rng>, obj: any): any {
  const copy = JSON.parse(JSON.stringify(obj));
  const paths: Array<[any, string]> = [];
  const walk = (o: any): void => {
    if (!o || typeof o !== 'object') return;
    for (const k of Object.keys(o)) {
      paths.push([o, k]);
      walk(o[k]);
    }
  };
  walk(copy);
  for (let i = 0, n = 1 + r.int(3); i < n; i++) {
    const [parent, key] = r.pick(paths);
    parent[key] = randomValue(r);
  }
  copy.metadata = copy.metadata && typeof copy.metadata === 'object' ? copy.metadata : {};
  if (typeof copy.metadata.name === 'string') copy.metadata.name = `fz-${r.int(1e9).toString(36)}`;
  return copy;
}

const nested = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

interface Case {
  what: string;
  send(): Promise<RawResponse>;
}

function cases(r: ReturnType<typeof rng>, n: number): Case[] {
  const out: Case[] = [];
  const post = (path: string, body: string | Buffer, ct = 'application/json', extra: Record<string, string> = {}) =>
    () => c.request(path, { method: 'POST', headers: { 'Content-Type': ct, ...extra }, body });
  for (let i = 0; i < n; i++) {
    const col = r.pick(COLLECTIONS);
    const valid = VALID[plural(col)]!();
    const json = JSON.stringify(valid);
    const kind = r.int(13);
    switch (kind) {
      case 0: {
        const cut = r.int(json.length);
        out.push({ what: `truncated JSON at ${cut} to ${col}`, send: post(col, json.slice(0, cut)) });
        break;
      }
      case 1: {
        const depth = r.pick([1000, 10_000, 100_000]);
        const body = r.int(2) ? `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${nested(depth, '{"a":', '}')}}` : nested(depth, '[', ']');
        out.push({ what: `${depth}-deep JSON to ${col}`, send: post(col, body) });
        break;
      }
      case 2: {
        const size = r.pick([4 * 1024 * 1024, 1024 * 1024 + 7]);
        const big = { ...valid, metadata: { ...valid.metadata, name: 'big', annotations: { a: 'x'.repeat(size) } } };
        out.push({ what: `${size}-byte object to ${col}`, send: post(col, JSON.stringify(big)) });
        break;
      }
      case 3: {
        const bad = Buffer.concat([Buffer.from(json.slice(0, json.length - 2)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
        const named = Buffer.from(JSON.stringify({ ...valid, metadata: { name: 'PLACEHOLDER' } }).replace('PLACEHOLDER', 'n\\udc00x'));
        out.push({ what: `bad UTF-8 to ${col}`, send: post(col, r.int(2) ? bad : named) });
        break;
      }
      case 4: {
        const name = r.pick(['..', '.', '%2e%2e', 'a%2Fb', '%00', 'a%00b', '%252F', '..%2F..%2Fsecrets', 'x'.repeat(300), '%E2%80%AE', '%C0%AE', 'a%20b', '~', 'A']);
        const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH']);
        const ct = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
        const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({ ...valid, metadata: { name: decodeURIComponentSafe(name) } });
        out.push({ what: `${method} ${col}/${name}`, send: () => c.request(`${col}/${name}${r.int(2) ? '/status' : ''}`, { method, headers: { 'Content-Type': ct }, body }) });
        break;
      }
      case 5: {
        const headers = r.pick<Record<string, string>>([
          { 'Content-Type': 'application/json; charset=utf-16' },
          { 'Content-Type': 'application/json', Accept: 'application/x-nonsense;q=2' },
          { 'Content-Type': 'application/json', Accept: 'application/json;as=Table;v=v9;g=nope' },
          { 'Content-Type': 'application/json', 'Impersonate-User': 'évil\u00ff' },
          { 'Content-Type': 'application/json', 'Impersonate-Group': '', 'Impersonate-User': 'x' },
          { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
          { 'Content-Type': 'application/json', 'X-Forwarded-For': '1.2.3.4, \t, ::1' },
          { 'Content-Type': 'application/json', Authorization: 'Bearer ' + 'a'.repeat(5000) },
        ]);
        out.push({ what: `headers ${JSON.stringify(headers).slice(0, 120)} to ${col}`, send: () => c.request(col, { method: 'POST', headers, body: json }) });
        break;
      }
      case 6: {
        const labels: Record<string, string> = {};
        const count = r.pick([1000, 20_000]);
        for (let j = 0; j < count; j++) labels[r.int(10) === 0 ? `bad key ${j}/x/y` : `k${j}.example.com/l${j}`] = r.int(20) === 0 ? '-bad-' : `v${j}`;
        out.push({ what: `${count} labels to ${col}`, send: post(col, JSON.stringify({ ...valid, metadata: { ...valid.metadata, name: `lbl-${i}`, labels } })) });
        break;
      }
      case 7: {
        const ct = r.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', '', 'application/json-patch+json', 'application/apply-patch+yaml', '*/*', 'application/yaml']);
        const body = ct === 'application/yaml' ? 'a: [\n  - b: {' : json;
        out.push({ what: `content type "${ct}" to ${col}`, send: post(col, body, ct) });
        break;
      }
      case 8: {
        const body = r.int(2) ? r.bytes(r.int(400)) : Buffer.concat([Buffer.from('k8s\0'), r.bytes(r.int(400))]);
        out.push({ what: `random protobuf (${body.length} bytes) to ${col}`, send: post(col, body, 'application/vnd.kubernetes.protobuf') });
        break;
      }
      case 9:
      case 10:
      case 11: {
        const m = mutate(r, valid);
        out.push({ what: `mutated ${plural(col)} ${JSON.stringify(m).slice(0, 300)}`, send: post(col, JSON.stringify(m)) });
        break;
      }
      default: {
        const req = r.pick([
          `GET ${col}/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `GET ${col}?labelSelector=${encodeURIComponent('a in (,,')}&limit=-5&continue=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `POST ${col} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
          `GET ${col}?watch=1&resourceVersion=abc&timeoutSeconds=-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `GET ${col} HTTP/1.1\r\nHost: x\r\nX-Injected: a\rb\r\nConnection: close\r\n\r\n`,
          `GET ${col}?fieldSelector=${encodeURIComponent('metadata.name==a,,=b')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `PATCH ${col}/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json-patch+json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n[{"op":"move","from":"/a/-"}]`,
        ]);
        out.push({ what: `raw request ${JSON.stringify(req.slice(0, 120))}`, send: () => rawRequest(req) });
      }
    }
  }
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Sends bytes as they are over TLS with the admin certificate; parses the status line and body. */
function rawRequest(text: string): Promise<RawResponse> {
  const pki = join(t.dataDir, 'pki');
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) }, () => s.end(text));
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(all);
      const sep = all.indexOf('\r\n\r\n');
      const head = sep >= 0 ? all.slice(0, sep) : all;
      let body = sep >= 0 ? all.slice(sep + 4) : '';
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      let parsed: any;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : 0, headers, text: body, body: parsed });
    });
  });
}

/** Every failure is a Status of its own code; no 5xx but 503/504; Node's parser may answer 400 itself. */
function checkResponse(what: string, res: RawResponse): string | undefined {
  const ctx = `${what} → ${res.status} ${res.text.slice(0, 300)}`;
  if (res.status < 200) return `no status: ${ctx}`;
  if (res.status >= 500 && res.status !== 503 && res.status !== 504) return `server error: ${ctx}`;
  if (res.status < 400) return undefined;
  const nodeParserError = res.status === 400 && !res.body && /^(|Bad Request)$/.test(res.text.trim());
  if (nodeParserError) return undefined;
  const b = res.body;
  if (!b || b.kind !== 'Status' || b.apiVersion !== 'v1' || b.status !== 'Failure' || b.code !== res.status || typeof b.message !== 'string') return `not a Status: ${ctx}`;
  if (!String(res.headers['content-type']).includes('application/json')) return `content type ${res.headers['content-type']}: ${ctx}`;
  return undefined;
}

describe('hostile input over raw HTTPS', () => {
  it('answers every request with a Status, keeps serving and stores nothing invalid', async () => {
    const r = rng(SEED);
    const problems: string[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const list = cases(r, 50);
      // A few at a time, as concurrent clients would.
      for (let i = 0; i < list.length; i += 5) {
        const group = list.slice(i, i + 5);
        const answers = await Promise.all(group.map(async (k) => ({ k, res: await k.send().catch((err: Error) => ({ status: -1, headers: {}, text: String(err), body: undefined } as RawResponse)) })));
        for (const { k, res } of answers) {
          if (res.status === -1) {
            // The server may close the connection on a request Node's parser rejects; only raw requests may end so.
            if (!k.what.startsWith('raw request')) problems.push(`connection failed: ${k.what}: ${res.text}`);
            continue;
          }
          const problem = checkResponse(k.what, res);
          if (problem) problems.push(problem);
        }
      }
      const ready = await c.get('/readyz');
      expect(ready.status, `seed ${SEED}: /readyz after batch ${batch}`).toBe(200);
    }
    expect(problems, `seed ${SEED}`).toEqual([]);
    // Everything stored still passes validation: replacing each object with itself (dry run) succeeds.
    for (const col of COLLECTIONS) {
      const listed = await c.get(col);
      expect(listed.status, `seed ${SEED}: list ${col}`).toBe(200);
      for (const o of listed.body.items) {
        if (o.metadata.namespace && o.metadata.namespace !== 'default' && !col.endsWith('/namespaces')) continue;
        if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(String(o.metadata.name))) {
          problems.push(`stored ${col}/${JSON.stringify(o.metadata.name)} has an ill-formed (lone surrogate) name`);
          continue;
        }
        const path = `${col}/${encodeURIComponent(o.metadata.name)}?dryRun=All`;
        const body = { ...o, apiVersion: listed.body.apiVersion, kind: listed.body.kind.replace(/List$/, '') };
        const res = await c.request(path, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        if (res.status !== 200) problems.push(`stored ${col}/${o.metadata.name} no longer validates: ${res.text.slice(0, 400)}`);
      }
    }
    expect(problems, `seed ${SEED}`).toEqual([]);
  }, 300_000);
});
