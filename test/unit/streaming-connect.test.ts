import { describe, expect, it } from 'vitest';
import { checkLogStatus, resolveContainer } from '../../src/apiserver/rest/connect.js';
import { StatusError } from '../../src/apiserver/status.js';

function pod(spec: Record<string, unknown>, extra: { annotations?: Record<string, string>; status?: Record<string, unknown> } = {}): any {
  return { metadata: { name: 'p', namespace: 'default', annotations: extra.annotations }, spec, status: extra.status ?? {} };
}

function message(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(400);
    return (err as Error).message;
  }
}

describe('container defaulting and validation for pods/{log,exec,attach}', () => {
  const two = { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init' }], ephemeralContainers: [{ name: 'debug' }] };
  it.each<[string, any, string, string]>([
    ['the only container', pod({ containers: [{ name: 'app' }] }), '', 'app'],
    ['the default-container annotation', pod(two, { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } }), '', 'b'],
    ['a named container', pod(two), 'b', 'b'],
    ['an init container', pod(two), 'init', 'init'],
    ['an ephemeral container', pod(two), 'debug', 'debug'],
  ])('accepts %s', (_what, p, requested, want) => {
    expect(resolveContainer(p, requested)).toBe(want);
  });

  it.each<[string, any, string, string]>([
    ['no name with several containers', pod(two), '', 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]'],
    ['no name, no init containers', pod({ containers: [{ name: 'a' }, { name: 'b' }] }), '', 'a container name must be specified for pod p, choose one of: [a b]'],
    ['an unknown name', pod(two), 'zzz', 'container zzz is not valid for pod p'],
    ['an annotation naming no container', pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { annotations: { 'kubectl.kubernetes.io/default-container': 'x' } }), '', 'a container name must be specified for pod p, choose one of: [a b]'],
  ])('refuses %s', (_what, p, requested, want) => {
    expect(message(() => resolveContainer(p, requested))).toBe(want);
  });
});

describe('log status checks', () => {
  const status = (cs: Record<string, unknown>) => pod({ containers: [{ name: 'c' }] }, { status: { containerStatuses: [{ name: 'c', ...cs }] } });
  it.each<[string, any, boolean, string | undefined]>([
    ['running', status({ state: { running: {} }, containerID: 'containerd://1' }), false, undefined],
    ['no status yet', pod({ containers: [{ name: 'c' }] }), false, undefined],
    ['crash-looping with a last instance', status({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { containerID: 'containerd://1' } } }), false, undefined],
    ['creating', status({ state: { waiting: { reason: 'ContainerCreating' } } }), false, 'container "c" in pod "p" is waiting to start: ContainerCreating'],
    ['image pull failing', status({ state: { waiting: { reason: 'ErrImagePull' } } }), false, 'container "c" in pod "p" is waiting to start: image can\'t be pulled'],
    ['image pull backing off', status({ state: { waiting: { reason: 'ImagePullBackOff' } } }), false, 'container "c" in pod "p" is waiting to start: trying and failing to pull image'],
    ['previous without one', status({ state: { running: {} } }), true, 'previous terminated container "c" in pod "p" not found'],
    ['previous with one', status({ state: { running: {} }, lastState: { terminated: { containerID: 'containerd://0' } } }), true, undefined],
  ])('%s', (_what, p, previous, want) => {
    expect(message(() => checkLogStatus(p, 'c', previous))).toBe(want);
  });
});
