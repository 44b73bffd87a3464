/**
 * Test-only stand-in for a node: binds pending pods of a namespace to a node and writes them a
 * Running, Ready status through the API (what a kubelet would report). For controller tests
 * that must not depend on the scheduler or simulated nodes.
 */
import { findResource } from '../../src/api/resources.js';
import { KubeClient, type KObject } from '../../src/client/index.js';

const pods = findResource('', 'v1', 'pods')!;

export interface FakeKubeletOptions {
  node?: string;
  /** Only pods matching this label selector. */
  labelSelector?: string;
  /** Phase to report (Running by default; Succeeded/Failed finish the containers). */
  phase?: 'Running' | 'Succeeded' | 'Failed';
  ready?: boolean;
  exitCode?: number;
}

/** Binds and reports status for every matching pod that is not already in the wanted phase. */
export async function runPods(client: KubeClient, namespace: string, o: FakeKubeletOptions = {}): Promise<number> {
  const node = o.node ?? 'test-node';
  const phase = o.phase ?? 'Running';
  const ready = o.ready ?? phase === 'Running';
  const list = await client.list(pods, namespace, { labelSelector: o.labelSelector });
  let n = 0;
  for (const pod of list.items as KObject[]) {
    if (pod.metadata.deletionTimestamp || pod.status?.phase === phase) continue;
    if (!pod.spec.nodeName) {
      await client.request('POST', `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name }, target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    }
    const fresh = await client.get(pods, namespace, pod.metadata.name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const state = phase === 'Running'
      ? { running: { startedAt: now } }
      : { terminated: { exitCode: o.exitCode ?? (phase === 'Succeeded' ? 0 : 1), reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } };
    fresh.status = {
      ...fresh.status,
      phase,
      hostIP: '127.0.0.1',
      podIP: `10.42.0.${(n % 250) + 2}`,
      startTime: fresh.status?.startTime ?? now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      ],
      containerStatuses: (fresh.spec.containers ?? []).map((c: KObject) => ({
        name: c.name, image: c.image, imageID: '', ready, restartCount: 0, started: phase === 'Running', state,
      })),
    };
    await client.updateStatus(pods, fresh);
    n++;
  }
  return n;
}
