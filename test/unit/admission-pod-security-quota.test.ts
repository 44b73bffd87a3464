/** Pod Security Standards checks and ResourceQuota usage evaluation, table-driven over pure code. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/apiserver/admission/pod-security/checks.js';
import { computeUsage, formatResourceList, missingComputeResources, quotaMatches, usageOf } from '../../src/machinery/quota.js';

const restrictedOk = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

describe('pod security checks', () => {
  const cases: Array<[string, 'baseline' | 'restricted', any, string[]]> = [
    ['plain pod passes baseline', 'baseline', { containers: [{ name: 'c' }] }, []],
    ['hostPID and hostIPC', 'baseline', { hostPID: true, hostIPC: true, containers: [{ name: 'c' }] }, ['host namespaces (hostPID=true, hostIPC=true)']],
    ['two hostPorts', 'baseline', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81, hostPort: 81 }] }] }, ['hostPort (container "c" uses hostPorts 80, 81)']],
    ['added capability', 'baseline', { containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_ADMIN', 'CHOWN'] } } }] }, ['non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)']],
    ['unsafe sysctl', 'baseline', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'c' }] }, ['forbidden sysctls (kernel.msgmax)']],
    ['Unconfined seccomp', 'baseline', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'c' }] }, ['seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")']],
    ['restricted-conformant pod', 'restricted', restrictedOk, []],
    ['runAsUser 0 and a hostPath volume', 'restricted', { ...restrictedOk, securityContext: { ...restrictedOk.securityContext, runAsUser: 0 }, volumes: [{ name: 'h', hostPath: { path: '/' } }] },
      ['hostPath volumes (volume "h")', 'restricted volume types (volume "h" uses restricted volume type "hostPath")', 'runAsUser=0 (pod must not set runAsUser=0)']],
    ['restricted capabilities replace baseline ones', 'restricted', { ...restrictedOk, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }] },
      ['unrestricted capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add)']],
    ['two containers', 'restricted', { containers: [{ name: 'a' }, { name: 'b' }] }, [
      'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]],
  ];
  for (const [name, level, spec, want] of cases) {
    it(name, () => expect(evaluate(level, {}, spec)).toEqual(want));
  }
  it('privileged allows everything', () => expect(evaluate('privileged', {}, { hostNetwork: true, containers: [{ name: 'c', securityContext: { privileged: true } }] })).toEqual([]));
});

describe('quota evaluation', () => {
  const pod = (resources: any, extra: any = {}) => ({ spec: { containers: [{ name: 'c', resources }], ...extra } });
  it('counts pod compute usage with init containers as the max', () => {
    const p = { spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }], containers: [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } } }, { name: 'b', resources: { requests: { cpu: '700m' } } }] } };
    expect(formatResourceList(usageOf('', 'pods', p))).toEqual({ 'count/pods': '1', pods: '1', cpu: '2', 'requests.cpu': '2', memory: '1Gi', 'requests.memory': '1Gi', 'limits.memory': '2Gi' });
  });
  it('terminal pods use nothing', () => expect(usageOf('', 'pods', { status: { phase: 'Succeeded' } }).size).toBe(0));
  it('claims count storage per class', () => {
    expect(formatResourceList(usageOf('', 'persistentvolumeclaims', { spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } }))).toEqual({
      'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
    });
  });
  it('scopes select pods', () => {
    const be = { spec: { scopes: ['BestEffort'] } };
    expect(quotaMatches(be, '', 'pods', pod({}))).toBe(true);
    expect(quotaMatches(be, '', 'pods', pod({ requests: { cpu: '1' } }))).toBe(false);
    expect(quotaMatches(be, '', 'configmaps', {})).toBe(false);
    const pc = { spec: { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } } };
    expect(quotaMatches(pc, '', 'pods', pod({}, { priorityClassName: 'high' }))).toBe(true);
    expect(quotaMatches(pc, '', 'pods', pod({}, { priorityClassName: 'low' }))).toBe(false);
    expect(quotaMatches({ spec: { scopes: ['Terminating'] } }, '', 'pods', pod({}, { activeDeadlineSeconds: 5 }))).toBe(true);
  });
  it('names the compute resources containers leave out', () => {
    const q = { spec: { hard: { 'limits.cpu': '1', memory: '1Gi', pods: '3' } } };
    expect(missingComputeResources(q, { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }, { name: 'b' }] } })).toBe('limits.cpu for: b; memory for: a,b');
  });
  it('computes usage from listed objects', async () => {
    const q = { spec: { hard: { pods: '10', 'requests.cpu': '4', 'count/deployments.apps': '2' } } };
    const objects: Record<string, any[]> = {
      '/pods': [pod({ requests: { cpu: '1' } }), pod({ requests: { cpu: '250m' } }), { spec: {}, status: { phase: 'Failed' } }],
      'apps/deployments': [{}],
    };
    const used = await computeUsage(q, (g, p) => objects[`${g}/${p}`] ?? []);
    expect(formatResourceList(used)).toEqual({ 'count/deployments.apps': '1', pods: '2', 'requests.cpu': '1250m' });
  });
});
