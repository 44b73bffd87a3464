/**
 * Pod inputs on a real node (containerd through the node agent), seen as a user sees them with the
 * real kubectl: ConfigMap and Secret volumes and env, the downward API (env and volume), a
 * projected ServiceAccount token, subPath, `$(VAR)` in command/args, a ConfigMap volume updated in
 * place after `kubectl replace` (while env and a subPath mount keep the old value, as upstream),
 * and the user-facing failures: FailedMount for a missing ConfigMap, CreateContainerConfigError for
 * a missing key.
 */
import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';
import { pollUntil } from '../helpers/poll.js';

const IMAGE = 'k8ts.local/busybox:1.36';
let t: TestServer;

const PRINTER = `
apiVersion: v1
kind: Pod
metadata:
  name: printer
  labels: {app: printer, tier: back}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: [sh, -c]
    args:
    - >-
      while true; do
      echo "cfg=$$(cat /etc/app/greeting) single=$$(cat /etc/single.conf) sec=$$(cat /etc/creds/password)
      env=$GREETING/$PASSWORD/$(MSG) name=$$(cat /etc/info/name) labels=$$(cat /etc/info/labels | tr '\\n' ,)
      ip=$POD_IP tokenparts=$$(awk -F. '{print NF}' /var/run/secrets/tokens/vault) node=$(NODE)
      hosts=$$(awk '$$2 == "printer" {print $$1}' /etc/hosts) tlog=$$(echo bye > /dev/termination-log && echo writable)";
      sleep 0.3; done
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: app, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: MSG, value: "$(GREETING)-msg"}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/app}
    - {name: cfg, mountPath: /etc/single.conf, subPath: greeting}
    - {name: creds, mountPath: /etc/creds}
    - {name: info, mountPath: /etc/info}
    - {name: tokens, mountPath: /var/run/secrets/tokens}
  volumes:
  - {name: cfg, configMap: {name: app}}
  - {name: creds, secret: {secretName: creds}}
  - name: info
    downwardAPI:
      items:
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
  - name: tokens
    projected:
      sources:
      - serviceAccountToken: {path: vault, audience: vault, expirationSeconds: 3600}
`;

const exists = (p: string) => lstat(p).then(() => true, () => false);

async function lastLine(pod: string): Promise<string> {
  const r = await t.kubectl(['logs', pod, '--tail=1']);
  return r.code === 0 ? r.stdout.trim() : '';
}

