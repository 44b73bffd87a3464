import { describe, expect, it } from 'vitest';
import {
  containerSecurityContext, criCapabilityName, linuxResources, linuxSandboxConfig, milliCPUToQuota, milliCPUToShares,
  oomScoreAdj, podCgroupParent, qosClass, verifyRunAsNonRoot,
} from '../../src/kubelet/pod-config/index.js';

const podWith = (containers: any[], extra: any = {}) => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' },
  spec: { containers, ...extra },
});
const c = (resources: any, more: any = {}) => ({ name: 'c', resources, ...more });

describe('QoS class', () => {
  it.each([
    ['no resources', [c({})], 'BestEffort'],
    ['requests only', [c({ requests: { cpu: '100m' } })], 'Burstable'],
    ['equal requests and limits', [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })], 'Guaranteed'],
    ['limits without the requests the API server defaults from them', [c({ limits: { cpu: '1', memory: '1Gi' } })], 'Burstable'],
    ['cpu limit only', [c({ limits: { cpu: '1' } })], 'Burstable'],
    ['one guaranteed, one best effort', [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), { name: 'd' }], 'Burstable'],
    ['requests below limits', [c({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })], 'Burstable'],
  ])('%s', (_n, containers, want) => {
    expect(qosClass(podWith(containers))).toBe(want);
  });

  it('uses status.qosClass when the server set it', () => {
    expect(qosClass({ ...podWith([c({})]), status: { qosClass: 'Burstable' } })).toBe('Burstable');
  });
});

describe('CPU math', () => {
  it.each([[0, 2], [1, 2], [2, 2], [100, 102], [250, 256], [1000, 1024], [300_000, 262_144]])('shares(%i) = %i', (m, want) => {
    expect(milliCPUToShares(m)).toBe(want);
  });
  it.each([[0, 0], [5, 1000], [10, 1000], [250, 25_000], [1500, 150_000]])('quota(%i) = %i', (m, want) => {
    expect(milliCPUToQuota(m)).toBe(want);
  });
});

describe('linuxResources', () => {
  const GiB = 1024 ** 3;
  it('maps requests to shares and limits to quota and memory', () => {
    const ctr = c({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '500m', memory: '2Gi' } });
    expect(linuxResources(podWith([ctr]), ctr, { memoryCapacity: 8 * GiB })).toEqual({
      cpuShares: 256, cpuPeriod: 100_000, cpuQuota: 50_000, memoryLimitInBytes: 2 * GiB, oomScoreAdj: 875,
    });
  });
  it('takes shares from the cpu limit when no request is set, and no memory limit when none is set', () => {
    const ctr = c({ limits: { cpu: '2' } });
    const r = linuxResources(podWith([ctr]), ctr);
    expect(r.cpuShares).toBe(2048);
    expect(r.cpuQuota).toBe(200_000);
    expect(r.memoryLimitInBytes).toBeUndefined();
  });
  it('best effort: minimum shares, no quota, OOM 1000', () => {
    const ctr = c({});
    expect(linuxResources(podWith([ctr]), ctr)).toMatchObject({ cpuShares: 2, cpuQuota: 0, oomScoreAdj: 1000 });
  });
});

describe('OOM score adjustment', () => {
  const cap = 1000 * 1024 * 1024;
  it('guaranteed and node-critical pods get -997', () => {
    const g = c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(oomScoreAdj(podWith([g]), g, cap)).toBe(-997);
    const b = c({ requests: { cpu: '1' } });
    expect(oomScoreAdj(podWith([b], { priorityClassName: 'system-node-critical' }), b, cap)).toBe(-997);
  });
  it.each([
    ['no memory request', undefined, 999],
    ['10% of memory', `${100 * 1024 * 1024}`, 900],
    ['all memory', `${cap}`, 3],
    ['more than the machine', `${2 * cap}`, 3],
  ])('burstable, %s', (_n, mem, want) => {
    const b = c({ requests: { cpu: '100m', ...(mem ? { memory: mem } : {}) } });
    expect(oomScoreAdj(podWith([b]), b, cap)).toBe(want);
  });
});

describe('podCgroupParent', () => {
  it.each([
    [[c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })], '/kubepods/poduid-1'],
    [[c({ requests: { cpu: '1' } })], '/kubepods/burstable/poduid-1'],
    [[c({})], '/kubepods/besteffort/poduid-1'],
  ])('%#', (containers, want) => {
    expect(podCgroupParent(podWith(containers))).toBe(want);
  });
  it('takes another root', () => {
    expect(podCgroupParent(podWith([c({})]), '/k8ts/')).toBe('/k8ts/besteffort/poduid-1');
  });
});

