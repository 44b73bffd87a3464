/**
 * Starting one container of a pod, as the upstream kubelet's startContainer: make sure the image is
 * there (imagePullPolicy; ErrImagePull / ImagePullBackOff / ErrImageNeverPull), build the
 * ContainerConfig (envs, mounts, linux config from PodInputs; CreateContainerConfigError), create and
 * start it, run postStart, and record the events kubectl describe shows (Pulling, Pulled, Created,
 * Started, Failed, BackOff, FailedPostStartHook). A failure returns the waiting reason to report.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventRecorder, KObject } from '../../client/index.js';
import type { Backoff } from './backoff.js';
import { ContainerConfigError, type PodInputs } from './pod-inputs.js';
import type { WaitingReason } from './pod-status.js';
import type { PodHooks } from './probes.js';
import {
  CONTAINER_NAME_LABEL, CONTAINER_TYPE_ANNOTATION, GRACE_PERIOD_ANNOTATION, HASH_ANNOTATION, MANAGED_LABEL,
  POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, RESTART_COUNT_ANNOTATION, TERMINATION_MESSAGE_PATH_ANNOTATION,
  TERMINATION_MESSAGE_POLICY_ANNOTATION, type Msg, type Runtime,
} from './runtime-types.js';

export interface StartDeps {
  runtime: Runtime;
  inputs: PodInputs;
  hooks: PodHooks;
  recorder: EventRecorder;
  pullBackoff: Backoff;
  /** D/agent/pods: termination message files go to <uid>/containers/<name>/. */
  podsDir: string;
  log: (msg: string) => void;
}

/**
 * A fresh file for the container's termination message, mounted at its terminationMessagePath
 * (upstream: <pod dir>/containers/<name>/<random>); the agent reads it when the container ends.
 */
async function terminationMessageMount(d: StartDeps, pod: KObject, c: KObject, mounts: Msg[]): Promise<Msg | undefined> {
  const path: string = c.terminationMessagePath || '/dev/termination-log';
  if (mounts.some((m) => m.containerPath === path)) return undefined;
  const dir = join(d.podsDir, pod.metadata.uid, 'containers', c.name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, '');
  await chmod(file, 0o666);
  return { containerPath: path, hostPath: file, readonly: false };
}

/** A short stable hash of the container's spec (a change means the container is replaced). */
export function containerHash(c: KObject): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 8);
}

/** IfNotPresent unless the tag is latest or missing (then Always). */
export function pullPolicy(c: KObject): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image: string = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const errText = (err: unknown): string => {
  const e = err as { details?: string; message?: string };
  return e?.details || e?.message || String(err);
};

