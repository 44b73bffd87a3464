/**
 * Storage end to end on a real node (containerd through the node agent), as a user sees it with the
 * real kubectl: the seeds' static PersistentVolume and claim bind; the seeds' efs claim waits for
 * its external provisioner (and a pod using it is unschedulable); a claim of the default
 * local-path class is provisioned when its first pod is scheduled, and data written by one pod is
 * read by the next; a claim in use stays Terminating until its pod is gone; Delete removes the
 * volume and its directory, Retain leaves a Released volume; ReadWriteOncePod admits one pod; the
 * seeds' StatefulSet gets a bound claim per ordinal (kept on scale-down by default); a set with
 * whenDeleted: Delete takes its claims, volumes and directories with it.
 */
import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
const SEEDS = join(import.meta.dirname, '..', 'fixtures', 'seeds');
let t: TestServer;

const exists = (p: string) => access(p).then(() => true, () => false);

async function get(args: string[]): Promise<string> {
  const r = await t.kubectl(['get', ...args]);
  return r.code === 0 ? r.stdout : '';
}

async function waitFor(args: string[], want: string, what: string): Promise<void> {
  let last = '';
  await pollUntil(async () => (last = await get(args)) === want, `${what} (last: ${last})`, 1200, 100);
}

function pod(name: string, claim: string, script: string, extra = ''): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${IMAGE}, command: [sh, -c, '${script}'], volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: ${claim}${extra}}}
`;
}

function claim(name: string, opts: { cls?: string; mode?: string } = {}): string {
  return `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  ${opts.cls ? `storageClassName: ${opts.cls}` : ''}
  accessModes: [${opts.mode ?? 'ReadWriteOnce'}]
  resources: {requests: {storage: 100Mi}}
