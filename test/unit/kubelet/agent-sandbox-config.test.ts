import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsConfig, parseResolvConf, sandboxConfig } from '../../../src/kubelet/agent/index.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-resolv-'));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(resolvConf, '# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch example.test corp.test\noptions ndots:2 timeout:1\n');
const env = { podLogsRoot: '/d/agent/pod-logs', cgroupRoot: '/k8ts', resolvConf };

function pod(spec: any = {}): any {
  return { metadata: { name: 'web', namespace: 'team', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'c' }], ...spec } };
}

describe('sandbox config', () => {
  it('carries metadata, hostname, log directory, labels and the cgroup parent', () => {
    const cfg = sandboxConfig(pod(), 2, env);
    expect(cfg.metadata).toEqual({ name: 'web', uid: 'u-1', namespace: 'team', attempt: 2 });
    expect(cfg.hostname).toBe('web');
    expect(cfg.logDirectory).toBe('/d/agent/pod-logs/team_web_u-1');
    expect(cfg.labels).toMatchObject({ app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'team', 'io.kubernetes.pod.uid': 'u-1' });
    expect(cfg.annotations).toEqual({ note: 'x' });
    expect(cfg.linux.cgroupParent).toBe('/k8ts/besteffort/podu-1');
    expect(cfg.linux.securityContext.namespaceOptions).toEqual({ network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  });

  it('puts the pod cgroup under its QoS class', () => {
    const limits = { cpu: '1', memory: '64Mi' };
    expect(sandboxConfig(pod({ containers: [{ name: 'c', resources: { limits, requests: limits } }] }), 0, env).linux.cgroupParent).toBe('/k8ts/podu-1');
    expect(sandboxConfig(pod({ containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] }), 0, env).linux.cgroupParent).toBe('/k8ts/burstable/podu-1');
  });

  it('uses spec.hostname, and no hostname of its own with hostNetwork (which shares the node namespaces)', () => {
    expect(sandboxConfig(pod({ hostname: 'db-0' }), 0, env).hostname).toBe('db-0');
    const host = sandboxConfig(pod({ hostNetwork: true, hostPID: true }), 0, env);
    expect(host.hostname).toBeUndefined();
    expect(host.linux.securityContext.namespaceOptions).toMatchObject({ network: 'NODE', pid: 'NODE' });
  });

  it('maps hostPorts of all containers', () => {
    const cfg = sandboxConfig(pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIP: '127.0.0.1' }, { containerPort: 9000 }] }] }), 0, env);
    expect(cfg.portMappings).toEqual([
      { protocol: 'TCP', containerPort: 80, hostPort: 8080 },
      { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
    ]);
  });
});

describe('pod DNS', () => {
  it('parses resolv.conf', () => {
    expect(parseResolvConf('nameserver 1.1.1.1 # c\ndomain a.test\noptions rotate\n')).toEqual({ servers: ['1.1.1.1'], searches: ['a.test'], options: ['rotate'] });
  });

  it('copies the host resolv.conf for Default, and for ClusterFirst while there is no cluster DNS', () => {
    for (const dnsPolicy of ['Default', 'ClusterFirst', undefined]) {
      expect(dnsConfig(pod({ dnsPolicy }), env)).toEqual({ servers: ['192.0.2.53', '192.0.2.54'], searches: ['example.test', 'corp.test'], options: ['ndots:2', 'timeout:1'] });
    }
  });

  it('uses cluster DNS for ClusterFirst when there is one', () => {
    expect(dnsConfig(pod(), { ...env, clusterDns: ['10.43.0.10'] })).toEqual({
      servers: ['10.43.0.10'], searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'example.test', 'corp.test'], options: ['ndots:5'],
    });
  });

  it('takes only dnsConfig with dnsPolicy None, and merges dnsConfig options by name otherwise', () => {
    const dns = { nameservers: ['192.0.2.1'], searches: ['my.test'], options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] };
    expect(dnsConfig(pod({ dnsPolicy: 'None', dnsConfig: dns }), env)).toEqual({ servers: ['192.0.2.1'], searches: ['my.test'], options: ['ndots:1', 'edns0'] });
    expect(dnsConfig(pod({ dnsPolicy: 'Default', dnsConfig: dns }), env)).toEqual({
      servers: ['192.0.2.53', '192.0.2.54', '192.0.2.1'], searches: ['example.test', 'corp.test', 'my.test'], options: ['ndots:1', 'timeout:1', 'edns0'],
    });
  });
});
