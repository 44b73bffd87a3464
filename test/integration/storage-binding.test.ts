/**
 * The PersistentVolume controller, the protection finalizers and their controllers, driven with the
 * real kubectl against an in-process server (no node: pods here never run, which is all the
 * protection controller needs). The seeds' static volume and claim bind; a claim for a provisioner
 * nobody serves waits with upstream's event; the smallest fitting volume wins; access modes, label
 * selectors, volumeName and claimRef pre-binding; Retain leaves a Released volume, Delete of a
 * volume no plugin can delete fails; a claim used by a pod stays Terminating until the pod goes; a
 * bound volume stays Terminating until its claim goes. On a simulated node: the default
 * StorageClass `local-path` is installed and its provisioner makes a directory and a volume for a
 * claim once its pod is scheduled, and removes both when the claim is deleted.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;
const ok = (args: string[], input?: string): Promise<string> => t.ok(args, input);
const eventually = (check: () => Promise<boolean>, what: string): Promise<void> => pollUntil(check, what, 600);
const get = (args: string[], path: string): Promise<string> => ok([...args, '-o', `jsonpath=${path}`]);
const exists = async (args: string[]): Promise<boolean> => (await t.kubectl(['get', ...args])).code === 0;

const pv = (name: string, o: { size?: string; cls?: string; modes?: string[]; labels?: Record<string, string>; policy?: string; claimRef?: object } = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, labels: o.labels ?? {} },
  spec: {
    storageClassName: o.cls ?? '', capacity: { storage: o.size ?? '1Gi' }, accessModes: o.modes ?? ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: o.policy ?? 'Retain', hostPath: { path: `/tmp/k8ts-test-${name}` },
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
  },
});
const pvc = (ns: string, name: string, o: { size?: string; cls?: string | null; modes?: string[]; selector?: object; volumeName?: string } = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: ns },
  spec: {
    ...(o.cls === null ? {} : { storageClassName: o.cls ?? '' }),
    accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } },
    ...(o.selector ? { selector: o.selector } : {}), ...(o.volumeName ? { volumeName: o.volumeName } : {}),
  },
});
const list = (...docs: string[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.map((d) => JSON.parse(d)) });
const claimPhase = (ns: string, name: string): Promise<string> => get(['-n', ns, 'get', 'pvc', name], '{.status.phase}');
const volumePhase = (name: string): Promise<string> => get(['get', 'pv', name], '{.status.phase}');
const boundTo = (ns: string, name: string): Promise<string> => get(['-n', ns, 'get', 'pvc', name], '{.spec.volumeName}');
const events = (ns: string, name: string): Promise<string> =>
  ok(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.type} {.reason} {.message}{"\\n"}{end}']);

beforeAll(async () => {
  t = await startTestServer();
  await t.server.controllers.synced;
});
afterAll(async () => {
  await t?.stop();
});

describe('binding', () => {
  it("binds the seeds' static volume and claim; the seeds' efs claim waits for its external provisioner", async () => {
    await ok(['create', 'namespace', 'seed-demo']);
    await ok(['apply', '-f', '-'], await readFile('test/fixtures/seeds/07-storage.yaml', 'utf8'));
    await eventually(async () => (await claimPhase('seed-demo', 'task-pv-claim')) === 'Bound', 'task-pv-claim Bound');
    await eventually(async () => (await volumePhase('task-pv-volume')) === 'Bound', 'task-pv-volume Bound');
    const claims = await ok(['-n', 'seed-demo', 'get', 'pvc', 'task-pv-claim']);
    expect(claims).toMatch(/task-pv-claim\s+Bound\s+task-pv-volume\s+1Gi\s+RWO\s+manual/);
    const vols = await ok(['get', 'pv', 'task-pv-volume']);
    expect(vols).toMatch(/task-pv-volume\s+1Gi\s+RWO\s+Retain\s+Bound\s+seed-demo\/task-pv-claim\s+manual/);
    const ann = JSON.parse(await get(['-n', 'seed-demo', 'get', 'pvc', 'task-pv-claim'], '{.metadata.annotations}'));
    expect(ann).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(await get(['get', 'pv', 'task-pv-volume'], '{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}')).toBe('yes');
    expect(await get(['-n', 'seed-demo', 'get', 'pvc', 'task-pv-claim'], '{.metadata.finalizers}')).toContain('kubernetes.io/pvc-protection');
    expect(await get(['get', 'pv', 'task-pv-volume'], '{.metadata.finalizers}')).toContain('kubernetes.io/pv-protection');

    const want = "Waiting for a volume to be created either by the external provisioner 'efs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.";
    await eventually(async () => (await events('seed-demo', 'efs-claim')).includes(want), 'ExternalProvisioning event');
    expect(await claimPhase('seed-demo', 'efs-claim')).toBe('Pending');
    expect(await get(['-n', 'seed-demo', 'get', 'pvc', 'efs-claim'], '{.metadata.annotations.volume\\.kubernetes\\.io/storage-provisioner}')).toBe('efs.csi.aws.com');
    const described = await ok(['-n', 'seed-demo', 'describe', 'pvc', 'efs-claim']);
    expect(described).toContain('ExternalProvisioning');
    expect(described).toMatch(/Status:\s+Pending/);
  });

  it('picks the smallest volume that fits, honours access modes and selectors, and says why a class-less claim waits', async () => {
    await ok(['create', 'namespace', 'fit']);
    await ok(['apply', '-f', '-'], list(pv('fit-small', { size: '1Gi', cls: 'fit' }), pv('fit-mid', { size: '5Gi', cls: 'fit' }), pv('fit-big', { size: '10Gi', cls: 'fit' }),
      pv('fit-rwx', { size: '2Gi', cls: 'fit', modes: ['ReadWriteMany', 'ReadWriteOnce'] }),
      pv('fit-fast', { size: '20Gi', cls: 'fit', labels: { speed: 'fast' } })));
    await eventually(async () => (await volumePhase('fit-fast')) === 'Available', 'volumes Available');
    await ok(['apply', '-f', '-'], pvc('fit', 'three', { size: '3Gi', cls: 'fit' }));
    await eventually(async () => (await claimPhase('fit', 'three')) === 'Bound', 'claim three Bound');
    expect(await boundTo('fit', 'three')).toBe('fit-mid');
    expect(await get(['-n', 'fit', 'get', 'pvc', 'three'], '{.status.capacity.storage}')).toBe('5Gi');

    await ok(['apply', '-f', '-'], pvc('fit', 'shared', { size: '1Gi', cls: 'fit', modes: ['ReadWriteMany'] }));
    await eventually(async () => (await claimPhase('fit', 'shared')) === 'Bound', 'claim shared Bound');
    expect(await boundTo('fit', 'shared')).toBe('fit-rwx');

    await ok(['apply', '-f', '-'], pvc('fit', 'fast', { size: '1Gi', cls: 'fit', selector: { matchLabels: { speed: 'fast' } } }));
    await eventually(async () => (await claimPhase('fit', 'fast')) === 'Bound', 'claim fast Bound');
    expect(await boundTo('fit', 'fast')).toBe('fit-fast');

    await ok(['apply', '-f', '-'], pvc('fit', 'huge', { size: '100Gi', cls: '' }));
    await eventually(async () => (await events('fit', 'huge')).includes('Normal FailedBinding no persistent volumes available for this claim and no storage class is set'), 'FailedBinding event');
    expect(await claimPhase('fit', 'huge')).toBe('Pending');
  });

  it('binds by volumeName and by claimRef pre-binding', async () => {
    await ok(['create', 'namespace', 'pre']);
    await ok(['apply', '-f', '-'], list(pv('pre-a', { size: '1Gi', cls: 'pre' }), pv('pre-b', { size: '8Gi', cls: 'pre' }),
      pv('pre-c', { size: '8Gi', cls: 'pre', claimRef: { namespace: 'pre', name: 'wants-c' } })));
    await ok(['apply', '-f', '-'], pvc('pre', 'wants-b', { size: '1Gi', cls: 'pre', volumeName: 'pre-b' }));
    await ok(['apply', '-f', '-'], pvc('pre', 'wants-c', { size: '1Gi', cls: 'pre' }));
    await eventually(async () => (await claimPhase('pre', 'wants-b')) === 'Bound' && (await claimPhase('pre', 'wants-c')) === 'Bound', 'pre-bound claims Bound');
    expect(await boundTo('pre', 'wants-b')).toBe('pre-b');
    expect(await boundTo('pre', 'wants-c')).toBe('pre-c');
    expect(await volumePhase('pre-a')).toBe('Available');
    // A claim asking for a volume that is bound elsewhere waits.
    await ok(['apply', '-f', '-'], pvc('pre', 'late', { size: '1Gi', cls: 'pre', volumeName: 'pre-b' }));
    await eventually(async () => (await events('pre', 'late')).includes('volume "pre-b" already bound to a different claim.'), 'FailedBinding for late');
    expect(await claimPhase('pre', 'late')).toBe('Pending');
  });
  it('leaves a WaitForFirstConsumer claim unbound until a consumer is scheduled, even with a fitting volume', async () => {
    await ok(['create', 'namespace', 'wffc']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-static' },
      provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer',
    }));
    await ok(['apply', '-f', '-'], pv('wffc-vol', { cls: 'local-static' }));
    await eventually(async () => (await volumePhase('wffc-vol')) === 'Available', 'wffc-vol Available');
    await ok(['apply', '-f', '-'], pvc('wffc', 'later', { cls: 'local-static' }));
    await eventually(async () => (await events('wffc', 'later')).includes('Normal WaitForFirstConsumer waiting for first consumer to be created before binding'), 'WaitForFirstConsumer event');
    expect(await claimPhase('wffc', 'later')).toBe('Pending');
    expect(await volumePhase('wffc-vol')).toBe('Available');
  });
});

describe('reclaim and protection', () => {
  it('Retain leaves a Released volume; Delete with no plugin to delete it fails', async () => {
    await ok(['create', 'namespace', 'reclaim']);
    await ok(['apply', '-f', '-'], list(pv('keep', { cls: 'keep' }), pv('drop', { cls: 'drop', policy: 'Delete' })));
    await ok(['apply', '-f', '-'], list(pvc('reclaim', 'k', { cls: 'keep' }), pvc('reclaim', 'd', { cls: 'drop' })));
    await eventually(async () => (await claimPhase('reclaim', 'k')) === 'Bound' && (await claimPhase('reclaim', 'd')) === 'Bound', 'claims Bound');
    await ok(['-n', 'reclaim', 'delete', 'pvc', 'k', 'd']);
    await eventually(async () => (await volumePhase('keep')) === 'Released', 'keep Released');
    expect(await ok(['get', 'pv', 'keep'])).toMatch(/keep\s+1Gi\s+RWO\s+Retain\s+Released\s+reclaim\/k\s+keep/);
    await eventually(async () => (await volumePhase('drop')) === 'Failed', 'drop Failed');
    expect(await get(['get', 'pv', 'drop'], '{.status.message}')).toContain('no deletable volume plugin matched');
  });

  it('keeps a claim used by a pod Terminating until the pod is gone, and a bound volume until its claim is gone', async () => {
    await ok(['create', 'namespace', 'prot']);
    await ok(['apply', '-f', '-'], pv('prot-vol', { cls: 'prot' }));
    await ok(['apply', '-f', '-'], pvc('prot', 'data', { cls: 'prot' }));
    await eventually(async () => (await claimPhase('prot', 'data')) === 'Bound', 'data Bound');
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'prot' },
      spec: { containers: [{ name: 'c', image: 'k8ts.local/busybox:1.36' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    }));
    await ok(['-n', 'prot', 'delete', 'pvc', 'data', '--wait=false']);
    await ok(['delete', 'pv', 'prot-vol', '--wait=false']);
    await eventually(async () => (await ok(['-n', 'prot', 'get', 'pvc', 'data'])).includes('Terminating'), 'claim shown Terminating');
    expect(await ok(['get', 'pv', 'prot-vol'])).toContain('Terminating');
    // Still there a while later: the pod uses it (checked after another write the controllers see).
    await ok(['-n', 'prot', 'label', 'pod', 'user', 'poke=1']);
    await ok(['-n', 'prot', 'label', 'pvc', 'data', 'poke=1']);
    expect(await exists(['-n', 'prot', 'pvc', 'data'])).toBe(true);
    await ok(['-n', 'prot', 'delete', 'pod', 'user', '--grace-period=0', '--force']);
    await eventually(async () => !(await exists(['-n', 'prot', 'pvc', 'data'])), 'claim gone after the pod');
    await eventually(async () => !(await exists(['pv', 'prot-vol'])), 'volume gone after the claim');
  });
});

describe('the local-path provisioner (simulated node)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ runtime: 'sim', simNodes: 1 });
    await s.server.controllers.synced;
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('installs the default class, provisions a claim when its pod is scheduled, and deletes volume and directory after release', async () => {
    const sok = (args: string[], input?: string): Promise<string> => s.ok(args, input);
    await pollUntil(async () => (await s.kubectl(['get', 'storageclass', 'local-path'])).code === 0, 'default StorageClass', 600);
    expect(await sok(['get', 'storageclass'])).toMatch(/local-path \(default\)\s+k8ts\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/);
    await sok(['create', 'namespace', 'lp']);
    await sok(['apply', '-f', '-'], pvc('lp', 'data', { cls: null, size: '2Gi' }));
    expect(await s.ok(['-n', 'lp', 'get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}'])).toBe('local-path');
    const lpEvents = (): Promise<string> => sok(['-n', 'lp', 'get', 'events', '--field-selector', 'involvedObject.name=data', '-o', 'jsonpath={range .items[*]}{.reason} {.message}{"\\n"}{end}']);
    await pollUntil(async () => (await lpEvents()).includes('WaitForFirstConsumer waiting for first consumer to be created before binding'), 'WaitForFirstConsumer event', 600);
    expect(await s.ok(['-n', 'lp', 'get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');

    await sok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'lp' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'k8ts.local/busybox:1.36' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    }));
    await pollUntil(async () => (await s.ok(['-n', 'lp', 'get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'])) === 'Bound', 'claim provisioned and Bound', 600);
    const pvName = await s.ok(['-n', 'lp', 'get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}']);
    const uid = await s.ok(['-n', 'lp', 'get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}']);
    expect(pvName).toBe(`pvc-${uid}`);
    const vol = JSON.parse(await sok(['get', 'pv', pvName, '-o', 'json']));
    const dir = join(s.dataDir, 'storage', `pvc-${uid}_lp_data`);
    expect(vol.spec.hostPath.path).toBe(dir);
    expect(vol.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: ['sim-node-1'] });
    expect(vol.spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(vol.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('k8ts.io/local-path');
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await lpEvents()).toContain(`ProvisioningSucceeded Successfully provisioned volume ${pvName}`);
    await pollUntil(async () => (await s.ok(['-n', 'lp', 'get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}'])) === 'sim-node-1', 'pod scheduled', 600);

    await sok(['-n', 'lp', 'delete', 'pod', 'user', '--grace-period=0', '--force']);
    await sok(['-n', 'lp', 'delete', 'pvc', 'data']);
    await pollUntil(async () => (await s.kubectl(['get', 'pv', pvName])).code !== 0, 'provisioned volume deleted', 600);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });
});
