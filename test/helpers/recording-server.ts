/**
 * A loopback HTTP server that records every request a client makes and gives just enough answers
 * for kubectl's generator commands (`kubectl create <thing>`, `kubectl auth can-i`) to succeed:
 * /version, plain discovery (core v1 only), and a 201 echo of every POSTed object.
 *
 * Run directly to re-record the protobuf fixtures in test/fixtures/protobuf/ with the real kubectl:
 *   npx tsx test/helpers/recording-server.ts [path-to-kubectl]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeKubernetesProtobuf, hasKubernetesProtobufMagic } from '../../src/machinery/protobuf/index.js';

export interface RecordedRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Buffer;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const CORE_RESOURCES = [
  ['pods', 'Pod', true], ['services', 'Service', true], ['configmaps', 'ConfigMap', true],
  ['secrets', 'Secret', true], ['serviceaccounts', 'ServiceAccount', true],
  ['namespaces', 'Namespace', false], ['nodes', 'Node', false],
] as const;

function discovery(path: string): unknown {
  if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
  if (path === '/api/v1') {
    return {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: CORE_RESOURCES.map(([name, kind, namespaced]) => ({
        name, singularName: kind.toLowerCase(), namespaced, kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      })),
    };
  }
  return undefined;
}

/** The object to answer a POST with: the request's own object, plus what kubectl needs to print. */
function echo(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  let obj: Record<string, unknown>;
  if (contentType?.startsWith('application/vnd.kubernetes.protobuf') && hasKubernetesProtobufMagic(body)) {
    obj = decodeKubernetesProtobuf(body).object;
  } else {
    obj = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  }
  const meta = (obj.metadata ??= {}) as Record<string, unknown>;
  meta.name ??= 'recorded';
  if (obj.kind === 'SelfSubjectAccessReview') obj.status = { allowed: true };
  if (obj.kind === 'TokenRequest') obj.status = { token: 'recorded-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
  return obj;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'];
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', url, contentType, body });
      const path = url.split('?')[0]!;
      const reply = (status: number, value: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      try {
        if (req.method === 'GET') {
          const d = discovery(path);
          if (d) reply(200, d);
          else reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
        } else if (req.method === 'POST') {
          reply(201, echo(body, contentType));
        } else reply(405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
      } catch (err) {
        reply(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

// ---- fixture capture ------------------------------------------------------------------------

/** Fixture name -> kubectl arguments. `$TMP` is replaced by a scratch directory (TLS key pair). */
export const CAPTURES: Record<string, string[]> = {
  'deployment': ['create', 'deployment', 'd', '--image=nginx'],
  'deployment-replicas': ['create', 'deployment', 'web', '--image=nginx:1.27', '--image=busybox', '--replicas=0', '--port=80'],
  'namespace': ['create', 'namespace', 'ns1'],
  'configmap': ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='],
  'secret-generic': ['create', 'secret', 'generic', 's', '--from-literal=k=v'],
  'secret-tls': ['create', 'secret', 'tls', 'tls', '--cert=$TMP/tls.crt', '--key=$TMP/tls.key'],
  'secret-docker-registry': ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.com'],
  'service-clusterip': ['create', 'service', 'clusterip', 's', '--tcp=80:8080'],
  'service-clusterip-none': ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  'service-nodeport': ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'],
  'service-loadbalancer': ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443'],
  'service-externalname': ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
  'job': ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'],
  'cronjob': ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'],
  'role': ['create', 'role', 'r', '--verb=get,list', '--resource=pods', '--resource-name=p1'],
  'rolebinding': ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '--serviceaccount=default:sa'],
  'clusterrole': ['create', 'clusterrole', 'cr', '--verb=get,watch', '--resource=nodes'],
  'clusterrole-nonresource': ['create', 'clusterrole', 'logs', '--verb=get', '--non-resource-url=/logs/*'],
  'clusterrolebinding': ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs'],
  'quota': ['create', 'quota', 'q', '--hard=cpu=1,memory=1Gi,pods=10,requests.cpu=500m'],
  'quota-scopes': ['create', 'quota', 'be', '--hard=pods=5', '--scopes=BestEffort'],
  'priorityclass': ['create', 'priorityclass', 'high', '--value=1000', '--description=high priority', '--preemption-policy=Never'],
  'priorityclass-zero': ['create', 'priorityclass', 'zero', '--value=0'],
  'poddisruptionbudget': ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1'],
  'poddisruptionbudget-percent': ['create', 'pdb', 'pdb2', '--selector=app=web', '--max-unavailable=50%'],
  'ingress': ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '--rule=foo.com/*=svc2:http'],
  'serviceaccount': ['create', 'serviceaccount', 'sa'],
  'token': ['create', 'token', 'sa', '--duration=1h'],
  'selfsubjectaccessreview': ['auth', 'can-i', 'create', 'pods'],
};

/** Runs kubectl against `server` with a scratch HOME/cache/kubeconfig in `home`. */
export async function runKubectl(kubectl: string, server: string, home: string, args: string[]): Promise<{ code: number; output: string }> {
  writeFileSync(join(home, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  const child = spawn(kubectl, [`--server=${server}`, `--cache-dir=${join(home, 'cache')}`, '--namespace=default', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: join(home, 'kubeconfig') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, output: output.trim() };
}

async function capture(kubectl: string): Promise<void> {
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'protobuf');
  mkdirSync(outDir, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'k8ts-record-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=recorded.example.com', '-keyout', join(home, 'tls.key'), '-out', join(home, 'tls.crt')], { stdio: 'ignore' });
    for (const [name, args] of Object.entries(CAPTURES)) {
      const server = await startRecordingServer();
      try {
        const { code, output } = await runKubectl(kubectl, server.url, home, args.map((a) => a.replace('$TMP', home)));
        const posts = server.requests.filter((r) => r.method === 'POST');
        const seen = server.requests.map((r) => `${r.method} ${r.url} ${r.contentType ?? ''}`).join('\n    ');
        const pb = posts.filter((r) => r.contentType?.startsWith('application/vnd.kubernetes.protobuf'));
        if (pb.length === 1) writeFileSync(join(outDir, `${name}.bin`), pb[0]!.body);
        console.log(`${name}: exit ${code}, ${pb.length === 1 ? 'recorded' : 'NOT recorded'}: ${output}\n    ${seen}`);
      } finally {
        await server.close();
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await capture(process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32');
}
