import { describe, expect, it } from 'vitest';
import {
  containerResourceValue, expand, expandCommand, mappingFor, podFieldValue, resolveEnv, type ConfigLookup,
} from '../../src/kubelet/pod-config/index.js';

describe('$(VAR) expansion', () => {
  const ctx = { VAR_A: 'A', VAR_B: 'B', VAR_C: 'C', VAR_REF: '$(VAR_A)', VAR_EMPTY: '' };
  const cases: Array<[string, string, string]> = [
    ['whole string', '$(VAR_A)', 'A'],
    ['repeat', '$(VAR_A)-$(VAR_A)', 'A-A'],
    ['beginning', '$(VAR_A)-1', 'A-1'],
    ['middle', '___$(VAR_B)___', '___B___'],
    ['end', '___$(VAR_C)', '___C'],
    ['compound', '$(VAR_A)_$(VAR_B)_$(VAR_C)', 'A_B_C'],
    ['escape and expand', '$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['compound escape', '$$(VAR_A)_$$(VAR_B)', '$(VAR_A)_$(VAR_B)'],
    ['escaped bare operator', 'f000-$$VAR_A', 'f000-$VAR_A'],
    ['backslash is no escape', 'foo\\$(VAR_C)bar', 'foo\\Cbar'],
    ['nested reference stays', '$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
    ['nested reference, second kind', '$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
    ['value that is a reference is not re-expanded', '$(VAR_REF)', '$(VAR_A)'],
    ['empty value', 'foo$(VAR_EMPTY)bar', 'foobar'],
    ['unterminated expression', 'foo$(VAR_Awhoops!', 'foo$(VAR_Awhoops!'],
    ['no operator', 'f00__(VAR_A)__', 'f00__(VAR_A)__'],
    ['shell specials pass through', '$?_boo_$!', '$?_boo_$!'],
    ['bare operator', '$VAR_A', '$VAR_A'],
    ['undefined stays literal', '$(VAR_DNE)', '$(VAR_DNE)'],
    ['even operators, undefined', '$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
    ['even operators, defined', '$$$$$$(VAR_A)', '$$$(VAR_A)'],
    ['odd operators, undefined', '$$$$$$$(GOOD_ODDS)', '$$$$(GOOD_ODDS)'],
    ['odd operators, defined', '$$$$$$$(VAR_A)', '$$$A'],
    ['missing opener', '$VAR_A)', '$VAR_A)'],
    ['shell syntax ignored', '${VAR_A}', '${VAR_A}'],
    ['trailing incomplete expression', '$(VAR_B)_______$(A', 'B_______$(A'],
    ['trailing empty incomplete expression', '$(VAR_C)_______$(', 'C_______$('],
    ['operator at the end', '$(VAR_A)foobarzab$', 'Afoobarzab$'],
    ['many $( in the middle', '--$($($($($--', '--$($($($($--'],
    ['many $( at the end', 'foo0--$($($($(', 'foo0--$($($($('],
    ['escaped operators inside a name', '$(foo$$var)', '$(foo$$var)'],
    ['newline', '\n', '\n'],
  ];
  it.each(cases)('%s', (_name, input, want) => {
    expect(expand(input, mappingFor(ctx))).toBe(want);
  });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function lookupOf(objs: { configMaps?: Record<string, any>; secrets?: Record<string, any> }): ConfigLookup {
  return {
    getConfigMap: async (ns, name) => objs.configMaps?.[`${ns}/${name}`],
    getSecret: async (ns, name) => objs.secrets?.[`${ns}/${name}`],
  };
}

const pod = {
  metadata: { name: 'p', namespace: 'ns1', uid: 'u-1', labels: { b: '2', a: '1' }, annotations: { note: 'say "hi"' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'robot', containers: [] as any[] },
  status: { podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }, { ip: 'fd00::5' }], hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }] },
};

describe('resolveEnv', () => {
  const lookup = lookupOf({
    configMaps: { 'ns1/cm': { data: { A: 'from-cm', B: 'b', 'bad=key': 'x', '1ok': 'y' } } },
    secrets: { 'ns1/s': { data: { PASS: b64('s3cret'), A: b64('from-secret') } } },
  });

  it('orders envFrom before env, expands values against earlier variables and keeps undefined refs', async () => {
    const c = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's' }, prefix: 'S_' }],
      env: [
        { name: 'A', value: 'own-$(B)' },
        { name: 'X', value: '$(A)/$(S_PASS)/$(NOPE)/$$(A)' },
        { name: 'EMPTY', value: '' },
      ],
    };
    const r = await resolveEnv(pod, c, lookup);
    if ('error' in r) throw new Error(r.error);
    const m = Object.fromEntries(r.envs.map((e) => [e.key, e.value]));
    expect(m).toMatchObject({ A: 'own-b', B: 'b', S_PASS: 's3cret', S_A: 'from-secret', X: 'own-b/s3cret/$(NOPE)/$(A)', EMPTY: '', '1ok': 'y' });
    expect(m['bad=key']).toBeUndefined();
    expect(r.warnings.join('\n')).toContain('bad=key');
  });

  it('reads configMapKeyRef and secretKeyRef, skipping optional ones that are missing', async () => {
    const c = {
      name: 'c',
      env: [
        { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'B' } } },
        { name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'PASS' } } },
        { name: 'O1', valueFrom: { configMapKeyRef: { name: 'gone', key: 'x', optional: true } } },
        { name: 'O2', valueFrom: { secretKeyRef: { name: 's', key: 'nokey', optional: true } } },
      ],
      envFrom: [{ configMapRef: { name: 'gone', optional: true } }],
    };
    const r = await resolveEnv(pod, c, lookup);
    if ('error' in r) throw new Error(r.error);
    expect(r.envs).toEqual([{ key: 'K', value: 'b' }, { key: 'P', value: 's3cret' }]);
  });

  it.each([
    [{ configMapKeyRef: { name: 'nope', key: 'x' } }, 'configmap "nope" not found'],
    [{ configMapKeyRef: { name: 'cm', key: 'x' } }, "couldn't find key x in ConfigMap ns1/cm"],
    [{ secretKeyRef: { name: 'nope', key: 'x' } }, 'secret "nope" not found'],
    [{ secretKeyRef: { name: 's', key: 'x' } }, "couldn't find key x in Secret ns1/s"],
    [{ fieldRef: { fieldPath: 'spec.bogus' } }, 'unsupported fieldPath: spec.bogus'],
  ])('fails with the kubelet wording for %j', async (valueFrom, message) => {
    const r = await resolveEnv(pod, { name: 'c', env: [{ name: 'V', valueFrom }] }, lookup);
    expect(r).toEqual({ error: message });
  });

  it('fails for a missing non-optional envFrom source', async () => {
    expect(await resolveEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'x' } }] }, lookup)).toEqual({ error: 'secret "x" not found' });
  });

  it('appends service variables that the container does not define, and expands them', async () => {
    const c = { name: 'c', env: [{ name: 'URL', value: 'http://$(WEB_SERVICE_HOST)' }, { name: 'WEB_SERVICE_PORT', value: 'mine' }] };
    const r = await resolveEnv(pod, c, lookup, { serviceEnv: { WEB_SERVICE_HOST: '10.0.0.9', WEB_SERVICE_PORT: '80' } });
    if ('error' in r) throw new Error(r.error);
    expect(r.envs).toEqual([
      { key: 'URL', value: 'http://10.0.0.9' }, { key: 'WEB_SERVICE_PORT', value: 'mine' }, { key: 'WEB_SERVICE_HOST', value: '10.0.0.9' },
    ]);
  });

  it('expands command and args against the resolved environment', () => {
    const c = { command: ['sh', '-c', 'echo $(MSG) $$(MSG)'], args: ['$(MISSING)', '$(MSG)'] };
    expect(expandCommand(c, [{ key: 'MSG', value: 'hi' }])).toEqual({ command: ['sh', '-c', 'echo hi $(MSG)'], args: ['$(MISSING)', 'hi'] });
  });
});

