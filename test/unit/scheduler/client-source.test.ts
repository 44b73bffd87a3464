import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { InformerFactory, KubeClient, type KObject } from '../../../src/client/index.js';
import { ClientSchedulerSource, Scheduler } from '../../../src/scheduler/index.js';
import { startTestServer, type TestServer } from '../../helpers/k8ts-server.js';
import { makeNode, makePod } from './helpers.js';

async function eventually<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${what}`);
}

describe('Scheduler over the API (ClientSchedulerSource)', () => {
  let t: TestServer;
  let client: KubeClient;
  let factory: InformerFactory;
  let scheduler: Scheduler;

  beforeAll(async () => {
    t = await startTestServer({ disable: ['namespace', 'garbagecollector'] });
    client = await KubeClient.fromKubeconfig(t.kubeconfig);
    for (const name of ['w1', 'w2']) {
      const n = makeNode(name, { cpu: '2', memory: '4Gi' });
      const { metadata, spec, status } = n;
      await client.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: metadata!.name, labels: metadata!.labels }, spec });
      await client.request('PATCH', `/api/v1/nodes/${name}/status`, { status }, { contentType: 'application/merge-patch+json' });
    }
    factory = new InformerFactory(client);
    const source = new ClientSchedulerSource(client, factory);
    factory.start();
    await source.waitForSync();
    scheduler = new Scheduler(source, { queue: { initialBackoffMs: 0, maxBackoffMs: 0 } });
    scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.stop();
    await factory?.stop?.();
    client?.close();
    await t?.stop();
  });

  const podPath = (name: string) => `/api/v1/namespaces/default/pods/${name}`;
  const create = (p: Pod) => {
    const { uid: _uid, ...metadata } = p.metadata!;
    return client.request('POST', '/api/v1/namespaces/default/pods', { ...p, metadata, status: undefined });
  };

  it('binds a pod through pods/binding and records Scheduled', async () => {
    await create(makePod('small', { cpu: '500m' }));
    const node = await eventually('binding', async () => (await client.request<KObject>('GET', podPath('small'))).spec?.nodeName as string | undefined);
    expect(['w1', 'w2']).toContain(node);
    const ev = await eventually('Scheduled event', async () => {
      const list = await client.request<KObject>('GET', '/api/v1/namespaces/default/events');
      return (list.items as KObject[]).find((e) => e.involvedObject?.name === 'small' && e.reason === 'Scheduled');
    });
    expect(ev.message).toBe(`Successfully assigned default/small to ${node}`);
    expect(ev.source).toEqual({ component: 'default-scheduler' });
  });

  it('leaves an oversized pod Pending with FailedScheduling and PodScheduled=False', async () => {
    await create(makePod('huge', { cpu: '64' }));
    const want = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..';
    const cond = await eventually('PodScheduled condition', async () => {
      const p = await client.request<KObject>('GET', podPath('huge'));
      return (p.status?.conditions as KObject[] | undefined)?.find((c) => c.type === 'PodScheduled');
    });
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: want });
    const ev = await eventually('FailedScheduling event', async () => {
      const list = await client.request<KObject>('GET', '/api/v1/namespaces/default/events');
      return (list.items as KObject[]).find((e) => e.involvedObject?.name === 'huge' && e.reason === 'FailedScheduling');
    });
    expect(ev).toMatchObject({ type: 'Warning', message: want });
    const described = await t.kubectl(['describe', 'pod', 'huge']);
    expect(described.stdout).toContain('FailedScheduling');
  });
});
