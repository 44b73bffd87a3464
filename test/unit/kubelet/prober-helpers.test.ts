/**
 * Table tests of the prober's small pure pieces: $(VAR) expansion of exec commands, container
 * port references, probe setting defaults, and Go-style formatting used in messages.
 */
import { describe, expect, it } from 'vitest';
import {
  expandCommandOnlyStatic, expandVars, formatPod, goList, goSeconds, probeKillMessage, probeSettings, requestForHttpGet,
  resolveContainerPort,
} from '../../../src/kubelet/prober/index.js';

describe('expandVars', () => {
  const vars = new Map([['A', 'x'], ['EMPTY', '']]);
  it.each([
    ['$(A)', 'x'],
    ['pre-$(A)-post', 'pre-x-post'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$x'],
    ['$(B)', '$(B)'],
    ['$(EMPTY)|', '|'],
    ['$(A', '$(A'],
    ['cost $5', 'cost $5'],
    ['end$', 'end$'],
  ])('%s → %s', (input, want) => {
    expect(expandVars(input, vars)).toBe(want);
  });

  it('uses only literal env values', () => {
    expect(expandCommandOnlyStatic(['$(LIT)', '$(REF)'], [
      { name: 'LIT', value: 'v' }, { name: 'REF', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ])).toEqual(['v', '$(REF)']);
  });
});

describe('resolveContainerPort', () => {
  const c = { ports: [{ name: 'http', containerPort: 8080 }, { name: '9000', containerPort: 9001 }] };
  it.each([
    [80, 80],
    ['http', 8080],
    ['9000', 9001],
    ['8443', 8443],
  ] as Array<[number | string, number]>)('%s → %s', (ref, want) => {
    expect(resolveContainerPort(ref, c)).toBe(want);
  });
  it.each([
    ['nope', 'strconv.Atoi: parsing "nope": invalid syntax'],
    [0, 'invalid port number: 0'],
    [70000, 'invalid port number: 70000'],
    ['-1', 'invalid port number: -1'],
  ] as Array<[number | string, string]>)('%s fails: %s', (ref, msg) => {
    expect(() => resolveContainerPort(ref, c)).toThrow(msg);
  });
});

describe('probe settings and messages', () => {
  it('defaults as the API does', () => {
    expect(probeSettings({})).toEqual({ initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(probeSettings({ periodSeconds: 2, timeoutSeconds: 5, successThreshold: 2, failureThreshold: 1, initialDelaySeconds: 7 }))
      .toEqual({ initialDelaySeconds: 7, periodSeconds: 2, timeoutSeconds: 5, successThreshold: 2, failureThreshold: 1 });
  });

  it.each([[0, '0s'], [1, '1s'], [59, '59s'], [60, '1m0s'], [61, '1m1s'], [3600, '1h0m0s'], [3725, '1h2m5s']])('goSeconds(%s) = %s', (s, want) => {
    expect(goSeconds(s)).toBe(want);
  });

  it('formats pods, lists and kill messages as upstream', () => {
    expect(formatPod({ metadata: { name: 'web', namespace: 'shop', uid: 'u1' } })).toBe('web_shop(u1)');
    expect(goList(['sh', '-c', 'exit 1'])).toBe('[sh -c exit 1]');
    expect(probeKillMessage('app', 'liveness')).toBe('Container app failed liveness probe, will be restarted');
    expect(probeKillMessage('app', 'startup', false)).toBe('Container app failed startup probe');
  });

  it('builds probe URLs as Go prints them', () => {
    const c = { ports: [] };
    expect(requestForHttpGet({ port: 80 }, c, '10.0.0.5', 'probe').url).toBe('http://10.0.0.5:80');
    expect(requestForHttpGet({ port: 80, path: 'healthz' }, c, '10.0.0.5', 'probe').url).toBe('http://10.0.0.5:80/healthz');
    const v6 = requestForHttpGet({ port: 443, path: '/x?y=1', scheme: 'HTTPS' }, c, 'fd00::5', 'probe');
    expect(v6.url).toBe('https://[fd00::5]:443/x?y=1');
    expect(v6.target).toBe('/x?y=1');
    expect(v6.headers.get('User-Agent')).toEqual(['kube-probe/1.32']);
    expect(requestForHttpGet({ port: 80 }, c, '10.0.0.5', 'lifecycle').headers.get('User-Agent')).toEqual(['kube-lifecycle/1.32']);
  });
});