describe('security context', () => {
  it('merges the pod level into the container, container wins, fsGroup joins supplemental groups', () => {
    const ctr = {
      name: 'c',
      securityContext: {
        runAsUser: 2000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME', 'net_raw'], drop: ['ALL'] },
      },
    };
    const pod = podWith([ctr], { securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [5], fsGroup: 7 } });
    const sc = containerSecurityContext(pod, ctr);
    expect(sc).toMatchObject({
      runAsUser: { value: 2000 }, runAsGroup: { value: 3000 }, supplementalGroups: [5, 7], readonlyRootfs: true,
      noNewPrivs: true, privileged: false,
      capabilities: { addCapabilities: ['NET_ADMIN', 'SYS_TIME', 'NET_RAW'], dropCapabilities: ['ALL'] },
      namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
      seccomp: { profileType: 'Unconfined' },
    });
    expect(sc.maskedPaths).toContain('/proc/kcore');
    expect(sc.readonlyPaths).toContain('/proc/sys');
  });

  it('privileged containers get no masked paths and make the sandbox privileged', () => {
    const ctr = { name: 'c', securityContext: { privileged: true } };
    const pod = podWith([ctr], { hostNetwork: true, hostPID: true, hostIPC: true, securityContext: { sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] } });
    const sc = containerSecurityContext(pod, ctr);
    expect(sc.maskedPaths).toEqual([]);
    expect(sc.readonlyPaths).toEqual([]);
    expect(sc.noNewPrivs).toBe(false);
    const sb = linuxSandboxConfig(pod, '/kubepods/besteffort/poduid-1');
    expect(sb).toMatchObject({
      cgroupParent: '/kubepods/besteffort/poduid-1',
      sysctls: { 'net.ipv4.ip_forward': '1' },
      securityContext: { privileged: true, namespaceOptions: { network: 'NODE', pid: 'NODE', ipc: 'NODE' } },
    });
  });

  it.each([
    [{ uid: 65534 }, { runAsUser: { value: 65534 } }],
    [{ username: 'www' }, { runAsUsername: 'www' }],
    [{}, { runAsUser: { value: 0 } }],
  ])('takes the run-as user from image %j when none is set', (image, want) => {
    const ctr = { name: 'c', securityContext: { runAsGroup: 5 } };
    expect(containerSecurityContext(podWith([ctr]), ctr, image)).toMatchObject({ ...want, runAsGroup: { value: 5 } });
    expect(containerSecurityContext(podWith([ctr]), { ...ctr, securityContext: { runAsUser: 7 } }, image).runAsUser).toEqual({ value: 7 });
  });

  it('shareProcessNamespace puts containers in the pod PID namespace', () => {
    const ctr = { name: 'c' };
    expect(containerSecurityContext(podWith([ctr], { shareProcessNamespace: true }), ctr).namespaceOptions?.pid).toBe('POD');
  });

  it('strips the CAP_ prefix containerd 1.6 adds itself', () => {
    expect(['CAP_CHOWN', 'cap_kill', 'SETUID', 'ALL'].map(criCapabilityName)).toEqual(['CHOWN', 'KILL', 'SETUID', 'ALL']);
  });

  it.each([
    ['not asked', {}, {}, undefined],
    ['image runs as root', { runAsNonRoot: true }, { uid: 0 }, 'container has runAsNonRoot and image will run as root (pod: "p_ns(uid-1)", container: c)'],
    ['image has no user', { runAsNonRoot: true }, {}, 'container has runAsNonRoot and image will run as root (pod: "p_ns(uid-1)", container: c)'],
    ['image has a non-root uid', { runAsNonRoot: true }, { uid: 1000 }, undefined],
    ['image has a numeric user name', { runAsNonRoot: true }, { username: '65534' }, undefined],
    ['image has a named user', { runAsNonRoot: true }, { username: 'www' }, 'container has runAsNonRoot and image has non-numeric user (www), cannot verify user is non-root (pod: "p_ns(uid-1)", container: c)'],
    ['runAsUser 0', { runAsNonRoot: true, runAsUser: 0 }, { uid: 1000 }, 'container\'s runAsUser breaks non-root policy (pod: "p_ns(uid-1)", container: c)'],
    ['runAsUser non-zero over a root image', { runAsNonRoot: true, runAsUser: 10 }, { uid: 0 }, undefined],
  ])('runAsNonRoot: %s', (_n, sc, image, want) => {
    const ctr = { name: 'c', securityContext: sc };
    expect(verifyRunAsNonRoot(podWith([ctr]), ctr, image)).toBe(want);
  });

  it('runAsNonRoot set on the pod applies to its containers', () => {
    const ctr = { name: 'c' };
    expect(verifyRunAsNonRoot(podWith([ctr], { securityContext: { runAsNonRoot: true } }), ctr, { uid: 0 })).toMatch(/will run as root/);
  });
});
