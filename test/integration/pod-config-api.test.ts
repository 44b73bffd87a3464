/**
 * pod-config against a real API server: env and volumes read ConfigMaps, Secrets, PVCs/PVs and
 * ServiceAccount tokens that the real kubectl created, and a configMap volume follows an update
 * made with kubectl (atomic swap in place).
 */
import { lstat, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/client/index.js';
import type { PodInputs } from '../../src/kubelet/agent/index.js';
import { createPodInputs, kubeLookup, resolveEnv, VolumeManager, type VolumeLookup } from '../../src/kubelet/pod-config/index.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;
let client: KubeClient;
let lookup: VolumeLookup;
let agentDir: string;
let hostDir: string;
let pod: any;

const POD = (hostPath: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  serviceAccountName: robot
  containers:
  - name: app
    image: k8ts.local/busybox:1.36
    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: 500m, memory: 64Mi}}
    envFrom:
    - configMapRef: {name: app}
      prefix: CM_
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: app, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: MSG, value: "$(GREETING) from $(POD_NAME) $(CM_mode)"}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    command: [sh, -c, "echo $(MSG)"]
    args: ["$(POD_NAME)", "$$(POD_NAME)"]
    volumeMounts:
    - {name: cfg, mountPath: /etc/app}
    - {name: data, mountPath: /data, subPathExpr: "$(POD_NAME)"}
    securityContext: {runAsUser: 1000, capabilities: {add: [CAP_NET_ADMIN]}}
  volumes:
  - {name: cfg, configMap: {name: app}}
  - {name: sec, secret: {secretName: creds}}
  - {name: data, persistentVolumeClaim: {claimName: data}}
  - name: proj
    projected:
      sources:
      - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
      - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 3600}
`;

beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
  agentDir = await mkdtemp(join(tmpdir(), 'k8ts-podcfg-agent-'));
  hostDir = await mkdtemp(join(tmpdir(), 'k8ts-podcfg-pv-'));
  await t.ok(['create', 'configmap', 'app', '--from-literal=greeting=hello', '--from-literal=mode=fast']);
  await t.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
  await t.ok(['create', 'serviceaccount', 'robot']);
  await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${hostDir}, type: Directory}
  claimRef: {namespace: default, name: data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  volumeName: pv-data
`);
  await t.ok(['patch', 'pvc', 'data', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
  await t.ok(['apply', '-f', '-'], POD(hostDir));
  pod = JSON.parse(await t.ok(['get', 'pod', 'web', '-o', 'json']));
  client = await KubeClient.fromKubeconfig(t.kubeconfig);
  lookup = kubeLookup(client);
}, 120_000);

