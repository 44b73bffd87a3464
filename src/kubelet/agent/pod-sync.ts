/**
 * PodSyncer: one pass of a pod's worker (upstream's SyncPod / SyncTerminatingPod). syncPod brings
 * the runtime to the pod's spec — a ready sandbox, init containers strictly in order, sidecars
 * started in order and kept running, main containers started and restarted per restartPolicy
 * with CrashLoopBackOff — then writes the pod's status if it changed. terminatePod runs preStop,
 * stops containers within the grace period (main containers first, then sidecars in reverse),
 * stops the sandbox and deletes the pod object. removeRuntimePod clears what the runtime holds for
 * a pod that is gone from the API.
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findResource } from '../../api/resources.js';
import { ApiError, type KObject, type KubeClient } from '../../client/index.js';
import { errorChainMessage } from '../../machinery/error-chain.js';
import type { Backoff } from './backoff.js';
import { containerHash, startContainer, type StartDeps } from './container-start.js';
import { containersNamed, generateStatus, isSidecar, statusPatch, type WaitingReason } from './pod-status.js';
import type { PodProbes } from './probes.js';
import type { ContainerInfo, PodRuntime, RuntimeCache } from './runtime-cache.js';
import { GRACE_PERIOD_ANNOTATION, isNotFoundError, nsToDate, type Msg } from './runtime-types.js';
import { podCgroupCandidates, podLogDirectory, sandboxConfig, type SandboxEnv } from './sandbox-config.js';

const PODS = findResource('', 'v1', 'pods')!;
const TEN_MINUTES_MS = 10 * 60 * 1000;

export interface SyncDeps extends StartDeps {
  cache: RuntimeCache;
  client: KubeClient;
  probes: PodProbes;
  restartBackoff: Backoff;
  sandboxEnv: SandboxEnv;
  hostIP: string;
}

interface PodRecord {
  reasons: Map<string, WaitingReason>;
  /** Why the agent failed the pod itself (activeDeadlineSeconds). */
  failed?: { reason: string; message: string };
  podIP?: string;
  sandboxId?: string;
}

