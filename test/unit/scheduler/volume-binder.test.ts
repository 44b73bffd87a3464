import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { describe, expect, it } from 'vitest';
import { CycleState, Framework, Snapshot, registerDefaultPlugins } from '../../../src/scheduler/index.js';
import { formatFitError } from '../../../src/scheduler/failure-message.js';
import { ClaimVolumeBinder, type VolumeCatalog } from '../../../src/scheduler/volume-binder.js';
import { makeNode, makePod } from './helpers.js';

const wffc: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'k8ts.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
const immediate: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'efs' }, provisioner: 'efs.csi.aws.com', volumeBindingMode: 'Immediate' };
const noProv: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };

function claim(name: string, cls: string | undefined, o: Partial<PersistentVolumeClaim['spec']> = {}, size = '1Gi'): PersistentVolumeClaim {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { storageClassName: cls, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...o } };
}

function pv(name: string, cls: string, size: string, node?: string, o: Partial<PersistentVolume> = {}): PersistentVolume {
  return {
    metadata: { name, labels: o.metadata?.labels }, status: { phase: o.spec?.claimRef ? 'Bound' : 'Available' },
    spec: {
      storageClassName: cls, capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` },
      nodeAffinity: node ? { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } : undefined,
      ...o.spec,
    },
  };
}

function podWith(claimNames: string[], name = 'p') {
  return makePod(name, { uid: `uid-${name}`, spec: { volumes: claimNames.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) } });
}

function setup(claims: PersistentVolumeClaim[], pvs: PersistentVolume[]) {
  const classes = new Map([wffc, immediate, noProv].map((c) => [c.metadata!.name!, c]));
  const catalog: VolumeCatalog = {
    claim: (ns, n) => claims.find((c) => c.metadata?.name === n && c.metadata?.namespace === ns),
    volume: (n) => pvs.find((p) => p.metadata?.name === n),
    volumes: () => pvs,
    storageClass: (n) => classes.get(n),
  };
  const writes: string[] = [];
  const binder = new ClaimVolumeBinder(catalog, {
    async annotateClaim(c, a) {
      writes.push(`annotate ${c.metadata?.name} ${JSON.stringify(a)}`);
      c.metadata!.annotations = { ...c.metadata?.annotations, ...a };
    },
    async prebindVolume(v, c) {
      writes.push(`prebind ${v.metadata?.name} → ${c.metadata?.name}`);
      v.spec!.claimRef = { name: c.metadata?.name, namespace: 'default', uid: c.metadata?.uid };
    },
    changed: async () => {
      // The "PV controller": completes every pre-bound or provisioned claim.
      for (const c of claims) {
        if (c.spec?.volumeName) continue;
        const v = pvs.find((p) => p.spec?.claimRef?.name === c.metadata?.name)
          ?? (c.metadata?.annotations?.['volume.kubernetes.io/selected-node'] ? pv(`pvc-${c.metadata?.name}`, c.spec!.storageClassName!, '1Gi', c.metadata.annotations['volume.kubernetes.io/selected-node']) : undefined);
        if (!v) continue;
        if (!pvs.includes(v)) pvs.push(v);
        c.spec!.volumeName = v.metadata?.name;
        Object.assign(c, { status: { phase: 'Bound' } });
        c.metadata!.annotations = { ...c.metadata?.annotations, 'pv.kubernetes.io/bind-completed': 'yes' };
      }
    },
  }, { bindTimeoutMs: 5_000 });
  const registry = registerDefaultPlugins(new Map());
  const fwk = new Framework({ schedulerName: 's', plugins: [{ name: 'VolumeBinding' }] }, { registry, volumeBinder: binder });
  const snap = Snapshot.from([makeNode('n1'), makeNode('n2')]);
  const nodes = snap.nodeInfos;
  /** The filter outcome per node, or the PreFilter rejection as the FailedScheduling message. */
  function schedule(claimNames: string[]): string {
    const pod = podWith(claimNames);
    const st = new CycleState();
    const pre = fwk.runPreFilter(st, pod, snap);
    if (pre.code !== 'Success') return formatFitError({ numAllNodes: 2, statuses: [], preFilterMsg: pre.reasons.join(', ') });
    return nodes.map((n) => {
      const s = fwk.runFilter(st, pod, n);
      return `${n.name}:${s.code === 'Success' ? 'ok' : s.reasons.join('|')}`;
    }).join(' ');
  }
  return { binder, fwk, schedule, writes };
}

describe('ClaimVolumeBinder', () => {
  it('rejects pods with missing claims or unbound Immediate claims with upstream wording', () => {
    const { schedule } = setup([claim('imm', 'efs'), claim('none', '')], []);
    expect(schedule(['missing'])).toBe('0/2 nodes are available: persistentvolumeclaim "missing" not found.');
    expect(schedule(['imm'])).toBe('0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
    expect(schedule(['none'])).toBe('0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
  });

  it('filters nodes by the node affinity of bound volumes', () => {
    const c = claim('bound', 'local', { volumeName: 'v1' });
    const { schedule } = setup([c, claim('gone', 'local', { volumeName: 'nope' })], [pv('v1', 'local', '1Gi', 'n2', { spec: { claimRef: { name: 'bound' } } })]);
    expect(schedule(['bound'])).toBe('n1:node(s) had volume node affinity conflict n2:ok');
    expect(schedule(['gone'])).toBe('n1:node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s) n2:node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)');
  });

  it('lets WaitForFirstConsumer claims with a provisioner go anywhere, and no-provisioner claims only where a volume fits', () => {
    const { schedule } = setup([claim('dyn', 'local-path'), claim('stat', 'local'), claim('big', 'local', {}, '10Gi')],
      [pv('small', 'local', '1Gi', 'n1')]);
    expect(schedule(['dyn'])).toBe('n1:ok n2:ok');
    expect(schedule(['stat'])).toBe("n1:ok n2:node(s) didn't find available persistent volumes to bind");
    expect(schedule(['big'])).toBe("n1:node(s) didn't find available persistent volumes to bind n2:node(s) didn't find available persistent volumes to bind");
  });

  it('picks the smallest fitting volume at PreBind and annotates claims to provision with the selected node', async () => {
    const c1 = claim('stat', 'local');
    const c2 = claim('dyn', 'local-path');
    const { fwk, schedule, writes } = setup([c1, c2], [pv('big', 'local', '5Gi', 'n1'), pv('small', 'local', '2Gi', 'n1'), pv('tiny', 'local', '500Mi', 'n1')]);
    expect(schedule(['stat', 'dyn'])).toBe("n1:ok n2:node(s) didn't find available persistent volumes to bind");
    const pod = podWith(['stat', 'dyn']);
    const st = new CycleState();
    fwk.runReserve(st, pod, 'n1');
    const s = await fwk.runPreBind(st, pod, 'n1');
    expect(s.code).toBe('Success');
    expect(writes).toEqual(['prebind small → stat', 'annotate dyn {"volume.kubernetes.io/selected-node":"n1"}']);
    expect(c1.spec?.volumeName).toBe('small');
    expect(c2.spec?.volumeName).toBe('pvc-dyn');
  });

  it('offers a volume assumed for one pod to no other pod', () => {
    const { fwk, schedule } = setup([claim('a', 'local'), claim('b', 'local')], [pv('only', 'local', '1Gi')]);
    expect(schedule(['a'])).toBe('n1:ok n2:ok');
    const pod = podWith(['a']);
    fwk.runReserve(new CycleState(), pod, 'n1');
    const other = podWith(['b'], 'q');
    const st = new CycleState();
    fwk.runPreFilter(st, other, Snapshot.from([makeNode('n1')]));
    expect(fwk.runFilter(st, other, Snapshot.from([makeNode('n1')]).nodeInfos[0]).reasons).toEqual(["node(s) didn't find available persistent volumes to bind"]);
  });
});

describe('VolumeRestrictions (ReadWriteOncePod)', () => {
  const registry = registerDefaultPlugins(new Map());
  const solo = claim('solo', 'local-path', { accessModes: ['ReadWriteOncePod'], volumeName: 'v' });
  const shared = claim('shared', 'local-path', { volumeName: 'w' });
  const many = claim('many', 'local-path', { accessModes: ['ReadWriteMany'], volumeName: 'x' });
  const catalog: VolumeCatalog = {
    claim: (_ns, n) => [solo, shared, many].find((c) => c.metadata?.name === n),
    volume: () => undefined, volumes: () => [], storageClass: () => undefined,
  };
  const binder = new ClaimVolumeBinder(catalog, { annotateClaim: async () => {}, prebindVolume: async () => {}, changed: async () => {} });
  const fwk = new Framework({ schedulerName: 's', plugins: [{ name: 'VolumeRestrictions' }] }, { registry, volumeBinder: binder });

  function filter(pod: ReturnType<typeof podWith>, running: ReturnType<typeof podWith>[]): string {
    const snap = Snapshot.from([makeNode('n1'), makeNode('n2')], running.map((p) => ({ ...p, spec: { ...p.spec!, nodeName: 'n2' } })));
    const st = new CycleState();
    const pre = fwk.runPreFilter(st, pod, snap);
    if (pre.code !== 'Success') return pre.code;
    return snap.nodeInfos.map((n) => {
      const s = fwk.runFilter(st, pod, n);
      return `${n.name}:${s.code === 'Success' ? 'ok' : `${s.code} ${s.reasons.join('|')}`}`;
    }).join(' ');
  }

  it('rejects every node while another pod uses a ReadWriteOncePod claim', () => {
    expect(filter(podWith(['solo'], 'b'), [podWith(['solo'], 'a')])).toBe(
      'n1:Unschedulable node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode '
      + 'n2:Unschedulable node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode');
    expect(filter(podWith(['solo'], 'b'), [])).toBe('n1:ok n2:ok');
    expect(filter(podWith(['many'], 'b'), [podWith(['many'], 'a')])).toBe('n1:ok n2:ok');
  });

  it('keeps a ReadWriteOnce claim to the node already using it', () => {
    expect(filter(podWith(['shared'], 'b'), [podWith(['shared'], 'a')])).toBe(
      'n1:Unschedulable node(s) unavailable due to a ReadWriteOnce PersistentVolumeClaim in use on another node n2:ok');
    expect(filter(podWith(['shared'], 'b'), [])).toBe('n1:ok n2:ok');
  });
});
