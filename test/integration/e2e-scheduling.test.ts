/**
 * Issue 3 "Done means", placement and node failure, end to end: the real kubectl 1.32 against
 * `k8ts server --runtime sim --sim-nodes 3` with the scheduler and every controller. Taints and
 * tolerations, node affinity and nodeSelector, topology spread, an oversized pod's
 * FailedScheduling event, `kubectl drain`, and a stopped node going NotReady with its pods
 * replaced elsewhere (short lease renewals, grace period and default toleration seconds so it
 * shows within the test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, rows, startE2E, type E2E } from '../helpers/e2e.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E({
    nodeMonitorGracePeriodMs: 3000,
    simNode: { leaseRenewMs: 500 },
    // Pods tolerate a failed node for 2 s instead of upstream's default 300 s.
    defaultNotReadyTolerationSeconds: 2,
    defaultUnreachableTolerationSeconds: 2,
  });
}, 60_000);
afterAll(async () => {
  await e?.t.stop();
});

/** A Deployment of `replicas` pods labelled app=NAME, with extra pod spec fields. */
function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...spec, containers: [{ name: 'main', image: 'nginx', ...container }] } },
    },
  });
}

async function rolledOut(name: string): Promise<void> {
  await e.ok(['rollout', 'status', `deploy/${name}`, '--timeout=60s']);
}

/** How many pods of app=NAME are on each node. */
async function perNode(name: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const n of await e.nodesOf('default', `app=${name}`)) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

/** The message of the pod's latest FailedScheduling event, as `kubectl describe pod` shows it. */
async function failedScheduling(pod: string): Promise<string> {
  return eventually(async () => {
    const out = await e.ok(['describe', 'pod', pod]);
    const m = /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+(.*)$/m.exec(out);
    return m?.[1];
  }, `FailedScheduling for ${pod}`);
}

describe('placement', () => {
  it('a pod that needs more cpu than any node has stays Pending with upstream\'s FailedScheduling message', async () => {
    await e.ok(['run', 'big', '--image=nginx', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '100' } } }] } })]);
    expect(await failedScheduling('big')).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..');
    const row = rows(await e.ok(['get', 'pod', 'big', '-o', 'wide', '--no-headers']))[0];
    expect([row[1], row[2], row[5], row[6]]).toEqual(['0/1', 'Pending', '<none>', '<none>']);
    const p = await e.json('get', 'pod', 'big');
    expect(p.status.conditions).toMatchObject([{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }]);
    expect(p.spec.nodeName).toBeUndefined();
    await e.ok(['delete', 'pod', 'big']);
  });

  it('taints keep pods off a node unless they tolerate it; required node affinity and nodeSelector pin them', async () => {
    expect(await e.ok(['taint', 'node', 'sim-node-1', 'dedicated=db:NoSchedule'])).toBe('node/sim-node-1 tainted\n');
    expect(await e.ok(['label', 'node', 'sim-node-2', 'disk=ssd'])).toBe('node/sim-node-2 labeled\n');
    await e.ok(['apply', '-f', '-'], deployment('plain', 6));
    await e.ok(['apply', '-f', '-'], deployment('db', 3, {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['sim-node-1'] }] }] } } },
    }));
    await e.ok(['apply', '-f', '-'], deployment('ssd', 3, { nodeSelector: { disk: 'ssd' } }));
    await Promise.all(['plain', 'db', 'ssd'].map(rolledOut));
    expect(await perNode('plain')).toEqual({ 'sim-node-2': 3, 'sim-node-3': 3 });
    expect(await perNode('db')).toEqual({ 'sim-node-1': 3 });
    expect(await perNode('ssd')).toEqual({ 'sim-node-2': 3 });

    // Nothing matches: Pending, and the event says why per node.
    await e.ok(['run', 'nowhere', '--image=nginx', '--overrides', JSON.stringify({ spec: { nodeSelector: { disk: 'nvme' } } })]);
    expect(await failedScheduling('nowhere')).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..");
    // A matching label lets it schedule: the scheduler retries unschedulable pods when nodes change.
    await e.ok(['label', 'node', 'sim-node-3', 'disk=nvme']);
    await e.ok(['wait', '--for=condition=Ready', 'pod/nowhere', '--timeout=60s']);
    expect((await e.json('get', 'pod', 'nowhere')).spec.nodeName).toBe('sim-node-3');

    await e.ok(['delete', 'deploy', 'plain', 'db', 'ssd']);
    await e.ok(['delete', 'pod', 'nowhere']);
    expect(await e.ok(['taint', 'node', 'sim-node-1', 'dedicated=db:NoSchedule-'])).toBe('node/sim-node-1 untainted\n');
    await eventually(async () => (await e.ok(['get', 'pods', '-o', 'name'])) === '', 'pods gone');
  });

  it('topology spread constraints: DoNotSchedule over zones and hosts', async () => {
    await e.ok(['label', 'node', 'sim-node-1', 'sim-node-2', 'topology.kubernetes.io/zone=zone-a']);
    await e.ok(['label', 'node', 'sim-node-3', 'topology.kubernetes.io/zone=zone-b']);
    // Zone skew at most 1: zone-b (one node) gets as many as zone-a (two nodes).
    await e.ok(['apply', '-f', '-'], deployment('zonal', 6, {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'zonal' } } }],
    }));
    await rolledOut('zonal');
    const zonal = await perNode('zonal');
    expect(zonal['sim-node-3']).toBe(3);
    expect((zonal['sim-node-1'] ?? 0) + (zonal['sim-node-2'] ?? 0)).toBe(3);

    // Host skew at most 1 with 7 pods: 3/2/2 in some order.
    await e.ok(['apply', '-f', '-'], deployment('hosts', 7, {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'hosts' } } }],
    }));
    await rolledOut('hosts');
    expect(Object.values(await perNode('hosts')).sort()).toEqual([2, 2, 3]);
    await e.ok(['delete', 'deploy', 'zonal', 'hosts']);
  });
});

