/**
 * Durability and lifecycle of `k8ts server` as a child process, on SQLite and on a real etcd
 * (which stays up while k8ts restarts): an acknowledged write survives kill -9; SIGTERM ends
 * watches cleanly, finishes the write in flight and exits 0; a restart on the same data dir keeps
 * the cluster's identity (CA, certificates, kubeconfig) and every object.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { runKubectl } from '../helpers/k8ts-server.js';
import { rawClient, type RawClient } from '../helpers/raw-https.js';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const cm = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Cluster {
  dataDir: string;
  port: number;
  store: 'sqlite' | 'etcd';
  etcd?: TestEtcd;
  start(): Promise<ServerProcess>;
}

async function cluster(store: 'sqlite' | 'etcd'): Promise<Cluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-durability-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const etcd = store === 'etcd' ? await startEtcd() : undefined;
  if (etcd) cleanups.push(() => etcd.stop());
  const port = await freePort();
  return {
    dataDir, port, store, etcd,
    async start() {
      const p = await startServerProcess({ dataDir, port, store, etcdEndpoints: etcd?.endpoints });
      cleanups.push(async () => {
        p.kill('SIGKILL');
        await p.exited;
      });
      return p;
    },
  };
}

function client(p: ServerProcess, dataDir: string): RawClient {
  const c = rawClient(p.url, dataDir);
  cleanups.push(() => c.close());
  return c;
}

async function names(c: RawClient): Promise<Map<string, any>> {
  const r = await c.get(CMS);
  expect(r.status, r.text).toBe(200);
  return new Map(r.body.items.map((o: any) => [o.metadata.name, o]));
}

describe.each(['sqlite', 'etcd'] as const)('k8ts server on %s', (store) => {
  it('every acknowledged write survives SIGKILL mid-stream; the restart keeps the identity', async () => {
    const k = await cluster(store);
    const first = await k.start();
    const ca = await readFile(join(k.dataDir, 'pki/ca.crt'));
    const adminCert = await readFile(join(k.dataDir, 'pki/admin.crt'));
    const kubeconfig = await readFile(join(k.dataDir, 'kubeconfig.yaml'), 'utf8');
    const oldKubeconfig = join(k.dataDir, '..', `${k.dataDir.split('/').pop()}-old-kubeconfig.yaml`);
    await writeFile(oldKubeconfig, kubeconfig);
    cleanups.push(() => rm(oldKubeconfig, { force: true }));
    const c = client(first, k.dataDir);
    const systemUid = (await c.get('/api/v1/namespaces/kube-system')).body.metadata.uid;

    // Eight writers create ConfigMaps as fast as the server acknowledges them.
    const acked: { name: string; rv: string }[] = [];
    let killed = false;
    let reached!: () => void;
    const enough = new Promise<void>((res) => (reached = res));
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; ; i++) {
        const name = `cm-${w}-${i}`;
        try {
          const r = await c.post(CMS, cm(name));
          if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.text}`);
          acked.push({ name, rv: r.body.metadata.resourceVersion });
          if (acked.length >= 150) reached();
        } catch (err) {
          if (killed) return; // refused or cut off by the kill: not acknowledged
          throw err;
        }
        if (killed) return;
      }
    };
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    await Promise.race([enough, writers]);
    killed = true;
    first.kill('SIGKILL');
    await writers;
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acked.length).toBeGreaterThanOrEqual(150);

    const second = await k.start();
    // Same identity: CA and admin certificate bytes, and the kubeconfig the first run wrote.
    expect(await readFile(join(k.dataDir, 'pki/ca.crt'))).toEqual(ca);
    expect(await readFile(join(k.dataDir, 'pki/admin.crt'))).toEqual(adminCert);
    expect(await readFile(join(k.dataDir, 'kubeconfig.yaml'), 'utf8')).toBe(kubeconfig);

    const c2 = client(second, k.dataDir);
    const stored = await names(c2);
    const missing = acked.filter((a) => !stored.has(a.name));
    expect(missing).toEqual([]);
    for (const a of acked) {
      expect(stored.get(a.name).metadata.resourceVersion).toBe(a.rv);
      expect(stored.get(a.name).data).toEqual({ name: a.name });
    }
    expect((await c2.get('/api/v1/namespaces/kube-system')).body.metadata.uid).toBe(systemUid);

    // The kubeconfig saved before the crash still works, with the real kubectl.
    const r = await runKubectl(['--kubeconfig', oldKubeconfig, 'get', 'configmaps', '-n', 'default', '-o', 'name']);
    expect(r.stderr).toBe('');
    const listed = new Set(r.stdout.trim().split('\n'));
    for (const a of acked) expect(listed.has(`configmap/${a.name}`)).toBe(true);

    // Writes go on after the restart.
    expect((await c2.post(CMS, cm('after-restart'))).status).toBe(201);
  });

  it('SIGTERM ends watches cleanly, finishes the writes in flight, exits 0; the restart keeps everything', async () => {
    const k = await cluster(store);
    const first = await k.start();
    const c = client(first, k.dataDir);
    const before: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.post(CMS, cm(`before-${i}`));
      expect(r.status).toBe(201);
      before.push(r.body.metadata.name);
    }
    // (Leaving out the cluster CA ConfigMap the root CA publisher adds to every namespace.)
    const watch = await c.watch(`${CMS}?watch=true&fieldSelector=${encodeURIComponent('metadata.name!=kube-root-ca.crt')}`);
    expect(watch.status).toBe(200);
    await watch.waitFor(before.length);

    // Creates whose headers reach the server (it answers 100 Continue) but whose bodies are sent
    // only once the shutdown has visibly begun (the watch ended). Their 900 KB responses cannot
    // leave in one socket write, so a shutdown that drops connections too early cuts them off.
    const pki = join(k.dataDir, 'pki');
    const agent = new Agent({ ca: await readFile(join(pki, 'ca.crt')), cert: await readFile(join(pki, 'admin.crt')), key: await readFile(join(pki, 'admin.key')), maxSockets: 8 });
    cleanups.push(() => agent.destroy());
    const inFlightNames = ['in-flight-0', 'in-flight-1', 'in-flight-2', 'in-flight-3'];
    let continued = 0;
    const inFlight = inFlightNames.map((name) => new Promise<{ status: number; body: any }>((resolve, reject) => {
      const body = JSON.stringify({ ...cm(name), data: { big: 'x'.repeat(900 * 1024) } });
      const req = request({
        host: '127.0.0.1', port: k.port, path: CMS, method: 'POST', agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        res.on('aborted', () => reject(new Error(`response to ${name} cut off after ${text.length} characters`)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('continue', () => {
        if (++continued === inFlightNames.length) first.kill('SIGTERM');
        void watch.ended.then(() => req.end(body));
      });
      req.flushHeaders();
    }));

    const created = await Promise.all(inFlight);
    for (const [i, r] of created.entries()) {
      expect(r.status).toBe(201);
      expect(r.body.metadata.name).toBe(inFlightNames[i]);
      expect(r.body.data.big).toHaveLength(900 * 1024);
    }
    expect(watch.isEnded()).toBe(true);
    expect(watch.endedCleanly()).toBe(true);
    expect(watch.events.map((e) => e.type)).toEqual(before.map(() => 'ADDED'));
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('SIGTERM received, shutting down');

    const second = await k.start();
    const stored = await names(client(second, k.dataDir));
    for (const n of before) expect(stored.has(n)).toBe(true);
    for (const r of created) expect(stored.get(r.body.metadata.name)?.metadata.resourceVersion).toBe(r.body.metadata.resourceVersion);
  });

  it('SIGINT shuts down the same way', async () => {
    const k = await cluster(store);
    const first = await k.start();
    const c = client(first, k.dataDir);
    expect((await c.post(CMS, cm('kept'))).status).toBe(201);
    const watch = await c.watch(`${CMS}?watch=true`);
    await watch.waitFor(1);
    first.kill('SIGINT');
    await watch.ended;
    expect(watch.endedCleanly()).toBe(true);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const second = await k.start();
    expect((await names(client(second, k.dataDir))).has('kept')).toBe(true);
  });
});
