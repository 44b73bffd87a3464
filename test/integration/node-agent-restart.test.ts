/**
 * Restarting the node agent (containerd and the pods keep running): running containers are picked
 * back up from the runtime — same container, same restart count — and what belongs to pods deleted
 * meanwhile is cleaned up.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
let t: TestServer;

async function waitRunning(name: string, minRestarts = 0): Promise<any> {
  let pod: any;
  await pollUntil(async () => {
    const r = await t.kubectl(['get', 'pod', name, '-o', 'json']);
    if (r.code !== 0) return false;
    pod = JSON.parse(r.stdout);
    return pod.status?.phase === 'Running' && pod.status.containerStatuses?.every((c: any) => c.ready && c.restartCount >= minRestarts);
  }, `${name} Running`, 1200, 100);
  return pod;
}

beforeAll(async () => {
  t = await startTestServer({ runtime: 'containerd', nodeName: 'restart-node' });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'restart-node'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
}, 180_000);

afterAll(async () => {
  await t?.stop();
}, 120_000);

it('leaves running pods running across an agent restart and cleans up pods deleted meanwhile', async () => {
  const pod = (name: string, command: string) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'state', emptyDir: {} }],
      containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', command], volumeMounts: [{ name: 'state', mountPath: '/state' }] }],
    },
  });
  await t.ok(['apply', '-f', '-'], pod('keeper', 'exec sleep 3600'));
  // A container that already restarted once: its count must survive the agent restart too.
  await t.ok(['apply', '-f', '-'], pod('restarted', 'if [ -f /state/x ]; then exec sleep 3600; fi; touch /state/x; exit 1'));
  await t.ok(['apply', '-f', '-'], pod('doomed', 'exec sleep 3600'));
  const before = await waitRunning('keeper');
  await waitRunning('doomed');
  // The first run leaves a mark in the emptyDir and fails; the second one keeps running (the first
  // run may itself be seen Running and ready for a moment, so wait for the restart).
  const restartedBefore = await waitRunning('restarted', 1);
  expect(restartedBefore.status.containerStatuses[0].restartCount).toBe(1);
  expect(restartedBefore.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  const doomedUid = JSON.parse(await t.ok(['get', 'pod', 'doomed', '-o', 'json'])).metadata.uid;

  const settled = JSON.parse(await t.ok(['get', 'pod', 'keeper', '-o', 'json']));
  const node = t.server.node!;
  await node.restartAgent(async () => {
    // While no agent runs, the pod can only go away by force.
    await t.ok(['delete', 'pod', 'doomed', '--force', '--grace-period=0']);
  });

  // The agent is back: a new pod runs, proving it has synced since.
  await t.ok(['apply', '-f', '-'], pod('newcomer', 'exec sleep 3600'));
  await waitRunning('newcomer');

  const after = await waitRunning('keeper');
  expect(after.status.containerStatuses[0].containerID).toBe(before.status.containerStatuses[0].containerID);
  expect(after.status.containerStatuses[0].restartCount).toBe(0);
  expect(after.status.containerStatuses[0].state.running.startedAt).toBe(before.status.containerStatuses[0].state.running.startedAt);
  expect(after.status.podIP).toBe(before.status.podIP);
  // Nothing about it changed, so the restarted agent wrote nothing: it never flapped to unready.
  expect(after.status).toEqual(settled.status);
  expect(after.metadata.resourceVersion).toBe(settled.metadata.resourceVersion);

  const restartedAfter = JSON.parse(await t.ok(['get', 'pod', 'restarted', '-o', 'json']));
  const cs = restartedAfter.status.containerStatuses[0];
  expect(cs.containerID).toBe(restartedBefore.status.containerStatuses[0].containerID);
  expect(cs.restartCount).toBe(1);
  expect(cs.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });

  // The force-deleted pod's sandbox and containers are stopped and removed by the restarted agent.
  await pollUntil(async () => {
    const res = await node.cri.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': doomedUid } } });
    return (res.items ?? []).length === 0;
  }, 'orphan sandbox removed', 600, 100);
  const list = await t.ok(['get', 'pods']);
  expect(list).toMatch(/keeper\s+1\/1\s+Running\s+0\s/);
  expect(list).toMatch(/restarted\s+1\/1\s+Running\s+1 \(\S+ ago\)\s/);
}, 180_000);
