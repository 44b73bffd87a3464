import { describe, expect, it } from 'vitest';
import { capacityOf, formatBinaryQuantity, goArch, nodeConditions, nodeImages, notReadyMessage, type MachineInfo } from '../../../src/kubelet/node/index.js';
import { bridgeNameFor, renderCniConfig, validBridgeName } from '../../../src/kubelet/network/index.js';

const machine: MachineInfo = {
  cpus: 8, memoryBytes: 16 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3 + 512, hugePageSizes: ['2Mi', '1Gi'],
  machineID: 'm', systemUUID: '', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64',
};

const cond = (type: string, status: boolean, reason = '', message = '') => ({ type, status, reason, message });

describe('node capacity and allocatable', () => {
  it('reports the machine and keeps the default hard eviction thresholds out of allocatable', () => {
    const { capacity, allocatable } = capacityOf(machine);
    expect(capacity).toEqual({
      cpu: '8', memory: '16Gi', pods: '110', 'ephemeral-storage': String(100 * 1024 ** 3 + 512), 'hugepages-2Mi': '0', 'hugepages-1Gi': '0',
    });
    expect(allocatable.memory).toBe(`${16 * 1024 - 100}Mi`);
    expect(allocatable.cpu).toBe('8');
    const eph = Number(allocatable['ephemeral-storage']);
    expect(eph).toBe(100 * 1024 ** 3 + 512 - Math.floor((100 * 1024 ** 3 + 512) * 0.1));
  });

  it.each([[0, '0'], [1001, '1001'], [1024, '1Ki'], [1536 * 1024 ** 2, '1536Mi'], [16 * 1024 ** 3, '16Gi'], [16376012 * 1024, '16376012Ki']])(
    'formats %i bytes as %s', (bytes, q) => expect(formatBinaryQuantity(bytes)).toBe(q));

  it('names architectures as Go does', () => {
    expect(goArch('x64')).toBe('amd64');
    expect(goArch('arm64')).toBe('arm64');
  });
});

describe('Ready condition', () => {
  it('is ready when the runtime and its network are', () => {
    expect(notReadyMessage({ conditions: [cond('RuntimeReady', true), cond('NetworkReady', true)] })).toBeUndefined();
    const c = nodeConditions({ conditions: [cond('RuntimeReady', true), cond('NetworkReady', true)] }, 'T1');
    expect(c.map((x) => `${x.type}=${x.status}/${x.reason}`)).toEqual([
      'MemoryPressure=False/KubeletHasSufficientMemory', 'DiskPressure=False/KubeletHasNoDiskPressure',
      'PIDPressure=False/KubeletHasSufficientPID', 'Ready=True/KubeletReady',
    ]);
  });

  it('carries the runtime\'s reason in upstream wording, aggregated when both are down', () => {
    const net = cond('NetworkReady', false, 'NetworkPluginNotReady', 'Network plugin returns error: cni plugin not initialized');
    expect(notReadyMessage({ conditions: [cond('RuntimeReady', true), net] }))
      .toBe('container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
    expect(notReadyMessage({ conditions: [cond('RuntimeReady', false, 'R', 'M'), net] }))
      .toBe('[container runtime not ready: RuntimeReady=false reason:R message:M, container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized]');
    expect(notReadyMessage({ error: 'connect ENOENT' })).toBe('container runtime is down');
    expect(notReadyMessage({})).toBe('container runtime status check may not have completed yet');
  });

  it('keeps lastTransitionTime while the status holds and moves it when it flips', () => {
    const ready = { conditions: [cond('RuntimeReady', true), cond('NetworkReady', true)] };
    const first = nodeConditions(ready, 'T1');
    const again = nodeConditions(ready, 'T2', first);
    expect(again.find((c) => c.type === 'Ready')).toMatchObject({ lastHeartbeatTime: 'T2', lastTransitionTime: 'T1' });
    const down = nodeConditions({ conditions: [cond('RuntimeReady', true), cond('NetworkReady', false)] }, 'T3', again);
    expect(down.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'KubeletNotReady', lastTransitionTime: 'T3' });
    expect(down.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime).toBe('T1');
  });
});

describe('node images', () => {
  it('lists digests then tags, largest first, at most 50, skipping unnamed images', () => {
    const img = (id: string, size: number, tags: string[], digests: string[] = []) =>
      ({ id, size, repoTags: tags, repoDigests: digests, uid: null, username: '', spec: null, pinned: false });
    const out = nodeImages([img('a', 10, ['k8ts.local/pause:3.10']), img('b', 99, ['k8ts.local/busybox:1.36'], ['k8ts.local/busybox@sha256:00']), img('c', 50, [])]);
    expect(out).toEqual([
      { names: ['k8ts.local/busybox@sha256:00', 'k8ts.local/busybox:1.36'], sizeBytes: 99 },
      { names: ['k8ts.local/pause:3.10'], sizeBytes: 10 },
    ]);
    expect(nodeImages(Array.from({ length: 60 }, (_, i) => img(String(i), i, [`x/${i}:1`])))).toHaveLength(50);
  });
});

describe('CNI config', () => {
  it('is a bridge with host-local IPAM over the podCIDR and portmap', () => {
    const c = renderCniConfig({ podCIDR: '10.42.3.0/24', ipamDataDir: '/d/agent/cni-ipam', bridge: 'k8ts0' });
    expect(c).toEqual({
      cniVersion: '1.0.0', name: 'k8ts',
      plugins: [
        { type: 'bridge', bridge: 'k8ts0', isGateway: true, ipMasq: true, hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.42.3.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/d/agent/cni-ipam' } },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    });
  });

  it('derives a valid, stable bridge name per node and rejects bad ones', () => {
    expect(bridgeNameFor('worker-1')).toBe(bridgeNameFor('worker-1'));
    expect(bridgeNameFor('worker-1')).not.toBe(bridgeNameFor('worker-2'));
    expect(validBridgeName(bridgeNameFor('a-very-long-node-name.example.com'))).toBe(true);
    expect(validBridgeName('a-name-that-is-too-long')).toBe(false);
    expect(() => renderCniConfig({ podCIDR: '10.42.3.0/24', ipamDataDir: '/x', bridge: 'bad name' })).toThrow(/invalid CNI bridge name/);
  });
});
