/**
 * A real node's registration and status against real containerd: the Node is NotReady until its
 * podCIDR arrives and the CNI config is written, then Ready; kubectl shows its address, runtime,
 * capacity and images; its Lease is renewed; a deleted Node comes back.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/client/index.js';
import { CriClient } from '../../src/kubelet/cri/index.js';
import { startContainerd, type ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import { PAUSE_IMAGE, ensureBuiltinImages } from '../../src/kubelet/images/index.js';
import { criNodeRuntime, startNodeStatus, type RunningNodeStatus } from '../../src/kubelet/node/index.js';
import { ensurePki, issueClientCert } from '../../src/pki/index.js';
import { pollUntil } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const NODE = 'status-node-1';

describe('node status on containerd', () => {
  let t: TestServer;
  let agentDir: string;
  let containerd: ContainerdHandle;
  let cri: CriClient;
  let client: KubeClient;
  let node: RunningNodeStatus;

  beforeAll(async () => {
    // No node IPAM controller: the test hands out the podCIDR itself, to see the node before it.
    t = await startTestServer({ disable: ['scheduler', 'nodelifecycle', 'nodeipam'] });
    agentDir = await mkdtemp(join(tmpdir(), 'k8ts-node-status-'));
    containerd = await startContainerd({ dataDir: agentDir });
    cri = await CriClient.connect(containerd.endpoint);
    const pki = await ensurePki(t.dataDir, { hosts: [] });
    const id = await issueClientCert(pki, { user: `system:node:${NODE}`, groups: ['system:nodes'] });
    client = new KubeClient({ server: t.url, ca: pki.caCertPem, cert: id.certPem, key: id.keyPem });
    node = await startNodeStatus({
      client, nodeName: NODE, nodeIP: '127.0.0.1', kubeletPort: 10999, runtime: criNodeRuntime(cri), dataDir: agentDir,
      cni: { bridge: 'k8ts-st1' }, leaseRenewMs: 200, notReadyPollMs: 100, statusUpdateMs: 500, runtimeDownAfterMs: 1000, labels: { 'example.test/role': 'worker' },
    });
  });
  afterAll(async () => {
    await node?.stop();
    client?.close();
    cri?.close();
    await containerd?.stop().catch(() => undefined);
    await t?.stop();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
  });

  const jsonpath = (p: string) => t.ok(['get', 'node', NODE, '-o', `jsonpath=${p}`]);

  it('is NotReady with the runtime\'s network message until it has a podCIDR', async () => {
    await pollUntil(async () => (await jsonpath('{.status.conditions[?(@.type=="Ready")].status}')) === 'False', 'Ready False');
    const msg = await jsonpath('{.status.conditions[?(@.type=="Ready")].message}');
    expect(msg).toMatch(/^container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:/);
    expect(await jsonpath('{.status.conditions[?(@.type=="Ready")].reason}')).toBe('KubeletNotReady');
    expect(node.ready()).toBe(false);
    expect((await t.ok(['get', 'node', NODE])).split('\n')[1]).toMatch(new RegExp(`^${NODE}\\s+NotReady\\s`));
  });

  it('becomes Ready once the podCIDR is set and the CNI config written', async () => {
    await t.ok(['patch', 'node', NODE, '--type=merge', '-p', '{"spec":{"podCIDR":"10.199.7.0/24","podCIDRs":["10.199.7.0/24"]}}']);
    expect(await node.podCIDR()).toBe('10.199.7.0/24');
    const conf = JSON.parse(await readFile(join(agentDir, 'agent', 'cni', '10-k8ts.conflist'), 'utf8'));
    expect(conf.plugins[0]).toMatchObject({ type: 'bridge', bridge: 'k8ts-st1', ipam: { ranges: [[{ subnet: '10.199.7.0/24' }]] } });
    await pollUntil(async () => (await jsonpath('{.status.conditions[?(@.type=="Ready")].status}')) === 'True', 'Ready True', 1200);
    expect(await jsonpath('{.status.conditions[?(@.type=="Ready")].message}')).toBe('kubelet is posting ready status');
    const wide = (await t.ok(['get', 'node', NODE, '-o', 'wide'])).split('\n');
    expect(wide[0]).toMatch(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
    expect(wide[1]).toMatch(new RegExp(`^${NODE}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.\\S+\\s+127\\.0\\.0\\.1\\s+<none>\\s+.+\\s+containerd://\\S+\\s*$`));
    expect(node.ready()).toBe(true);
  });

  it('shows capacity, allocatable, addresses, system info and labels in kubectl describe', async () => {
    const d = await t.ok(['describe', 'node', NODE]);
    expect(d).toMatch(/Labels:\s+beta\.kubernetes\.io\/arch=(amd64|arm64)/);
    expect(d).toContain(`kubernetes.io/hostname=${NODE}`);
    expect(d).toContain('example.test/role=worker');
    expect(d).toMatch(/Capacity:\n\s+cpu:\s+\d+\n\s+ephemeral-storage:\s+\d+\w*\n(\s+hugepages-\w+:\s+0\n)*\s+memory:\s+\d+Ki\n\s+pods:\s+110\n/);
    expect(d).toMatch(/Allocatable:\n\s+cpu:\s+\d+\n/);
    expect(d).toMatch(/InternalIP:\s+127\.0\.0\.1\n\s+Hostname:\s+status-node-1/);
    expect(d).toMatch(/Container Runtime Version:\s+containerd:\/\/\S+/);
    expect(d).toMatch(/Boot ID:\s+\S+/);
    expect(d).toMatch(/Kubelet Version:\s+v1\.32/);
    expect(d).toMatch(/PodCIDR:\s+10\.199\.7\.0\/24/);
    expect(d).toMatch(/Ready\s+True\s.*KubeletReady\s+kubelet is posting ready status/);
    expect(d).toMatch(/MemoryPressure\s+False\s.*KubeletHasSufficientMemory/);
    const cap = JSON.parse(await jsonpath('{.status}'));
    const ki = (q: string) => Number(/^(\d+)Ki$/.exec(q)?.[1]);
    expect(ki(cap.capacity.memory) - ki(cap.allocatable.memory)).toBe(100 * 1024);
    expect(cap.daemonEndpoints.kubeletEndpoint.Port).toBe(10999);
    expect(cap.nodeInfo.machineID).toBe((await readFile('/etc/machine-id', 'utf8')).trim());
  });

  it('reports the runtime\'s images', async () => {
    await ensureBuiltinImages(cri, containerd.endpoint, [PAUSE_IMAGE]);
    const images = await cri.image.listImages({});
    let reported: { names: string[]; sizeBytes: number }[] = [];
    await pollUntil(async () => {
      reported = JSON.parse((await jsonpath('{.status.images}')) || '[]');
      return reported.some((i) => i.names.includes(PAUSE_IMAGE));
    }, 'the pause image in node status');
    const pause = images.images.find((i) => i.repoTags.includes(PAUSE_IMAGE))!;
    expect(reported.find((i) => i.names.includes(PAUSE_IMAGE))?.sizeBytes).toBe(pause.size);
    const names = new Set(reported.flatMap((i) => i.names));
    for (const img of images.images) for (const tag of img.repoTags) expect(names.has(tag)).toBe(true);
  });

  it('renews its Lease in kube-node-lease', async () => {
    const renew = () => t.ok(['get', 'lease', '-n', 'kube-node-lease', NODE, '-o', 'jsonpath={.spec.renewTime}']);
    const first = await renew();
    expect(first).not.toBe('');
    await pollUntil(async () => (await renew()) !== first, 'a renewed lease');
    expect(await t.ok(['get', 'lease', '-n', 'kube-node-lease', NODE, '-o', 'jsonpath={.spec.holderIdentity}/{.spec.leaseDurationSeconds}'])).toBe(`${NODE}/40`);
  });

  it('registers the Node again when it is deleted', async () => {
    const uid = await jsonpath('{.metadata.uid}');
    await t.ok(['delete', 'node', NODE]);
    await pollUntil(async () => {
      const r = await t.kubectl(['get', 'node', NODE, '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout !== '' && r.stdout !== uid;
    }, 'the node registered again');
  });

  it('goes NotReady with "container runtime is down" when containerd stops answering', async () => {
    await containerd.stop();
    await pollUntil(async () => (await jsonpath('{.status.conditions[?(@.type=="Ready")].status}')) === 'False', 'Ready False', 1200);
    expect(await jsonpath('{.status.conditions[?(@.type=="Ready")].message}')).toBe('container runtime is down');
    expect(node.ready()).toBe(false);
  });
});