describe('fieldRef', () => {
  it.each([
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns1'],
    ['metadata.uid', 'u-1'],
    ["metadata.labels['a']", '1'],
    ["metadata.labels['zz']", ''],
    ["metadata.annotations['note']", 'say "hi"'],
    ['metadata.labels', 'a="1"\nb="2"'],
    ['metadata.annotations', 'note="say \\"hi\\""'],
    ['spec.nodeName', 'node-a'],
    ['spec.serviceAccountName', 'robot'],
    ['status.podIP', '10.42.0.5'],
    ['status.podIPs', '10.42.0.5,fd00::5'],
    ['status.hostIP', '127.0.0.1'],
    ['status.hostIPs', '127.0.0.1'],
  ])('%s', (path, want) => {
    expect(podFieldValue(pod, path)).toBe(want);
  });

  it('prefers the IPs the agent knows over the pod status', () => {
    expect(podFieldValue(pod, 'status.podIP', { podIPs: ['10.42.0.9'] })).toBe('10.42.0.9');
    expect(podFieldValue(pod, 'status.hostIPs', { hostIPs: ['127.0.0.2', '::1'] })).toBe('127.0.0.2,::1');
  });
});

describe('resourceFieldRef', () => {
  const c = { resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m', memory: '128Mi' } } };
  const alloc = { nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100G' } };
  it.each([
    ['limits.cpu', undefined, '2'],
    ['limits.cpu', '1m', '1500'],
    ['requests.cpu', undefined, '1'],
    ['requests.cpu', '1m', '250'],
    ['limits.memory', undefined, String(128 * 1024 * 1024)],
    ['limits.memory', '1Mi', '128'],
    ['requests.memory', '1M', '68'],
    ['requests.ephemeral-storage', undefined, '0'],
    ['limits.ephemeral-storage', '1G', '100'],
  ])('%s divisor %s', (res, divisor, want) => {
    expect(containerResourceValue(c, res, divisor, alloc)).toBe(want);
  });

  it('falls back to node allocatable for unset limits', () => {
    expect(containerResourceValue({}, 'limits.cpu', '1m', alloc)).toBe('4000');
    expect(containerResourceValue({}, 'limits.memory', '1Gi', alloc)).toBe('8');
  });

  it('refuses unknown resources', () => {
    expect(() => containerResourceValue(c, 'limits.gpu', undefined)).toThrow('unsupported container resource : limits.gpu');
  });
});