`;
}

async function pvPath(pv: string): Promise<string> {
  const o = JSON.parse(await t.ok(['get', 'pv', pv, '-o', 'json']));
  return o.spec.hostPath?.path ?? o.spec.local?.path;
}

async function events(ns: string, name: string, reason: string): Promise<string> {
  return get(['events', '-n', ns, '--field-selector', `involvedObject.name=${name},reason=${reason}`, '-o', 'jsonpath={.items[*].message}']);
}

beforeAll(async () => {
  t = await startTestServer({
    runtime: 'containerd', nodeName: 'node-storage', agent: { resyncMs: 500 },
    log: (m) => process.env.K8TS_TEST_LOG && process.stderr.write(`${m}\n`),
  });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'node-storage'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
  await pollUntil(async () => (await t.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 'default ServiceAccount', 600, 100);
  await t.ok(['apply', '-f', join(SEEDS, '01-namespace.yaml')]);
  await pollUntil(async () => (await t.kubectl(['get', 'serviceaccount', 'default', '-n', 'seed-demo'])).code === 0, 'seed-demo ServiceAccount', 600, 100);
}, 180_000);

afterAll(async () => {
  await t?.kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true'], { timeoutMs: 60_000 });
  await t?.stop();
}, 120_000);

describe('storage on a real node', () => {
  it('binds the seeds\' static volume and claim, and keeps the efs claim waiting for its provisioner', async () => {
    await t.ok(['apply', '-f', join(SEEDS, '07-storage.yaml')]);
    await waitFor(['pvc', 'task-pv-claim', '-n', 'seed-demo', '-o', 'jsonpath={.status.phase}/{.spec.volumeName}'], 'Bound/task-pv-volume', 'task-pv-claim Bound');
    await waitFor(['pv', 'task-pv-volume', '-o', 'jsonpath={.status.phase}/{.spec.claimRef.namespace}/{.spec.claimRef.name}'], 'Bound/seed-demo/task-pv-claim', 'task-pv-volume Bound');
    const table = await t.ok(['get', 'pv', 'task-pv-volume']);
    expect(table).toMatch(/task-pv-volume\s+1Gi\s+RWO\s+Retain\s+Bound\s+seed-demo\/task-pv-claim\s+manual/);

    let msg = '';
    await pollUntil(async () => (msg = await events('seed-demo', 'efs-claim', 'ExternalProvisioning')) !== '', 'ExternalProvisioning event', 1200, 100);
    expect(msg).toContain("'efs.csi.aws.com'");
    expect(await get(['pvc', 'efs-claim', '-n', 'seed-demo', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    expect(await t.ok(['describe', 'pvc', 'efs-claim', '-n', 'seed-demo'])).toContain('ExternalProvisioning');

    // A pod using the waiting claim cannot be scheduled, with the scheduler's upstream wording.
    await t.ok(['apply', '-n', 'seed-demo', '-f', '-'], pod('efs-user', 'efs-claim', 'true'));
    let sched = '';
    await pollUntil(async () => (sched = await events('seed-demo', 'efs-user', 'FailedScheduling')) !== '', 'FailedScheduling', 1200, 100);
    expect(sched).toContain('0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
    await t.ok(['delete', 'pod', 'efs-user', '-n', 'seed-demo', '--wait=false']);
  });

  it('provisions a default-class claim when its pod is scheduled; the next pod reads what the first wrote; Delete removes volume and directory', async () => {
    await waitFor(['storageclass', 'local-path', '-o', 'jsonpath={.provisioner}/{.volumeBindingMode}/{.reclaimPolicy}'],
      'k8ts.io/local-path/WaitForFirstConsumer/Delete', 'default StorageClass');
    expect(await t.ok(['get', 'storageclass'])).toMatch(/local-path \(default\)\s+k8ts\.io\/local-path\s+Delete\s+WaitForFirstConsumer/);
    await t.ok(['apply', '-f', '-'], claim('data'));
    expect(await get(['pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}'])).toBe('local-path');
    let waitMsg = '';
    await pollUntil(async () => (waitMsg = await events('default', 'data', 'WaitForFirstConsumer')) !== '', 'WaitForFirstConsumer event', 1200, 100);
    expect(waitMsg).toContain('waiting for first consumer to be created before binding');
    expect(await get(['pvc', 'data', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');

    await t.ok(['apply', '-f', '-'], pod('writer', 'data', 'echo written-by-writer > /data/note'));
    await waitFor(['pvc', 'data', '-o', 'jsonpath={.status.phase}'], 'Bound', 'data Bound');
    const pvc = JSON.parse(await t.ok(['get', 'pvc', 'data', '-o', 'json']));
    expect(pvc.metadata.annotations['volume.kubernetes.io/selected-node']).toBe('node-storage');
    const pvName: string = pvc.spec.volumeName;
    const pv = JSON.parse(await t.ok(['get', 'pv', pvName, '-o', 'json']));
    expect(pv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('k8ts.io/local-path');
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(JSON.stringify(pv.spec.nodeAffinity)).toContain('node-storage');
    const dir = await pvPath(pvName);
    await waitFor(['pod', 'writer', '-o', 'jsonpath={.status.phase}'], 'Succeeded', 'writer Succeeded');
    expect(await readFile(join(dir, 'note'), 'utf8')).toBe('written-by-writer\n');

    await t.ok(['apply', '-f', '-'], pod('reader', 'data', 'cat /data/note; sleep 3600'));
    await pollUntil(async () => (await t.kubectl(['logs', 'reader'])).stdout === 'written-by-writer\n', 'reader output', 1200, 100);

    // In use: the claim stays Terminating until the pods using it are gone.
    await t.ok(['delete', 'pvc', 'data', '--wait=false']);
    await waitFor(['pvc', 'data', '-o', 'jsonpath={.metadata.finalizers}'], '["kubernetes.io/pvc-protection"]', 'protection finalizer');
    expect(await get(['pvc', 'data', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).not.toBe('');
    expect(await t.ok(['get', 'pvc', 'data'])).toMatch(/data\s+Terminating/);
    await t.ok(['delete', 'pod', 'reader', 'writer', '--grace-period=1']);
    await pollUntil(async () => (await t.kubectl(['get', 'pvc', 'data'])).code !== 0, 'claim removed', 1200, 100);
    await pollUntil(async () => (await t.kubectl(['get', 'pv', pvName])).code !== 0, 'volume deleted', 1200, 100);
    expect(await exists(dir)).toBe(false);
  });

  it('leaves a Released volume and its directory with Retain', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: k8ts.io/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
`);
    await t.ok(['apply', '-f', '-'], claim('kept', { cls: 'keep' }));
    await t.ok(['apply', '-f', '-'], pod('keeper', 'kept', 'echo kept > /data/f'));
    await waitFor(['pod', 'keeper', '-o', 'jsonpath={.status.phase}'], 'Succeeded', 'keeper Succeeded');
    const pvName = await get(['pvc', 'kept', '-o', 'jsonpath={.spec.volumeName}']);
    expect(pvName).not.toBe('');
    const dir = await pvPath(pvName);
    await t.ok(['delete', 'pod', 'keeper']);
    await t.ok(['delete', 'pvc', 'kept']);
    await waitFor(['pv', pvName, '-o', 'jsonpath={.status.phase}'], 'Released', 'volume Released');
    expect(await t.ok(['get', 'pv', pvName])).toMatch(new RegExp(`${pvName}\\s+100Mi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+keep`));
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('kept\n');
  });

  it('binds a WaitForFirstConsumer claim to a static volume the chosen node can use', async () => {
    const affinity = (node: string) => `{required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node}]}]}]}}`;
    await t.ok(['apply', '-f', '-'], `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-static}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: elsewhere}
spec:
  storageClassName: local-static
  capacity: {storage: 100Mi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${join(t.dataDir, 'elsewhere')}, type: DirectoryOrCreate}
  nodeAffinity: ${affinity('another-node')}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: here}
spec:
  storageClassName: local-static
  capacity: {storage: 200Mi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${join(t.dataDir, 'here')}, type: DirectoryOrCreate}
  nodeAffinity: ${affinity('node-storage')}
`);
    await t.ok(['apply', '-f', '-'], claim('near', { cls: 'local-static' }));
    let waitMsg = '';
    await pollUntil(async () => (waitMsg = await events('default', 'near', 'WaitForFirstConsumer')) !== '', 'WaitForFirstConsumer event', 1200, 100);
    expect(waitMsg).toContain('waiting for first consumer to be created before binding');
    expect(await get(['pvc', 'near', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    await t.ok(['apply', '-f', '-'], pod('near-user', 'near', 'echo near > /data/f'));
    await waitFor(['pvc', 'near', '-o', 'jsonpath={.status.phase}/{.spec.volumeName}'], 'Bound/here', 'near Bound to here');
    await waitFor(['pod', 'near-user', '-o', 'jsonpath={.status.phase}'], 'Succeeded', 'near-user Succeeded');
    expect(await readFile(join(t.dataDir, 'here', 'f'), 'utf8')).toBe('near\n');
    expect(await get(['pv', 'elsewhere', '-o', 'jsonpath={.status.phase}'])).toBe('Available');
    await t.ok(['delete', 'pod', 'near-user']);
  });

  it('admits one pod at a time to a ReadWriteOncePod claim', async () => {
    // A static volume pre-bound to the claim (no provisioning involved).
    await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: PersistentVolume
metadata: {name: solo-pv}
spec:
  storageClassName: ""
  capacity: {storage: 100Mi}
  accessModes: [ReadWriteOncePod]
  hostPath: {path: ${join(t.dataDir, 'solo-pv')}, type: DirectoryOrCreate}
  claimRef: {namespace: default, name: solo}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: solo}
spec:
  storageClassName: ""
  volumeName: solo-pv
  accessModes: [ReadWriteOncePod]
  resources: {requests: {storage: 100Mi}}
`);
    await t.ok(['apply', '-f', '-'], pod('solo-1', 'solo', 'sleep 3600'));
    await waitFor(['pod', 'solo-1', '-o', 'jsonpath={.status.phase}'], 'Running', 'solo-1 Running');
    await t.ok(['apply', '-f', '-'], pod('solo-2', 'solo', 'sleep 3600'));
    let msg = '';
    await pollUntil(async () => (msg = await events('default', 'solo-2', 'FailedScheduling')) !== '', 'FailedScheduling for solo-2', 1200, 100);
    expect(msg).toContain('node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode');
    expect(await get(['pod', 'solo-2', '-o', 'jsonpath={.spec.nodeName}'])).toBe('');
    await t.ok(['delete', 'pod', 'solo-1', '--grace-period=1']);
    await waitFor(['pod', 'solo-2', '-o', 'jsonpath={.status.phase}'], 'Running', 'solo-2 Running after solo-1 left');
    await t.ok(['delete', 'pod', 'solo-2', '--grace-period=1', '--wait=false']);
  });

  it('deletes a StatefulSet\'s provisioned claims, volumes and directories with whenDeleted: Delete', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: scratch}
spec:
  serviceName: scratch
  replicas: 1
  selector: {matchLabels: {app: scratch}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Retain}
  template:
    metadata: {labels: {app: scratch}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: ${IMAGE}, command: [sleep, '3600'], volumeMounts: [{name: data, mountPath: /data}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 100Mi}}}
`);
    await waitFor(['pvc', 'data-scratch-0', '-o', 'jsonpath={.status.phase}'], 'Bound', 'data-scratch-0 Bound');
    const pvName = await get(['pvc', 'data-scratch-0', '-o', 'jsonpath={.spec.volumeName}']);
    const dir = await pvPath(pvName);
    expect(await exists(dir)).toBe(true);
    await t.ok(['delete', 'statefulset', 'scratch']);
    await pollUntil(async () => (await t.kubectl(['get', 'pvc', 'data-scratch-0'])).code !== 0, 'claim deleted with the set', 1200, 100);
    await pollUntil(async () => (await t.kubectl(['get', 'pv', pvName])).code !== 0, 'volume deleted', 1200, 100);
    expect(await exists(dir)).toBe(false);
  });

  it('gives the seeds\' StatefulSet a bound claim per ordinal', async () => {
    // The seed's nginx image cannot be pulled here: the same set with the local busybox image.
    const seed = readFileSync(join(SEEDS, '05-statefulset.yaml'), 'utf8')
      .replace(/image: nginx:1\.14\.2/, `image: ${IMAGE}\n        command: [sleep, '3600']`)
      .replace(/\n {6}containers:/, '\n      terminationGracePeriodSeconds: 1\n      containers:');
    expect(seed).toContain(IMAGE);
    expect(seed).toContain('terminationGracePeriodSeconds: 1');
    await t.ok(['apply', '-f', '-'], seed);
    for (const i of [0, 1]) {
      await waitFor(['pvc', `sc-storage-example-statefulset-${i}`, '-n', 'seed-demo', '-o', 'jsonpath={.status.phase}'], 'Bound', `claim ${i} Bound`);
    }
    await waitFor(['statefulset', 'example-statefulset', '-n', 'seed-demo', '-o', 'jsonpath={.status.readyReplicas}'], '2', 'set ready');
    const table = await t.ok(['get', 'pvc', '-n', 'seed-demo']);
    expect(table).toMatch(/sc-storage-example-statefulset-0\s+Bound\s+pvc-/);
    expect(table).toMatch(/sc-storage-example-statefulset-1\s+Bound\s+pvc-/);
    // The default retention policy (Retain) keeps a scaled-down ordinal's claim.
    await t.ok(['scale', 'statefulset', 'example-statefulset', '-n', 'seed-demo', '--replicas=1']);
    await pollUntil(async () => (await t.kubectl(['get', 'pod', 'example-statefulset-1', '-n', 'seed-demo'])).code !== 0, 'ordinal 1 gone', 1200, 100);
    expect(await get(['pvc', 'sc-storage-example-statefulset-1', '-n', 'seed-demo', '-o', 'jsonpath={.status.phase}'])).toBe('Bound');
  });
});