afterAll(async () => {
  client?.close();
  await t?.stop();
  if (agentDir) await rm(agentDir, { recursive: true, force: true });
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

describe('env through the API', () => {
  it('resolves configMap, secret, fieldRef and resourceFieldRef values and expands references', async () => {
    const r = await resolveEnv(pod, pod.spec.containers[0], lookup);
    if ('error' in r) throw new Error(r.error);
    const env = Object.fromEntries(r.envs.map((e) => [e.key, e.value]));
    expect(env).toMatchObject({
      CM_greeting: 'hello', CM_mode: 'fast', GREETING: 'hello', PASSWORD: 's3cret', POD_NAME: 'web', MEM_MI: '64',
      // POD_NAME is defined after MSG, so its reference stays literal (as upstream)
      MSG: 'hello from $(POD_NAME) fast',
    });
  });

  it('reports a missing ConfigMap, Secret or key in the kubelet wording', async () => {
    const c = (valueFrom: any) => ({ name: 'x', env: [{ name: 'V', valueFrom }] });
    expect(await resolveEnv(pod, c({ configMapKeyRef: { name: 'nope', key: 'k' } }), lookup)).toEqual({ error: 'configmap "nope" not found' });
    expect(await resolveEnv(pod, c({ secretKeyRef: { name: 'nope', key: 'k' } }), lookup)).toEqual({ error: 'secret "nope" not found' });
    expect(await resolveEnv(pod, c({ configMapKeyRef: { name: 'app', key: 'k' } }), lookup)).toEqual({ error: "couldn't find key k in ConfigMap default/app" });
  });
});

describe('volumes through the API', () => {
  let mgr: VolumeManager;
  beforeAll(() => {
    mgr = new VolumeManager({ dataDir: agentDir, lookup });
  });

  it('sets up configMap, secret, PVC and projected volumes', async () => {
    const vols = await mgr.setUp(pod);
    expect(await readFile(join(vols.get('cfg')!.hostPath, 'greeting'), 'utf8')).toBe('hello');
    expect(await readFile(join(vols.get('sec')!.hostPath, 'password'), 'utf8')).toBe('s3cret');
    expect(vols.get('data')).toMatchObject({ hostPath: hostDir, readOnly: false });
    const proj = vols.get('proj')!.hostPath;
    expect(await readFile(join(proj, 'labels'), 'utf8')).toBe('app="web"\ntier="front"');
    const token = (await readFile(join(proj, 'token'), 'utf8')).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.aud).toEqual(['vault']);
    expect(claims.sub).toBe('system:serviceaccount:default:robot');
    expect(JSON.stringify(claims)).toContain(pod.metadata.uid);
  });

  it('follows a ConfigMap edited with kubectl, in place', async () => {
    const vols = await mgr.setUp(pod);
    const dir = vols.get('cfg')!.hostPath;
    const before = await lstat(join(dir, '..data')).then(() => readFile(join(dir, 'mode'), 'utf8'));
    expect(before).toBe('fast');
    await t.ok(['replace', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {greeting: bonjour, extra: "1"}\n');
    await mgr.refresh(pod);
    expect(await readFile(join(dir, 'greeting'), 'utf8')).toBe('bonjour');
    expect(await readFile(join(dir, 'extra'), 'utf8')).toBe('1');
    expect((await readdir(dir)).filter((n) => !n.startsWith('..')).sort()).toEqual(['extra', 'greeting']);
  });

  it('names the volume and the missing object when setUp fails', async () => {
    const bad = { ...pod, metadata: { ...pod.metadata, uid: `${pod.metadata.uid}-bad` }, spec: { ...pod.spec, volumes: [{ name: 'gone', configMap: { name: 'missing' } }, { name: 'claim', persistentVolumeClaim: { claimName: 'nope' } }] } };
    await expect(mgr.setUp(bad)).rejects.toThrow(
      'MountVolume.SetUp failed for volume "gone" : configmap "missing" not found; MountVolume.SetUp failed for volume "claim" : persistentvolumeclaim "nope" not found',
    );
    await mgr.tearDown(bad.metadata.uid);
  });

  it('tearDown removes the pod directory but not the PV data', async () => {
    await mgr.tearDown(pod.metadata.uid);
    await expect(lstat(join(agentDir, 'agent/pods', pod.metadata.uid))).rejects.toThrow();
    expect((await lstat(hostDir)).isDirectory()).toBe(true);
  });
});

describe('createPodInputs, the agent PodInputs', () => {
  it('gives a container its envs, mounts, command and Linux config', async () => {
    const inputs: PodInputs = createPodInputs({ dataDir: agentDir, client, hostIPs: ['127.0.0.1'] });
    await inputs.preparePod(pod);
    const r = (await inputs.containerInputs(pod, pod.spec.containers[0], '10.42.0.7')) as any;
    const env = Object.fromEntries(r.envs.map((e: any) => [e.key, e.value]));
    expect(env.POD_NAME).toBe('web');
    expect(r.command).toEqual(['sh', '-c', `echo ${env.MSG}`]);
    expect(r.args).toEqual(['web', '$(POD_NAME)']);
    expect(r.mounts.map((m: any) => [m.containerPath, m.readonly])).toEqual([
      ['/etc/app', true], ['/data', false], ['/etc/hosts', false], ['/dev/termination-log', false],
    ]);
    expect(await readFile(r.mounts[2].hostPath, 'utf8')).toContain('10.42.0.7\tweb\n');
    expect(r.mounts[1].hostPath).toBe(join(hostDir, 'web'));
    expect(r.linux.resources).toMatchObject({ cpuShares: 102, cpuQuota: 50_000, memoryLimitInBytes: 64 * 1024 * 1024 });
    expect(r.linux.securityContext).toMatchObject({ runAsUser: { value: 1000 }, capabilities: { addCapabilities: ['NET_ADMIN'] } });
    expect(inputs.qosClass(pod)).toBe('Burstable');
    await inputs.cleanupPod(pod.metadata.uid);
    await expect(lstat(join(agentDir, 'agent/pods', pod.metadata.uid))).rejects.toThrow();
  });

  it('fails with a ContainerConfigError naming the missing key', async () => {
    const inputs = createPodInputs({ dataDir: agentDir, client, hostIPs: ['127.0.0.1'] });
    const c = { name: 'x', image: 'k8ts.local/busybox:1.36', env: [{ name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }] };
    const err = await inputs.containerInputs({ ...pod, spec: { ...pod.spec, volumes: [] } }, c, undefined).catch((e) => e);
    expect(err.name).toBe('ContainerConfigError');
    expect(err.message).toBe("couldn't find key user in Secret default/creds");
  });
});
