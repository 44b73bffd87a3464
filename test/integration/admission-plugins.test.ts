/**
 * Admission plugins with the real kubectl: LimitRanger (defaults and min/max), ResourceQuota
 * (refusal wording, required requests, usage in `kubectl describe quota`, usage given back on
 * deletion), Priority (system classes, globalDefault, unknown class), PodSecurity (enforce,
 * warn, namespace label checks) and DefaultStorageClass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

let t: TestServer;

beforeAll(async () => {
  // Without the local-path provisioner, which would install its default StorageClass.
  t = await startTestServer({ disable: ['scheduler', 'local-path-provisioner'] });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

async function namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await t.ok(['create', 'namespace', name]);
  if (Object.keys(labels).length) await t.ok(['label', 'namespace', name, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  await pollUntil(async () => (await t.kubectl(['-n', name, 'get', 'serviceaccount', 'default'])).code === 0, `default ServiceAccount in ${name}`);
}

const pod = (name: string, resources = '', extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${extra}  containers:
  - name: c
    image: k8ts.local/busybox:1.36
${resources ? `    resources: ${resources}\n` : ''}`;

describe('LimitRanger', () => {
  it('applies LimitRange defaults to a created pod and annotates it', async () => {
    await namespace('lr1');
    await t.ok(['-n', 'lr1', 'apply', '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 100m}
`);
    await t.ok(['-n', 'lr1', 'apply', '-f', '-'], pod('p'));
    const p = JSON.parse(await t.ok(['-n', 'lr1', 'get', 'pod', 'p', '-o', 'json']));
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(p.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
    // What the pod states itself is kept.
    await t.ok(['-n', 'lr1', 'apply', '-f', '-'], pod('own', '{limits: {cpu: 200m}}'));
    const own = JSON.parse(await t.ok(['-n', 'lr1', 'get', 'pod', 'own', '-o', 'json']));
    expect(own.spec.containers[0].resources).toEqual({ limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
  });

  it('refuses containers outside min/max with upstream\'s wording', async () => {
    await namespace('lr2');
    await t.ok(['-n', 'lr2', 'apply', '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata: {name: bounds}
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
    min: {cpu: 100m}
  - type: PersistentVolumeClaim
    max: {storage: 1Gi}
`);
    const big = await t.kubectl(['-n', 'lr2', 'apply', '-f', '-'], { input: pod('big', '{limits: {cpu: "2"}}') });
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    const small = await t.kubectl(['-n', 'lr2', 'apply', '-f', '-'], { input: pod('small', '{requests: {cpu: 50m}, limits: {cpu: 50m}}') });
    expect(small.stderr).toContain('pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
    // max without default: the default limit is the max, so an unstated pod is admitted at it
    await t.ok(['-n', 'lr2', 'apply', '-f', '-'], pod('plain'));
    const plain = JSON.parse(await t.ok(['-n', 'lr2', 'get', 'pod', 'plain', '-o', 'json']));
    expect(plain.spec.containers[0].resources.limits.cpu).toBe('1');
    const pvc = await t.kubectl(['-n', 'lr2', 'apply', '-f', '-'], { input: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: huge}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 5Gi}}
` });
    expect(pvc.stderr).toContain('persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi');
  });
});

describe('ResourceQuota', () => {
  it('refuses the pod that would exceed the quota and shows usage in kubectl describe quota', async () => {
    await namespace('rq1');
    await t.ok(['-n', 'rq1', 'create', 'quota', 'q', '--hard=pods=2,configmaps=20']);
    await pollUntil(async () => JSON.parse(await t.ok(['-n', 'rq1', 'get', 'quota', 'q', '-o', 'json'])).status?.used?.pods === '0', 'quota status');
    await t.ok(['-n', 'rq1', 'apply', '-f', '-'], pod('a'));
    await t.ok(['-n', 'rq1', 'apply', '-f', '-'], pod('b'));
    const c = await t.kubectl(['-n', 'rq1', 'apply', '-f', '-'], { input: pod('c') });
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    const described = await t.ok(['-n', 'rq1', 'describe', 'quota', 'q']);
    expect(described).toMatch(/Resource\s+Used\s+Hard/);
    expect(described).toMatch(/pods\s+2\s+2/);
    // Deleting a pod gives its unit back (the controller recalculates), and the next pod fits.
    await t.ok(['-n', 'rq1', 'delete', 'pod', 'a', '--grace-period=0', '--force']);
    await pollUntil(async () => JSON.parse(await t.ok(['-n', 'rq1', 'get', 'quota', 'q', '-o', 'json'])).status?.used?.pods === '1', 'usage given back');
    await t.ok(['-n', 'rq1', 'apply', '-f', '-'], pod('c'));
    // The root CA ConfigMap counts too (the controller sees it).
    expect(Number(JSON.parse(await t.ok(['-n', 'rq1', 'get', 'quota', 'q', '-o', 'json'])).status.used.configmaps)).toBeGreaterThanOrEqual(0);
  });

  it('requires stated requests and limits for the compute resources a quota constrains', async () => {
    await namespace('rq2');
    await t.ok(['-n', 'rq2', 'create', 'quota', 'compute', '--hard=limits.cpu=1,requests.memory=1Gi']);
    const r = await t.kubectl(['-n', 'rq2', 'apply', '-f', '-'], { input: pod('bare') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: c; requests.memory for: c');
    await t.ok(['-n', 'rq2', 'apply', '-f', '-'], pod('ok', '{limits: {cpu: 600m, memory: 256Mi}}'));
    const over = await t.kubectl(['-n', 'rq2', 'apply', '-f', '-'], { input: pod('over', '{limits: {cpu: 600m, memory: 256Mi}}') });
    expect(over.stderr).toContain('pods "over" is forbidden: exceeded quota: compute, requested: limits.cpu=600m, used: limits.cpu=600m, limited: limits.cpu=1');
    const q = JSON.parse(await t.ok(['-n', 'rq2', 'get', 'quota', 'compute', '-o', 'json']));
    expect(q.status.used).toEqual({ 'limits.cpu': '600m', 'requests.memory': '256Mi' });
  });

  it('counts other resources (count/…, services.nodeports) and honours scopes', async () => {
    await namespace('rq3');
    await t.ok(['-n', 'rq3', 'create', 'quota', 'objs', '--hard=count/deployments.apps=1,services.nodeports=1']);
    await t.ok(['-n', 'rq3', 'create', 'quota', 'besteffort', '--hard=pods=1', '--scopes=BestEffort']);
    await t.ok(['-n', 'rq3', 'create', 'deployment', 'd1', '--image=k8ts.local/busybox:1.36', '--replicas=0']);
    const d2 = await t.kubectl(['-n', 'rq3', 'create', 'deployment', 'd2', '--image=k8ts.local/busybox:1.36', '--replicas=0']);
    expect(d2.stderr).toContain('deployments.apps "d2" is forbidden: exceeded quota: objs, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');
    const svc = await t.kubectl(['-n', 'rq3', 'create', 'service', 'nodeport', 'np', '--tcp=80:80,81:81']);
    expect(svc.stderr).toContain('services "np" is forbidden: exceeded quota: objs, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    await t.ok(['-n', 'rq3', 'apply', '-f', '-'], pod('be1'));
    const be2 = await t.kubectl(['-n', 'rq3', 'apply', '-f', '-'], { input: pod('be2') });
    expect(be2.stderr).toContain('exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1');
    // A pod with requests is outside the BestEffort scope.
    await t.ok(['-n', 'rq3', 'apply', '-f', '-'], pod('burst', '{requests: {cpu: 10m}}'));
  });
});

describe('Priority', () => {
  it('has the system classes, resolves a class to the pod priority and refuses unknown classes', async () => {
    const classes = await t.ok(['get', 'priorityclass', '-o', 'custom-columns=NAME:.metadata.name,VALUE:.value', '--no-headers']);
    expect(classes).toMatch(/system-cluster-critical\s+2000000000/);
    expect(classes).toMatch(/system-node-critical\s+2000001000/);
    await namespace('prio');
    await t.ok(['-n', 'prio', 'apply', '-f', '-'], pod('crit', '', '  priorityClassName: system-cluster-critical\n'));
    const crit = JSON.parse(await t.ok(['-n', 'prio', 'get', 'pod', 'crit', '-o', 'json']));
    expect(crit.spec.priority).toBe(2000000000);
    expect(crit.spec.preemptionPolicy).toBe('PreemptLowerPriority');
    const bad = await t.kubectl(['-n', 'prio', 'apply', '-f', '-'], { input: pod('bad', '', '  priorityClassName: nope\n') });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('pods "bad" is forbidden: no PriorityClass with name nope was found');
    await t.ok(['create', 'priorityclass', 'everyday', '--value=7', '--global-default', '--preemption-policy=Never']);
    await t.ok(['-n', 'prio', 'apply', '-f', '-'], pod('plain'));
    const plain = JSON.parse(await t.ok(['-n', 'prio', 'get', 'pod', 'plain', '-o', 'json']));
    expect(plain.spec).toMatchObject({ priorityClassName: 'everyday', priority: 7, preemptionPolicy: 'Never' });
    const second = await t.kubectl(['create', 'priorityclass', 'another', '--value=8', '--global-default']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('PriorityClass everyday is already marked as default');
    await t.ok(['delete', 'priorityclass', 'everyday']);
  });
});

describe('PodSecurity', () => {
  const privileged = pod('priv', '', '').replace('    image: k8ts.local/busybox:1.36\n', '    image: k8ts.local/busybox:1.36\n    securityContext: {privileged: true}\n');

  it('refuses a privileged pod in a restricted namespace with upstream\'s message', async () => {
    await namespace('psa-r', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const r = await t.kubectl(['-n', 'psa-r', 'apply', '-f', '-'], { input: privileged });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
    // A pod that follows the restricted profile is admitted.
    await t.ok(['-n', 'psa-r', 'apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: k8ts.local/busybox:1.36
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`);
  });

  it('warns with warn=baseline and admits; baseline enforce refuses host namespaces and hostPath', async () => {
    await namespace('psa-w', { 'pod-security.kubernetes.io/warn': 'baseline', 'pod-security.kubernetes.io/warn-version': 'v1.30' });
    const r = await t.kubectl(['-n', 'psa-w', 'apply', '-f', '-'], { input: privileged });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: would violate PodSecurity "baseline:v1.30": privileged (container "c" must not set securityContext.privileged=true)');
    await namespace('psa-b', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    const host = await t.kubectl(['-n', 'psa-b', 'apply', '-f', '-'], { input: pod('host', '', '  hostNetwork: true\n  volumes: [{name: root, hostPath: {path: /}}]\n') });
    expect(host.stderr).toContain('pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPath volumes (volume "root")');
    // Workload templates are not refused, only warned about.
    const dep = await t.kubectl(['-n', 'psa-b', 'create', 'deployment', 'hostnet', '--image=k8ts.local/busybox:1.36', '--replicas=0', '--dry-run=server', '-o', 'yaml']);
    expect(dep.code).toBe(0);
  });

  it('validates namespace labels and warns about existing pods when enforce is set', async () => {
    const bad = await t.kubectl(['create', 'namespace', 'psa-bad', '--dry-run=server', '-o', 'name']);
    expect(bad.code).toBe(0);
    await namespace('psa-x');
    const wrong = await t.kubectl(['label', 'namespace', 'psa-x', 'pod-security.kubernetes.io/enforce=strict']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Invalid value: "strict": must be one of privileged, baseline, restricted');
    await t.ok(['-n', 'psa-x', 'apply', '-f', '-'], privileged);
    const warned = await t.kubectl(['label', 'namespace', 'psa-x', 'pod-security.kubernetes.io/enforce=baseline']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('Warning: existing pods in namespace "psa-x" violate the new PodSecurity enforce level "baseline:latest"');
    expect(warned.stderr).toContain('Warning: priv: privileged');
  });
});

describe('DefaultStorageClass', () => {
  it('gives a claim without storageClassName the newest default class, and leaves "" alone', async () => {
    await namespace('dsc');
    const sc = (name: string, dflt: boolean) => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
  annotations: {storageclass.kubernetes.io/is-default-class: "${dflt}"}
provisioner: k8ts.local/none
`;
    await t.ok(['apply', '-f', '-'], sc('slow', false));
    const claim = (name: string, cls = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
${cls}  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;
    await t.ok(['-n', 'dsc', 'apply', '-f', '-'], claim('none'));
    expect(await t.ok(['-n', 'dsc', 'get', 'pvc', 'none', '-o', 'jsonpath={.spec.storageClassName}'])).toBe('');
    await t.ok(['apply', '-f', '-'], sc('standard', true));
    await t.ok(['-n', 'dsc', 'apply', '-f', '-'], claim('defaulted'));
    expect(await t.ok(['-n', 'dsc', 'get', 'pvc', 'defaulted', '-o', 'jsonpath={.spec.storageClassName}'])).toBe('standard');
    await t.ok(['-n', 'dsc', 'apply', '-f', '-'], claim('explicit', '  storageClassName: ""\n'));
    expect(await t.ok(['-n', 'dsc', 'get', 'pvc', 'explicit', '-o', 'jsonpath={.spec.storageClassName}'])).toBe('');
  });
});