beforeAll(async () => {
  t = await startTestServer({
    runtime: 'containerd', nodeName: 'node-volumes', agent: { resyncMs: 500 },
    log: (m) => process.env.K8TS_TEST_LOG && process.stderr.write(`${m}\n`),
  });
  await pollUntil(async () => (await t.kubectl(['get', 'node', 'node-volumes'])).stdout.includes(' Ready'), 'node Ready', 1200, 100);
  await pollUntil(async () => (await t.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 'default ServiceAccount', 600, 100);
}, 180_000);

afterAll(async () => {
  // Deleted through the API, so the agent tears the volumes (and the memory emptyDir's tmpfs) down.
  await t?.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true'], { timeoutMs: 60_000 });
  await t?.stop();
}, 120_000);

describe('pod inputs on a real node', () => {
  it('gives a container its ConfigMap, Secret, downward API and token volumes and env', async () => {
    await t.ok(['create', 'configmap', 'app', '--from-literal=greeting=hello']);
    await t.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
    await t.ok(['apply', '-f', '-'], PRINTER);
    let line = '';
    await pollUntil(async () => (line = await lastLine('printer')).startsWith('cfg='), 'printer output', 1200, 100);
    const ip = JSON.parse(await t.ok(['get', 'pod', 'printer', '-o', 'json'])).status.podIP;
    expect(line).toBe(
      `cfg=hello single=hello sec=s3cret env=hello/s3cret/hello-msg name=printer labels=app="printer",tier="back" ip=${ip} tokenparts=3 node=node-volumes hosts=${ip} tlog=writable`,
    );
  }, 120_000);

  it('updates ConfigMap, Secret and downward API volumes in place; env and subPath mounts keep the value they started with', async () => {
    await t.ok(['replace', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {greeting: bonjour}\n');
    let line = '';
    await pollUntil(async () => (line = await lastLine('printer')).startsWith('cfg=bonjour'), `updated ConfigMap volume (last: ${line})`, 1200, 100);
    expect(line).toMatch(/^cfg=bonjour single=hello sec=s3cret env=hello\/s3cret\/hello-msg /);
    // a Secret and the pod's labels (downward API volume) follow the same way
    await t.ok(['replace', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {password: ${Buffer.from('n3w').toString('base64')}}\n`);
    await t.ok(['label', 'pod', 'printer', 'extra=yes']);
    await pollUntil(async () => /sec=n3w .*labels=app="printer",extra="yes",tier="back" /.test(line = await lastLine('printer')), `updated Secret and labels (last: ${line})`, 1200, 100);
    expect(line).toContain('env=hello/s3cret/hello-msg ');
    const pod = JSON.parse(await t.ok(['get', 'pod', 'printer', '-o', 'json']));
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
  }, 120_000);

  it('reports a missing ConfigMap volume as FailedMount naming the volume', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: nomount}
spec:
  containers:
  - {name: main, image: ${IMAGE}, command: [sleep, '3600'], volumeMounts: [{name: cfg, mountPath: /cfg}]}
  volumes:
  - {name: cfg, configMap: {name: nope}}
`);
    let events = '';
    await pollUntil(async () => {
      events = (await t.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=nomount', '-o', 'json'])).stdout;
      return events.includes('FailedMount');
    }, 'FailedMount event', 1200, 100);
    const ev = JSON.parse(events).items.find((e: any) => e.reason === 'FailedMount');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found');
    const pod = JSON.parse(await t.ok(['get', 'pod', 'nomount', '-o', 'json']));
    expect(pod.status.phase).toBe('Pending');
  }, 120_000);

  it('reports a missing ConfigMap key as CreateContainerConfigError', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: nokey}
spec:
  containers:
  - name: main
    image: ${IMAGE}
    command: [sleep, '3600']
    env: [{name: X, valueFrom: {configMapKeyRef: {name: app, key: missing}}}]
`);
    let waiting: any;
    await pollUntil(async () => {
      const pod = JSON.parse(await t.ok(['get', 'pod', 'nokey', '-o', 'json']));
      waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      return waiting?.reason === 'CreateContainerConfigError';
    }, 'CreateContainerConfigError', 1200, 100);
    expect(waiting.message).toBe("couldn't find key missing in ConfigMap default/app");
    const get = await t.ok(['get', 'pod', 'nokey']);
    expect(get).toMatch(/nokey\s+0\/1\s+CreateContainerConfigError\s+0/);
  }, 120_000);

  it('refuses runAsNonRoot for an image that runs as root, and runs a container with only runAsGroup as the image user', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - {name: main, image: ${IMAGE}, command: [sleep, '3600']}
---
apiVersion: v1
kind: Pod
metadata: {name: grouponly}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: ${IMAGE}, securityContext: {runAsGroup: 1234}, command: [sh, -c, 'echo "ids=$$(id -u)/$$(id -g)"']}
`);
    const uid = (await t.ok(['get', 'pod', 'nonroot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    let waiting: any;
    await pollUntil(async () => {
      const pod = JSON.parse(await t.ok(['get', 'pod', 'nonroot', '-o', 'json']));
      waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      return waiting?.reason === 'CreateContainerConfigError';
    }, 'CreateContainerConfigError for runAsNonRoot', 1200, 100);
    expect(waiting.message).toBe(`container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: main)`);
    let status = '';
    await pollUntil(async () => {
      status = (await t.kubectl(['get', 'pod', 'grouponly', '-o', 'jsonpath={.status}'])).stdout;
      return JSON.parse(status || '{}').phase === 'Succeeded';
    }, 'grouponly Succeeded', 1200, 100).catch((e) => { throw new Error(`${e.message}; last status ${status}`); });
    expect((await t.ok(['logs', 'grouponly'])).trim()).toBe('ids=0/1234');
  }, 240_000);

  it('applies resources, the security context, fsGroup and a memory-backed emptyDir', async () => {
    await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: locked}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000]}
  containers:
  - name: main
    image: ${IMAGE}
    resources: {requests: {cpu: 250m, memory: 32Mi}, limits: {cpu: 500m, memory: 64Mi}}
    securityContext:
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [CAP_NET_BIND_SERVICE]}
    command: [sh, -c]
    args:
    - >-
      echo "ids=$$(id -u)/$$(id -g)/$$(id -G | tr ' ' ,)
      rootfs=$$(touch /x 2>/dev/null && echo rw || echo ro)
      scratch=$$(stat -c %g /scratch)/$$(touch /scratch/f && stat -c %g /scratch/f)
      mem=$$(awk '$$2 == "/mem" {print $$3}' /proc/mounts)
      cap=$$(awk '/^CapBnd/ {print $$2}' /proc/self/status)
      nnp=$$(awk '/^NoNewPrivs/ {print $$2}' /proc/self/status)
      limit=$$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
      quota=$$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
      shares=$$(cat /sys/fs/cgroup/cpu/cpu.shares)
      oom=$$(cat /proc/self/oom_score_adj)"; sleep 3600
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: mem, mountPath: /mem}
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
`);
    let line = '';
    await pollUntil(async () => (line = await lastLine('locked')).startsWith('ids='), 'locked output', 1200, 100);
    const got = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
    expect(got).toMatchObject({
      ids: '1000/3000/3000,2000,4000', rootfs: 'ro', scratch: '2000/2000', mem: 'tmpfs',
      cap: '0000000000000400', nnp: '1', limit: String(64 * 1024 * 1024), quota: '50000', shares: '256',
    });
    const oom = Number(got.oom);
    expect(oom).toBeGreaterThan(3);
    expect(oom).toBeLessThan(1000);
    const pod = JSON.parse(await t.ok(['get', 'pod', 'locked', '-o', 'json']));
    expect(pod.status.qosClass).toBe('Burstable');
  }, 120_000);

  it('mounts the hostPath PersistentVolume bound to a claim, and hostPath volumes with a type check', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'k8ts-pv-'));
    try {
      await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-node-volumes}
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
  volumeName: pv-node-volumes
`);
      await t.ok(['patch', 'pvc', 'data', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
      await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: ${IMAGE}
    command: [sh, -c, 'echo persisted > /data/$(POD)/out && echo done']
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
    volumeMounts: [{name: data, mountPath: /data}, {name: sub, mountPath: /data/writer, subPathExpr: $(POD)}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: data}}
  - {name: sub, hostPath: {path: ${hostDir}, type: DirectoryOrCreate}}
`);
      await pollUntil(async () => (await t.kubectl(['get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded', 'writer Succeeded', 1200, 100);
      expect(await readFile(join(hostDir, 'writer', 'out'), 'utf8')).toBe('persisted\n');
      await t.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: badhostpath}
spec:
  containers:
  - {name: main, image: ${IMAGE}, command: [sleep, '3600'], volumeMounts: [{name: h, mountPath: /h}]}
  volumes:
  - {name: h, hostPath: {path: ${hostDir}/writer/out, type: Directory}}
`);
      let events = '';
      await pollUntil(async () => {
        events = (await t.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=badhostpath,reason=FailedMount', '-o', 'jsonpath={.items[*].message}'])).stdout;
        return events !== '';
      }, 'FailedMount for the hostPath type', 1200, 100);
      expect(events).toContain(`MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${hostDir}/writer/out is not a directory`);
    } finally {
      await t.kubectl(['delete', 'pod', 'writer', 'badhostpath', '--grace-period=1', '--wait=true'], { timeoutMs: 60_000 });
      await rm(hostDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('deleting a pod removes its volumes (the tmpfs is unmounted)', async () => {
    const uid = (await t.ok(['get', 'pod', 'locked', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const podDir = join(t.dataDir, 'agent', 'pods', uid);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(podDir)).toBe(true);
    await t.ok(['delete', 'pod', 'locked', '--wait=true']);
    await pollUntil(async () => !(await readFile('/proc/self/mountinfo', 'utf8')).includes(podDir) && !(await exists(podDir)), 'pod volumes removed', 600, 100);
  }, 120_000);
});