/** Go's time.Duration formatting for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

const ms = (ns: number): number => nsToDate(ns)?.getTime() ?? 0;

export class PodSyncer {
  private readonly records = new Map<string, PodRecord>();

  constructor(private readonly d: SyncDeps) {}

  private record(uid: string): PodRecord {
    let r = this.records.get(uid);
    if (!r) {
      r = { reasons: new Map() };
      this.records.set(uid, r);
    }
    return r;
  }

  private async refresh(uid: string): Promise<PodRuntime | undefined> {
    await this.d.cache.relist();
    return this.d.cache.get(uid);
  }

  /** Sync a live pod; resolves to a delay (ms) after which it wants another sync, if any. */
  async syncPod(pod: KObject): Promise<number | undefined> {
    const uid: string = pod.metadata.uid;
    const rec = this.record(uid);
    const phase = pod.status?.phase;
    let rt = this.d.cache.get(uid);
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopAll(pod, rt, pod.spec?.terminationGracePeriodSeconds ?? 30);
      rt = await this.refresh(uid);
      await this.writeStatus(pod, rt, rec, true);
      return undefined;
    }
    let wake: number | undefined;
    const soon = (delay: number): void => {
      wake = wake === undefined ? delay : Math.min(wake, delay);
    };
    // activeDeadlineSeconds: past it, the pod is failed and its containers stopped.
    const deadline: number | undefined = pod.spec?.activeDeadlineSeconds;
    const startTime = Date.parse(pod.status?.startTime ?? '');
    if (deadline !== undefined && deadline !== null && Number.isFinite(startTime)) {
      const left = startTime + deadline * 1000 - Date.now();
      if (left <= 0) {
        const message = 'Pod was active on the node longer than the specified deadline';
        if (!rec.failed) void this.d.recorder.event(pod, 'Normal', 'DeadlineExceeded', message);
        rec.failed = { reason: 'DeadlineExceeded', message };
        await this.stopAll(pod, rt, pod.spec?.terminationGracePeriodSeconds ?? 30, true);
        rt = await this.refresh(uid);
        await this.writeStatus(pod, rt, rec, true);
        return undefined;
      }
      soon(left + 50);
    }
    try {
      await this.d.inputs.preparePod(pod);
    } catch (err) {
      void this.d.recorder.event(pod, 'Warning', 'FailedMount', errorChainMessage(err));
      await this.writeStatus(pod, rt, rec, false);
      return 2000;
    }
    let sandbox = rt?.sandboxes[0];
    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      const policy = pod.spec?.restartPolicy ?? 'Always';
      if (sandbox && policy === 'Never' && rt?.containers.length) {
        // A pod that never restarts does not get a second sandbox; it ends with what it has.
        await this.writeStatus(pod, rt, rec, true);
        return undefined;
      }
      if (rt) await this.stopAll(pod, rt, 2);
      const attempt = sandbox ? sandbox.attempt + 1 : 0;
      const cfg = sandboxConfig(pod, attempt, this.d.sandboxEnv);
      try {
        await mkdir(podLogDirectory(this.d.sandboxEnv.podLogsRoot, pod), { recursive: true });
        await this.d.runtime.runtime.runPodSandbox({ config: cfg });
      } catch (err) {
        const e = err as { details?: string; message?: string };
        void this.d.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${e.details || e.message}`);
        await this.writeStatus(pod, rt, rec, false);
        return 5000;
      }
      rec.podIP = undefined;
      rt = await this.refresh(uid);
      sandbox = rt?.sandboxes[0];
      if (!sandbox) throw new Error(`pod sandbox of ${pod.metadata.namespace}/${pod.metadata.name} vanished after creation`);
    }
    const sbCfg = sandboxConfig(pod, sandbox.attempt, this.d.sandboxEnv);
    if (rec.sandboxId !== sandbox.id || !rec.podIP) {
      rec.sandboxId = sandbox.id;
      if (pod.spec?.hostNetwork) rec.podIP = this.d.hostIP;
      else {
        const st: Msg = await this.d.runtime.runtime.podSandboxStatus({ podSandboxId: sandbox.id });
        rec.podIP = st.status?.network?.ip || undefined;
      }
    }
    const current = (r: PodRuntime | undefined): PodRuntime | undefined =>
      r && { ...r, containers: r.containers.filter((c) => c.sandboxId === sandbox!.id) };
    let cur = current(rt)!;
    const spec = pod.spec ?? {};
    const policy: string = spec.restartPolicy ?? 'Always';
    const grace: number = spec.terminationGracePeriodSeconds ?? 30;
    const initSpecs: KObject[] = spec.initContainers ?? [];
    const mainSpecs: KObject[] = spec.containers ?? [];

    // A pod seen for the first time shows ContainerCreating / PodInitializing while its images are
    // checked and containers created (upstream writes status at the start of each sync).
    if (!pod.status?.containerStatuses) await this.writeStatus(pod, rt, rec, false);

    // Running containers that must go: liveness failures, changed definitions, unknown names.
    const kills: Promise<void>[] = [];
    for (const [c, init] of [...initSpecs.map((x) => [x, true] as const), ...mainSpecs.map((x) => [x, false] as const)]) {
      const latest = containersNamed(cur, c.name, init)[0];
      if (latest?.state !== 'CONTAINER_RUNNING') continue;
      const why = this.d.probes.mustRestart(uid, c.name, latest.id);
      if (why) {
        void this.d.recorder.event(pod, 'Normal', 'Killing', `Container ${c.name} ${why}, will be restarted`);
        kills.push(this.stopContainer(latest, grace));
      } else if (latest.hash && latest.hash !== containerHash(c)) {
        void this.d.recorder.event(pod, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
        kills.push(this.stopContainer(latest, grace));
      }
    }
    if (kills.length) {
      await Promise.all(kills);
      cur = current(await this.refresh(uid))!;
    }

    const start = async (c: KObject, init: boolean): Promise<boolean> => {
      const all = containersNamed(cur, c.name, init);
      const latest = all[0];
      if (latest?.state === 'CONTAINER_EXITED') {
        const key = `${uid}/${c.name}`;
        if (ms(latest.finishedAt) - ms(latest.startedAt) >= TEN_MINUTES_MS) this.d.restartBackoff.reset(key);
        const remain = this.d.restartBackoff.remaining(key, ms(latest.finishedAt));
        if (remain > 0) {
          const delay = this.d.restartBackoff.delay(key);
          rec.reasons.set(c.name, {
            reason: 'CrashLoopBackOff',
            message: `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
          });
          void this.d.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`);
          soon(remain + 50);
          return false;
        }
        this.d.restartBackoff.next(key);
      }
      if (latest && latest.state !== 'CONTAINER_EXITED' && latest.state !== 'CONTAINER_RUNNING') {
        await this.d.runtime.runtime.removeContainer({ containerId: latest.id }).catch(() => undefined);
      }
      const everRan = rt?.containers.filter((x) => x.name === c.name && (x.type === 'init') === init) ?? [];
      const restartCount = everRan.length ? Math.max(...everRan.map((x) => x.restartCount)) + 1 : 0;
      const failed = await startContainer(this.d, {
        pod, container: c, init, sandboxId: sandbox!.id, sandboxConfig: sbCfg, restartCount, podIP: rec.podIP,
      });
      if (failed) {
        rec.reasons.set(c.name, failed);
        soon(failed.reason === 'ErrImagePull' || failed.reason === 'ImagePullBackOff' ? Math.max(1000, this.d.pullBackoff.delay(`${uid}/${c.name}/pull`)) : 5000);
        return false;
      }
      rec.reasons.delete(c.name);
      return true;
    };

    // Init containers strictly in order; sidecars must have started before the next one.
    let initDone = mainSpecs.some((c) => containersNamed(cur, c.name, false).length > 0);
    if (!initDone) {
      initDone = true;
      for (const c of initSpecs) {
        const latest = containersNamed(cur, c.name, true)[0];
        if (isSidecar(c)) {
          if (latest?.state === 'CONTAINER_RUNNING') {
            if (this.d.probes.isStarted(uid, c.name, latest.id)) continue;
            initDone = false;
            break;
          }
          await start(c, true);
          initDone = false;
          break;
        }
        if (latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) continue;
        initDone = false;
        if (latest?.state === 'CONTAINER_RUNNING') break;
        if (latest?.state === 'CONTAINER_EXITED' && policy === 'Never') break;
        await start(c, true);
        break;
      }
    }
    if (initDone) {
      const willRun = (c: KObject): boolean => {
        const latest = containersNamed(cur, c.name, false)[0];
        if (!latest || latest.state !== 'CONTAINER_EXITED') return true;
        return policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0);
      };
      const mainDone = policy !== 'Always' && mainSpecs.every((c) => !willRun(c));
      if (mainDone) {
        // The pod has finished: sidecars are stopped, in reverse order.
        for (const c of [...initSpecs].reverse()) {
          const latest = containersNamed(cur, c.name, true)[0];
          if (isSidecar(c) && latest?.state === 'CONTAINER_RUNNING') await this.stopContainer(latest, grace, pod, c.name);
        }
      } else {
        for (const c of initSpecs) {
          if (!isSidecar(c)) continue;
          const latest = containersNamed(cur, c.name, true)[0];
          if (latest?.state !== 'CONTAINER_RUNNING') await start(c, true);
        }
        for (const c of mainSpecs) {
          const latest = containersNamed(cur, c.name, false)[0];
          if (latest?.state === 'CONTAINER_RUNNING' || !willRun(c)) {
            if (latest?.state === 'CONTAINER_RUNNING') rec.reasons.delete(c.name);
            continue;
          }
          await start(c, false);
        }
      }
    }

    rt = await this.refresh(uid);
    // The prober learns the running containers first, so readiness is answered for them (an agent
    // restart does not flap running pods to unready).
    const running = (current(rt)?.containers ?? []).filter((c) => c.state === 'CONTAINER_RUNNING');
    this.d.probes.syncPod(pod, running.map((c) => ({ name: c.name, id: c.id, startedAt: ms(c.startedAt), init: c.type === 'init' })));
    const status = await this.writeStatus(pod, rt, rec, false);
    if (status?.phase === 'Succeeded' || status?.phase === 'Failed') {
      await this.stopAll(pod, rt, grace);
    }
    return wake;
  }

  private currentView(rt: PodRuntime | undefined): PodRuntime | undefined {
    const sb = rt?.sandboxes[0];
    return rt && sb ? { ...rt, containers: rt.containers.filter((c) => c.sandboxId === sb.id) } : rt;
  }

  /** Computes and writes the status if it changed; returns the status now on the pod. */
  private async writeStatus(pod: KObject, rt: PodRuntime | undefined, rec: PodRecord, terminal: boolean): Promise<KObject | undefined> {
    const want = generateStatus({
      pod, rt: this.currentView(rt), reasons: rec.reasons, hostIP: this.d.hostIP, podIP: rec.podIP,
      qosClass: this.d.inputs.qosClass(pod), terminal, failed: rec.failed,
      isReady: (name, id) => this.d.probes.isReady(pod.metadata.uid, name, id),
      isStarted: (name, id) => this.d.probes.isStarted(pod.metadata.uid, name, id),
    });
    const patch = statusPatch(pod, want);
    if (!patch) return pod.status;
    try {
      const res = await this.d.client.patch(PODS, pod.metadata.namespace, pod.metadata.name, 'merge', { status: patch }, { subresource: 'status' });
      // The informer will deliver the new object; keep this copy current meanwhile.
      pod.status = res.status;
      pod.metadata.resourceVersion = res.metadata?.resourceVersion;
      return res.status;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return undefined;
      if (err instanceof ApiError && err.code === 403 && !(await this.stillThere(pod))) return undefined;
      throw err;
    }
  }

  private async stopContainer(c: ContainerInfo, grace: number, pod?: KObject, name?: string): Promise<void> {
    if (pod && name) void this.d.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${name}`);
    try {
      await this.d.runtime.runtime.stopContainer({ containerId: c.id, timeout: Math.max(0, Math.round(grace)) });
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }

  /** Stops every running container (main first, then init/sidecars in reverse) and the sandboxes. */
  private async stopAll(pod: KObject | undefined, rt: PodRuntime | undefined, grace: number, hooks = false): Promise<void> {
    if (!rt) return;
    const running = rt.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_UNKNOWN');
    const specOf = (c: ContainerInfo): KObject | undefined =>
      ((c.type === 'init' ? pod?.spec?.initContainers : pod?.spec?.containers) ?? []).find((s: KObject) => s.name === c.name);
    const deadline = Date.now() + grace * 1000;
    const stopOne = async (c: ContainerInfo): Promise<void> => {
      const s = specOf(c);
      if (pod && s) void this.d.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      if (hooks && pod && s?.lifecycle?.preStop) {
        await Promise.race([
          this.d.hooks.preStop(pod, s, c.id, grace).catch((err: unknown) => {
            void this.d.recorder.event(pod, 'Warning', 'FailedPreStopHook', err instanceof Error ? err.message : String(err));
          }),
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
        ]);
      }
      await this.stopContainer(c, Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    };
    await Promise.all(running.filter((c) => c.type !== 'init').map(stopOne));
    const inits = running.filter((c) => c.type === 'init');
    const order = ((pod?.spec?.initContainers ?? []) as KObject[]).map((s) => s.name).reverse();
    inits.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    for (const c of inits) await stopOne(c);
    for (const sb of rt.sandboxes) {
      if (sb.state !== 'SANDBOX_READY') continue;
      await this.d.runtime.runtime.stopPodSandbox({ podSandboxId: sb.id }).catch((err: unknown) => {
        if (!isNotFoundError(err)) throw err;
      });
    }
  }

  /**
   * A pod being deleted: preStop, stop everything within its grace period, write the final
   * status and delete the pod object (grace 0, as the kubelet does). Resolves when done.
   */
  async terminatePod(pod: KObject): Promise<void> {
    const uid: string = pod.metadata.uid;
    const rec = this.record(uid);
    const grace: number = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.d.cache.relist();
    await this.stopAll(pod, this.d.cache.get(uid), grace, true);
    const rt = await this.refresh(uid);
    this.d.probes.removePod(uid);
    await this.writeStatus(pod, rt, rec, true).catch((err: unknown) => this.d.log(`agent: final status of ${pod.metadata.namespace}/${pod.metadata.name}: ${errorChainMessage(err)}`));
    try {
      await this.d.client.delete(PODS, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      // The node authorizer refuses writes to pods it no longer knows: gone already is done.
      if (err instanceof ApiError && err.code === 403 && !(await this.stillThere(pod))) return;
      throw err;
    }
  }

  private async stillThere(pod: KObject): Promise<boolean> {
    try {
      const cur = await this.d.client.get(PODS, pod.metadata.namespace, pod.metadata.name);
      return cur.metadata?.uid === pod.metadata.uid;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return false;
      throw err;
    }
  }

  /** The pod is gone from the API: stop and remove its sandboxes and containers, volumes and cgroups. */
  async removeRuntimePod(uid: string): Promise<void> {
    const rt = this.d.cache.get(uid);
    this.d.probes.removePod(uid);
    if (rt) {
      const grace = Math.min(2, Number(rt.containers[0]?.annotations[GRACE_PERIOD_ANNOTATION] ?? 2));
      await this.stopAll(undefined, rt, grace);
      for (const sb of rt.sandboxes) {
        await this.d.runtime.runtime.removePodSandbox({ podSandboxId: sb.id }).catch((err: unknown) => {
          if (!isNotFoundError(err)) throw err;
        });
      }
    }
    await this.forgetPod(uid);
  }

  /** Tears down a pod's volumes and cgroups and forgets its state (its containers must be gone). */
  async forgetPod(uid: string): Promise<void> {
    await this.d.inputs.cleanupPod(uid);
    await rm(join(this.d.podsDir, uid, 'containers'), { recursive: true, force: true });
    for (const path of podCgroupCandidates(this.d.sandboxEnv, uid)) await removeCgroups(path);
    this.records.delete(uid);
    this.d.restartBackoff.resetPrefix(`${uid}/`);
    this.d.pullBackoff.resetPrefix(`${uid}/`);
  }

  /** Removes exited containers other than the latest of each name, and old not-ready sandboxes. */
  async garbageCollect(rt: PodRuntime): Promise<void> {
    // Per container name (newest first): the newest container whatever its state, and one dead
    // one before it (its lastState, `kubectl logs --previous`), as upstream's MaxPerPodContainer 1.
    const keep = new Set<string>();
    const seen = new Map<string, number>();
    const keptDead = new Set<string>();
    const sb = rt.sandboxes[0];
    for (const c of rt.containers) {
      const k = `${c.type}/${c.name}`;
      const index = seen.get(k) ?? 0;
      seen.set(k, index + 1);
      if (c.state !== 'CONTAINER_EXITED') {
        keep.add(c.id);
        continue;
      }
      if (c.sandboxId !== sb?.id) continue;
      if (index === 0) keep.add(c.id);
      else if (!keptDead.has(k)) {
        keep.add(c.id);
        keptDead.add(k);
      }
    }
    for (const c of rt.containers) {
      if (keep.has(c.id)) continue;
      await this.d.runtime.runtime.removeContainer({ containerId: c.id }).catch((err: unknown) => {
        if (!isNotFoundError(err)) throw err;
      });
    }
    for (const s of rt.sandboxes.slice(1)) {
      if (s.state === 'SANDBOX_READY') continue;
      if (rt.containers.some((c) => c.sandboxId === s.id && keep.has(c.id))) continue;
      await this.d.runtime.runtime.removePodSandbox({ podSandboxId: s.id }).catch((err: unknown) => {
        if (!isNotFoundError(err)) throw err;
      });
    }
  }
}

/** Removes a pod's cgroup directory from every cgroup v1 hierarchy (best effort). */
async function removeCgroups(path: string): Promise<void> {
  const hierarchies = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'systemd', 'unified', 'net_cls', 'net_prio', 'hugetlb', 'perf_event', 'rdma', 'misc'];
  await Promise.all(hierarchies.map((h) => rmdir(`/sys/fs/cgroup/${h}${path}`).catch(() => undefined)));
}