describe('node maintenance and failure', () => {
  it('kubectl drain --ignore-daemonsets --force evicts the node\'s pods and their controllers recreate them elsewhere', async () => {
    await e.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } },
    }));
    await e.ok(['apply', '-f', '-'], deployment('web', 6));
    await e.ok(['run', 'bare', '--image=nginx', '--overrides', JSON.stringify({ spec: { nodeName: 'sim-node-2' } })]);
    await rolledOut('web');
    await e.ok(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    // Drain ignores the DaemonSet pod only once it is on the node: wait for it there.
    await eventually(async () => (await e.nodesOf('default', 'app=agent')).includes('sim-node-2'), 'the DaemonSet pod on sim-node-2');
    await e.ok(['wait', '--for=condition=Ready', 'pod/bare', '--timeout=60s']);
    const before = (await perNode('web'))['sim-node-2'];
    expect(before).toBeGreaterThan(0);

    const r = await e.t.kubectl(['drain', 'sim-node-2', '--ignore-daemonsets', '--force', '--timeout=60s'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('node/sim-node-2 cordoned');
    expect(r.stdout).toContain('evicting pod default/bare');
    expect(r.stdout).toContain('node/sim-node-2 drained');
    // kubectl joins its two warnings in either order (it ranges over a Go map).
    expect(r.stderr).toMatch(/^Warning: .*(ignoring DaemonSet-managed Pods: default\/agent-\S+|deleting Pods that declare no controller: default\/bare)/m);
    expect(r.stderr).toMatch(/ignoring DaemonSet-managed Pods: default\/agent-\S+/);
    expect(r.stderr).toMatch(/deleting Pods that declare no controller: default\/bare/);
    expect(r.stdout.match(/^pod\/web-\S+ evicted$/gm)).toHaveLength(before);

    expect(rows(await e.ok(['get', 'node', 'sim-node-2', '--no-headers']))[0][1]).toBe('Ready,SchedulingDisabled');
    await rolledOut('web');
    expect((await perNode('web'))['sim-node-2']).toBeUndefined();
    expect(rows(await e.ok(['get', 'pods', '-l', 'app=web', '--no-headers'])).every((x) => x[2] === 'Running')).toBe(true);
    expect(await e.nodesOf('default', 'app=agent')).toContain('sim-node-2');
    expect((await e.t.kubectl(['get', 'pod', 'bare'])).stderr).toContain('pods "bare" not found');

    expect(await e.ok(['uncordon', 'sim-node-2'])).toBe('node/sim-node-2 uncordoned\n');
    await e.ok(['delete', 'deploy', 'web']);
  });

  it('a stopped node goes NotReady; its pods are evicted after their toleration and replaced on the other nodes', async () => {
    expect(await e.ok(['create', 'deployment', 'svc', '--image=nginx', '--replicas=6'])).toBe('deployment.apps/svc created\n');
    await rolledOut('svc');
    // Admission gave every pod the server's default tolerations.
    expect((await e.json('get', 'pods', '-l', 'app=svc')).items[0].spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
    ]);
    const onNode3 = (await e.json('get', 'pods', '-l', 'app=svc')).items.filter((p: any) => p.spec.nodeName === 'sim-node-3').map((p: any) => p.metadata.name);
    expect(onNode3.length).toBeGreaterThan(0);

    await e.t.server.simNodes!.get('sim-node-3')!.stop();
    await eventually(async () => /^sim-node-3\s+NotReady\s/m.test(await e.ok(['get', 'nodes', '--no-headers'])), 'sim-node-3 NotReady');
    expect(await e.ok(['describe', 'node', 'sim-node-3'])).toMatch(/Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute/);

    // Replacements run elsewhere; the evicted pods stay Terminating (their node cannot confirm), as upstream.
    await eventually(async () => {
      const pods = (await e.json('get', 'pods', '-l', 'app=svc')).items;
      const live = pods.filter((p: any) => !p.metadata.deletionTimestamp);
      return live.length === 6 && live.every((p: any) => p.spec.nodeName !== 'sim-node-3'
        && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) ? pods : undefined;
    }, 'six ready svc pods off sim-node-3');
    for (const name of onNode3) {
      const p = await e.json('get', 'pod', name);
      expect(p.metadata.deletionTimestamp).toBeTruthy();
      expect(p.status.conditions.find((c: any) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    }
    expect(rows(await e.ok(['get', 'deploy', 'svc', '--no-headers']))[0].slice(0, 4)).toEqual(['svc', '6/6', '6', '6']);
    // The DaemonSet pod tolerates unreachable forever and stays.
    const agent = (await e.json('get', 'pods', '-l', 'app=agent')).items.find((p: any) => p.spec.nodeName === 'sim-node-3');
    expect(agent.metadata.deletionTimestamp).toBeUndefined();
  });
});
