/**
 * ProbeManager: one timer-driven worker per (pod, container, probe kind), with upstream kubelet's
 * semantics:
 * - a worker probes every periodSeconds, not before initialDelaySeconds after the container
 *   started; a result only counts once it repeats successThreshold (success) or failureThreshold
 *   (failure) times in a row;
 * - initial values per container: readiness failure, liveness success, startup unknown;
 * - a startup probe gates the other two: they do not run until it has succeeded; it stops
 *   probing once the container has started;
 * - a liveness or startup failure puts the worker on hold until a new container id appears (the
 *   agent restarts the container); during pod deletion liveness/startup report success and stop;
 * - a non-running container is not ready; workers end when the pod is Succeeded/Failed or the
 *   container terminated under restartPolicy Never.
 * Results are cached per container id; `onResult` fires whenever a cached result changes, and
 * `onEvent` for each attempt that upstream records an event for (Unhealthy / ProbeWarning).
 */
import type { Container, ContainerStatus, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { rawContainerId } from './cri-runner.js';
import { probeSettings, runProbe, type ProbeSettings } from './probe.js';
import type { CommandRunner, ProbeType } from './types.js';

export type ProbeResultValue = 'success' | 'failure' | 'unknown';

export interface ProbeResultUpdate {
  podUid: string;
  pod: Pod;
  container: string;
  /** The status containerID this result is about (e.g. "containerd://…"). */
  containerId: string;
  probe: ProbeType;
  result: ProbeResultValue;
  /** Output of the probe attempt that settled the result ("" for initial values). */
  output: string;
  /** True when this is the initial value for a newly seen container, not a probe's verdict. */
  initial: boolean;
  /**
   * For liveness/startup failures: the grace period to kill the container with (the probe's
   * terminationGracePeriodSeconds, else the pod's, else 30).
   */
  terminationGracePeriodSeconds?: number;
}

export interface ProbeEventRecord {
  podUid: string;
  pod: Pod;
  container: string;
  containerId: string;
  /** involvedObject.fieldPath of the event: spec.containers{name} or spec.initContainers{name}. */
  fieldPath: string;
  probe: ProbeType;
  type: 'Warning';
  reason: 'Unhealthy' | 'ProbeWarning';
  message: string;
}

export interface ProbeManagerOptions {
  /** Runs exec probes (CRI ExecSync); see criCommandRunner. Without it exec probes error. */
  runner?: CommandRunner;
  onResult?: (u: ProbeResultUpdate) => void;
  onEvent?: (e: ProbeEventRecord) => void;
  /** Version in the User-Agent (kube-probe/1.32). */
  kubeVersion?: string;
  /** Milliseconds per "second" of periodSeconds/initialDelaySeconds (default 1000; tests shrink it). */
  secondMs?: number;
  /** Start each worker after a random part of its period (upstream does this after a kubelet restart). */
  initialJitter?: boolean;
  log?: (msg: string) => void;
}

const INITIAL: Record<ProbeType, ProbeResultValue> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };
const PROBE_FIELD: Record<ProbeType, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> = {
  readiness: 'readinessProbe', liveness: 'livenessProbe', startup: 'startupProbe',
};

interface PodEntry {
  pod: Pod;
  status?: PodStatus;
}

const workerKey = (uid: string, container: string, type: ProbeType): string => `${uid}\u0000${container}\u0000${type}`;

const isRestartableInit = (c: Container): boolean => (c as { restartPolicy?: string }).restartPolicy === 'Always';

function findStatus(status: PodStatus | undefined, name: string): ContainerStatus | undefined {
  return status?.containerStatuses?.find((c) => c.name === name) ?? status?.initContainerStatuses?.find((c) => c.name === name);
}