async function ensureImage(d: StartDeps, pod: KObject, c: KObject, sandboxConfig: Msg): Promise<{ ref: string } | WaitingReason> {
  const image: string = c.image;
  const policy = pullPolicy(c);
  let present: Msg | undefined;
  try {
    present = (await d.runtime.image.imageStatus({ image: { image } })).image ?? undefined;
  } catch (err) {
    d.log(`agent: image status of ${image}: ${errText(err)}`);
  }
  if (present?.id && policy !== 'Always') {
    void d.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return { ref: present.id };
  }
  if (policy === 'Never') {
    const message = `Container image "${image}" is not present with pull policy of Never`;
    void d.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message);
    void d.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull');
    return { reason: 'ErrImageNeverPull', message };
  }
  const key = `${pod.metadata.uid}/${c.name}/pull`;
  const last = lastPullFailure.get(key) ?? 0;
  if (d.pullBackoff.remaining(key, last) > 0) {
    void d.recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
    void d.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
  }
  void d.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const started = Date.now();
  try {
    const res = await d.runtime.image.pullImage({ image: { image }, sandboxConfig });
    const secs = ((Date.now() - started) / 1000).toFixed(3);
    void d.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting)`);
    d.pullBackoff.reset(key);
    lastPullFailure.delete(key);
    return { ref: res.imageRef ?? image };
  } catch (err) {
    const message = `Failed to pull image "${image}": ${errText(err)}`;
    void d.recorder.event(pod, 'Warning', 'Failed', message);
    void d.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    d.pullBackoff.next(key);
    lastPullFailure.set(key, Date.now());
    return { reason: 'ErrImagePull', message };
  }
}

const lastPullFailure = new Map<string, number>();

export interface StartRequest {
  pod: KObject;
  container: KObject;
  init: boolean;
  sandboxId: string;
  sandboxConfig: Msg;
  restartCount: number;
  podIP?: string;
}

/** Starts the container; resolves to undefined on success or to the waiting reason on failure. */
export async function startContainer(d: StartDeps, r: StartRequest): Promise<WaitingReason | undefined> {
  const { pod, container: c } = r;
  const img = await ensureImage(d, pod, c, r.sandboxConfig);
  if ('reason' in img) return img;
  let inputs;
  try {
    inputs = await d.inputs.containerInputs(pod, c, r.podIP);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`);
    if (err instanceof ContainerConfigError || (err as Error)?.name === 'ContainerConfigError') return { reason: 'CreateContainerConfigError', message };
    return { reason: 'CreateContainerConfigError', message };
  }
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const termMount = await terminationMessageMount(d, pod, c, inputs.mounts).catch((err: unknown) => {
    d.log(`agent: termination message file for ${pod.metadata.namespace}/${pod.metadata.name}/${c.name}: ${errText(err)}`);
    return undefined;
  });
  const config: Msg = {
    metadata: { name: c.name, attempt: r.restartCount },
    image: { image: img.ref, userSpecifiedImage: c.image },
    command: inputs.command ?? c.command ?? [],
    args: inputs.args ?? c.args ?? [],
    workingDir: c.workingDir ?? '',
    envs: inputs.envs,
    mounts: termMount ? [...inputs.mounts, termMount] : inputs.mounts,
    labels: {
      [POD_NAME_LABEL]: pod.metadata.name, [POD_NAMESPACE_LABEL]: pod.metadata.namespace,
      [POD_UID_LABEL]: pod.metadata.uid, [CONTAINER_NAME_LABEL]: c.name, [MANAGED_LABEL]: 'true',
    },
    annotations: {
      [RESTART_COUNT_ANNOTATION]: String(r.restartCount),
      [HASH_ANNOTATION]: containerHash(c),
      [TERMINATION_MESSAGE_PATH_ANNOTATION]: c.terminationMessagePath ?? '/dev/termination-log',
      [TERMINATION_MESSAGE_POLICY_ANNOTATION]: c.terminationMessagePolicy ?? 'File',
      [GRACE_PERIOD_ANNOTATION]: String(grace),
      [CONTAINER_TYPE_ANNOTATION]: r.init ? 'init' : 'regular',
    },
    logPath: `${c.name}/${r.restartCount}.log`,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    tty: !!c.tty,
    linux: inputs.linux,
  };
  let id: string;
  try {
    id = (await d.runtime.runtime.createContainer({ podSandboxId: r.sandboxId, config, sandboxConfig: r.sandboxConfig })).containerId;
  } catch (err) {
    const message = errText(err);
    void d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`);
    return { reason: 'CreateContainerError', message };
  }
  void d.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
  try {
    await d.runtime.runtime.startContainer({ containerId: id });
  } catch (err) {
    const message = errText(err);
    void d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`);
    return { reason: 'RunContainerError', message };
  }
  void d.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  if (c.lifecycle?.postStart) {
    try {
      await d.hooks.postStart(pod, c, id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      void d.recorder.event(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
      void d.recorder.event(pod, 'Normal', 'Killing', `FailedPostStartHook`);
      await d.runtime.runtime.stopContainer({ containerId: id, timeout: grace }).catch(() => undefined);
      return { reason: 'PostStartHookError', message };
    }
  }
  return undefined;
}