class Worker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private pending = false;
  private stopped = false;
  private containerId = '';
  private lastResult: ProbeResultValue = 'unknown';
  private resultRun = 0;
  private onHold = false;
  readonly settings: ProbeSettings;
  private readonly abort = new AbortController();

  constructor(
    private readonly m: ProbeManager,
    readonly uid: string,
    readonly container: Container,
    readonly fieldPath: string,
    readonly type: ProbeType,
    readonly spec: Probe,
  ) {
    this.settings = probeSettings(spec);
  }

  get key(): string { return workerKey(this.uid, this.container.name, this.type); }

  start(jitter: boolean): void {
    this.schedule(jitter ? Math.random() * this.settings.periodSeconds * this.m.secondMs : 0);
  }

  trigger(): void {
    if (this.stopped) return;
    if (this.running) { this.pending = true; return; }
    this.schedule(0);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.containerId) this.m.removeResult(this.containerId, this.type);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.loop(); }, Math.max(0, delayMs));
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    const began = Date.now();
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch (err) {
      this.m.log(`prober: ${this.type} probe of ${this.uid}/${this.container.name}: ${(err as Error).message}`);
    }
    this.running = false;
    if (this.stopped) return;
    if (!keepGoing) { this.m.workerDone(this); return; }
    if (this.pending) { this.pending = false; this.schedule(0); return; }
    this.schedule(began + this.settings.periodSeconds * this.m.secondMs - Date.now());
  }

  private set(result: ProbeResultValue, output: string, initial: boolean): void {
    this.m.setResult(this, this.containerId, result, output, initial);
  }

  /** One round of upstream's doProbe; false ends the worker. */
  private async doProbe(): Promise<boolean> {
    const entry = this.m.entry(this.uid);
    if (!entry?.status) return true;
    const { pod, status } = entry;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;
    const c = findStatus(status, this.container.name);
    if (!c?.containerID) return true;
    if (c.containerID !== this.containerId) {
      if (this.containerId) this.m.removeResult(this.containerId, this.type);
      this.containerId = c.containerID;
      this.lastResult = 'unknown';
      this.resultRun = 0;
      this.onHold = false;
      this.set(INITIAL[this.type], '', true);
    }
    if (this.onHold) return true;
    if (!c.state?.running) {
      if (this.type === 'readiness') this.set('failure', '', false);
      return !c.state?.terminated || pod.spec?.restartPolicy !== 'Never';
    }
    if (pod.metadata?.deletionTimestamp && (this.type === 'liveness' || this.type === 'startup')) {
      this.set('success', '', false);
      return false;
    }
    const startedAt = Date.parse(c.state.running.startedAt ?? '');
    if (Number.isFinite(startedAt) && Math.floor((Date.now() - startedAt) / this.m.secondMs) < this.settings.initialDelaySeconds) return true;
    const started = this.m.containerStarted(this.uid, c);
    if (started ? this.type === 'startup' : this.type !== 'startup') return true;

    const probedId = this.containerId;
    const attempt = await runProbe(this.type, this.spec, {
      container: this.container, containerId: rawContainerId(probedId), podIP: status.podIP,
    }, { runner: this.m.runner, kubeVersion: this.m.kubeVersion, signal: this.abort.signal });
    if (this.stopped || probedId !== this.containerId) return !this.stopped;
    if (attempt.event) {
      this.m.emitEvent({
        podUid: this.uid, pod, container: this.container.name, containerId: probedId, fieldPath: this.fieldPath,
        probe: this.type, ...attempt.event,
      });
    }
    if (attempt.result === undefined) return true;
    const result = attempt.result;
    if (this.lastResult === result) this.resultRun++;
    else { this.lastResult = result; this.resultRun = 1; }
    if ((result === 'failure' && this.resultRun < this.settings.failureThreshold)
      || (result === 'success' && this.resultRun < this.settings.successThreshold)) return true;
    this.set(result, attempt.output, false);
    if ((this.type === 'liveness' || this.type === 'startup') && result === 'failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

export class ProbeManager {
  readonly runner: CommandRunner | undefined;
  readonly kubeVersion: string | undefined;
  readonly secondMs: number;
  private readonly pods = new Map<string, PodEntry>();
  private readonly workers = new Map<string, Worker>();
  /** containerID → probe kind → cached result. */
  private readonly results = new Map<string, Map<ProbeType, { result: ProbeResultValue; output: string }>>();
  private stopped = false;

  constructor(private readonly opts: ProbeManagerOptions = {}) {
    this.runner = opts.runner;
    this.kubeVersion = opts.kubeVersion;
    this.secondMs = opts.secondMs ?? 1000;
  }

  /** Starts workers for the pod's probes (regular containers and sidecar init containers). */
  add(pod: Pod, status?: PodStatus): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    const entry = this.pods.get(uid);
    if (entry) { entry.pod = pod; if (status) entry.status = status; }
    else this.pods.set(uid, { pod, status });
    const containers: Array<[Container, string]> = [
      ...(pod.spec?.containers ?? []).map((c): [Container, string] => [c, `spec.containers{${c.name}}`]),
      ...(pod.spec?.initContainers ?? []).filter(isRestartableInit).map((c): [Container, string] => [c, `spec.initContainers{${c.name}}`]),
    ];
    for (const [c, fieldPath] of containers) {
      for (const type of ['startup', 'readiness', 'liveness'] as const) {
        const spec = c[PROBE_FIELD[type]];
        if (!spec || this.workers.has(workerKey(uid, c.name, type))) continue;
        const w = new Worker(this, uid, c, fieldPath, type, spec);
        this.workers.set(w.key, w);
        w.start(this.opts.initialJitter ?? false);
      }
    }
  }

  /**
   * Gives the workers the pod's latest object (deletionTimestamp) and status (podIP, container
   * ids, states, startedAt). Same as add for a pod not seen yet.
   */
  update(pod: Pod, status?: PodStatus): void {
    this.add(pod, status);
  }

  /** Stops the pod's workers and forgets its results. */
  remove(podUid: string): void {
    for (const w of [...this.workers.values()]) if (w.uid === podUid) { w.stop(); this.workers.delete(w.key); }
    this.pods.delete(podUid);
  }

  /** Stops every worker. */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
    this.pods.clear();
    this.results.clear();
  }

  /** Runs the probe now (e.g. readiness right after the container started). */
  trigger(podUid: string, containerName: string, type: ProbeType): void {
    this.workers.get(workerKey(podUid, containerName, type))?.trigger();
  }

  /** The cached result of a container's probe (undefined: no probe of that kind or not run). */
  getResult(containerId: string, type: ProbeType): ProbeResultValue | undefined {
    return this.results.get(containerId)?.get(type)?.result;
  }

  /**
   * The grace period to kill a container with after its liveness/startup probe failed: the probe's
   * terminationGracePeriodSeconds, else the pod's, else 30 (undefined: no such probe).
   */
  killGracePeriodSeconds(podUid: string, containerName: string, type: 'liveness' | 'startup'): number | undefined {
    const w = this.workers.get(workerKey(podUid, containerName, type));
    const pod = this.pods.get(podUid)?.pod;
    return w && pod ? probeGracePeriodSeconds(pod, w.spec) : undefined;
  }

  hasProbe(podUid: string, containerName: string, type: ProbeType): boolean {
    return this.workers.has(workerKey(podUid, containerName, type));
  }

  /** Started as upstream computes it: running, and the startup probe (if any) has succeeded. */
  isStarted(podUid: string, containerName: string): boolean {
    const c = findStatus(this.pods.get(podUid)?.status, containerName);
    return c ? this.containerStarted(podUid, c) : false;
  }

  /** Ready as upstream computes it for the container's latest status. */
  isReady(podUid: string, containerName: string): boolean {
    const entry = this.pods.get(podUid);
    const c = findStatus(entry?.status, containerName);
    if (!entry || !c) return false;
    const init = entry.pod.spec?.initContainers?.find((i) => i.name === containerName);
    if (init && !isRestartableInit(init)) return c.state?.terminated?.exitCode === 0;
    return this.containerReady(podUid, c, false);
  }

  /**
   * Sets `started` and `ready` of each container status in `status` (mutated and returned) as
   * upstream's UpdatePodStatus does, and remembers the status for the workers. A readiness probe
   * that has not yet passed is triggered to run now.
   */
  updatePodStatus(pod: Pod, status: PodStatus): PodStatus {
    const uid = pod.metadata?.uid ?? '';
    const entry = this.pods.get(uid);
    if (entry) { entry.pod = pod; entry.status = status; }
    for (const c of status.containerStatuses ?? []) {
      const started = this.containerStarted(uid, c);
      c.started = started;
      c.ready = started ? this.containerReady(uid, c, true) : false;
    }
    for (const c of status.initContainerStatuses ?? []) {
      const started = this.containerStarted(uid, c);
      c.started = started;
      const spec = pod.spec?.initContainers?.find((i) => i.name === c.name);
      if (!spec) continue;
      if (!isRestartableInit(spec)) { c.ready = c.state?.terminated?.exitCode === 0; continue; }
      c.ready = started ? this.containerReady(uid, c, true) : false;
    }
    return status;
  }

  // ---- used by workers ----

  /** @internal */
  entry(uid: string): PodEntry | undefined { return this.pods.get(uid); }

  /** @internal */
  log(msg: string): void { this.opts.log?.(msg); }

  /** @internal */
  containerStarted(uid: string, c: ContainerStatus): boolean {
    if (!c.state?.running) return false;
    const r = c.containerID ? this.getResult(c.containerID, 'startup') : undefined;
    if (r !== undefined) return r === 'success';
    return !this.workers.has(workerKey(uid, c.name, 'startup'));
  }

  private containerReady(uid: string, c: ContainerStatus, triggerIfPending: boolean): boolean {
    if (!c.state?.running) return false;
    if (c.containerID && this.getResult(c.containerID, 'readiness') === 'success') return true;
    const w = this.workers.get(workerKey(uid, c.name, 'readiness'));
    if (w && triggerIfPending) w.trigger();
    return !w;
  }

  /** @internal */
  setResult(w: Worker, containerId: string, result: ProbeResultValue, output: string, initial: boolean): void {
    let byType = this.results.get(containerId);
    if (!byType) { byType = new Map(); this.results.set(containerId, byType); }
    const prev = byType.get(w.type);
    byType.set(w.type, { result, output });
    if (prev?.result === result) return;
    const entry = this.pods.get(w.uid);
    if (!entry) return;
    const update: ProbeResultUpdate = {
      podUid: w.uid, pod: entry.pod, container: w.container.name, containerId, probe: w.type, result, output, initial,
    };
    if (result === 'failure' && w.type !== 'readiness') {
      update.terminationGracePeriodSeconds = probeGracePeriodSeconds(entry.pod, w.spec);
    }
    if (w.type === 'startup' && result === 'success') {
      this.workers.get(workerKey(w.uid, w.container.name, 'readiness'))?.trigger();
      this.workers.get(workerKey(w.uid, w.container.name, 'liveness'))?.trigger();
    }
    try {
      this.opts.onResult?.(update);
    } catch (err) {
      this.log(`prober: onResult: ${(err as Error).message}`);
    }
  }

  /** @internal */
  removeResult(containerId: string, type: ProbeType): void {
    const byType = this.results.get(containerId);
    byType?.delete(type);
    if (byType && byType.size === 0) this.results.delete(containerId);
  }

  /** @internal */
  emitEvent(e: ProbeEventRecord): void {
    try {
      this.opts.onEvent?.(e);
    } catch (err) {
      this.log(`prober: onEvent: ${(err as Error).message}`);
    }
  }

  /** @internal A worker ended by itself (pod finished, container gone for good, pod deleting). */
  workerDone(w: Worker): void {
    w.stop();
    if (this.workers.get(w.key) === w) this.workers.delete(w.key);
  }
}

/** The grace period to kill a container whose liveness/startup probe failed. */
export function probeGracePeriodSeconds(pod: Pod, probe: Probe): number {
  return probe.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/**
 * The Killing event message for a container whose probe failed, as upstream words it:
 * "Container app failed liveness probe, will be restarted".
 */
export function probeKillMessage(containerName: string, probe: 'liveness' | 'startup', willRestart = true): string {
  return `Container ${containerName} failed ${probe} probe${willRestart ? ', will be restarted' : ''}`;
}

/** The kill reasons upstream uses internally for probe-driven kills. */
export const PROBE_KILL_REASON = { liveness: 'LivenessProbe', startup: 'StartupProbe' } as const;
