/**
 * RuntimeCache: what the container runtime holds, grouped by pod UID (from the CRI labels), and
 * refreshed by relisting (upstream's PLEG). Statuses of containers are fetched once per state
 * (a container's exit code and times never change once it has exited), so a relist costs two
 * List calls plus a ContainerStatus call per container that changed state. relist() reports the
 * pods whose sandboxes or containers changed since the last relist.
 */
import { open } from 'node:fs/promises';
import { parseCriLog } from '../logs/index.js';
import {
  CONTAINER_NAME_LABEL, CONTAINER_TYPE_ANNOTATION, HASH_ANNOTATION, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL,
  RESTART_COUNT_ANNOTATION, TERMINATION_MESSAGE_PATH_ANNOTATION, TERMINATION_MESSAGE_POLICY_ANNOTATION, isNotFoundError,
  type Msg, type RuntimeApi,
} from './runtime-types.js';

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface SandboxInfo {
  id: string;
  attempt: number;
  state: SandboxState;
  /** ns since the epoch */
  createdAt: number;
  uid: string;
  name: string;
  namespace: string;
}

export interface ContainerInfo {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
  hash: string;
  /** 'init' or 'regular' */
  type: string;
  podUid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodRuntime {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxes: SandboxInfo[];
  /** Newest first. */
  containers: ContainerInfo[];
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) || 0 : 0);

export class RuntimeCache {
  private pods = new Map<string, PodRuntime>();
  private fingerprints = new Map<string, string>();
  private statuses = new Map<string, { state: string; info: ContainerInfo }>();
  private running?: Promise<Set<string>>;
  private queued?: Promise<Set<string>>;

  constructor(private readonly rt: RuntimeApi) {}

  get(uid: string): PodRuntime | undefined {
    return this.pods.get(uid);
  }

  uids(): string[] {
    return [...this.pods.keys()];
  }

  all(): PodRuntime[] {
    return [...this.pods.values()];
  }

  /** A relist that starts after this call (joining one already queued); resolves to the changed pod UIDs. */
  relist(): Promise<Set<string>> {
    if (!this.running) {
      this.running = this.doRelist().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.relist();
    });
    return this.queued;
  }

  private async doRelist(): Promise<Set<string>> {
    const [sbRes, ctRes] = await Promise.all([this.rt.listPodSandbox({}), this.rt.listContainers({})]);
    const pods = new Map<string, PodRuntime>();
    const podOf = (labels: Record<string, string>): PodRuntime | undefined => {
      const uid = labels?.[POD_UID_LABEL];
      if (!uid) return undefined;
      let p = pods.get(uid);
      if (!p) {
        p = { uid, name: labels[POD_NAME_LABEL] ?? '', namespace: labels[POD_NAMESPACE_LABEL] ?? '', sandboxes: [], containers: [] };
        pods.set(uid, p);
      }
      return p;
    };
    for (const s of (sbRes.items ?? []) as Msg[]) {
      const p = podOf(s.labels ?? {});
      if (!p) continue;
      p.sandboxes.push({
        id: s.id, attempt: num(s.metadata?.attempt), state: s.state ?? 'SANDBOX_READY', createdAt: num(s.createdAt),
        uid: p.uid, name: s.metadata?.name ?? p.name, namespace: s.metadata?.namespace ?? p.namespace,
      });
    }
    const seen = new Set<string>();
    await Promise.all(((ctRes.containers ?? []) as Msg[]).map(async (c) => {
      const p = podOf(c.labels ?? {});
      if (!p) return;
      seen.add(c.id);
      const state: string = c.state ?? 'CONTAINER_UNKNOWN';
      let cached = this.statuses.get(c.id);
      if (!cached || cached.state !== state) {
        const info = await this.fetchStatus(c, p.uid);
        if (!info) return;
        cached = { state: info.state, info };
        this.statuses.set(c.id, cached);
      }
      p.containers.push(cached.info);
    }));
    for (const id of [...this.statuses.keys()]) if (!seen.has(id)) this.statuses.delete(id);
    for (const p of pods.values()) {
      p.sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
      p.containers.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
    }
    const changed = new Set<string>();
    const prints = new Map<string, string>();
    for (const p of pods.values()) {
      const fp = [...p.sandboxes.map((s) => `${s.id}:${s.state}`), ...p.containers.map((c) => `${c.id}:${c.state}`)].join(',');
      prints.set(p.uid, fp);
      if (this.fingerprints.get(p.uid) !== fp) changed.add(p.uid);
    }
    for (const uid of this.fingerprints.keys()) if (!prints.has(uid)) changed.add(uid);
    this.fingerprints = prints;
    this.pods = pods;
    return changed;
  }

  private async fetchStatus(c: Msg, podUid: string): Promise<ContainerInfo | undefined> {
    let st: Msg;
    try {
      st = (await this.rt.containerStatus({ containerId: c.id })).status ?? {};
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      throw err;
    }
    const labels: Record<string, string> = st.labels ?? c.labels ?? {};
    const annotations: Record<string, string> = st.annotations ?? c.annotations ?? {};
    let message: string = st.message ?? '';
    if (st.state === 'CONTAINER_EXITED') message = (await terminationMessage(st, annotations)) || message;
    return {
      id: c.id,
      sandboxId: c.podSandboxId ?? '',
      name: labels[CONTAINER_NAME_LABEL] ?? st.metadata?.name ?? c.metadata?.name ?? '',
      attempt: num(st.metadata?.attempt ?? c.metadata?.attempt),
      state: (st.state ?? c.state ?? 'CONTAINER_UNKNOWN') as ContainerState,
      createdAt: num(st.createdAt ?? c.createdAt),
      startedAt: num(st.startedAt),
      finishedAt: num(st.finishedAt),
      exitCode: num(st.exitCode),
      reason: st.reason ?? '',
      message,
      image: st.image?.image ?? c.image?.image ?? '',
      imageRef: st.imageRef ?? c.imageRef ?? '',
      restartCount: num(annotations[RESTART_COUNT_ANNOTATION] ?? st.metadata?.attempt),
      hash: annotations[HASH_ANNOTATION] ?? '',
      type: annotations[CONTAINER_TYPE_ANNOTATION] ?? 'regular',
      podUid,
      labels,
      annotations,
    };
  }
}

/** Reads the end of a file: at most `max` bytes. */
async function tail(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * An exited container's termination message (upstream's rules): the file mounted at its
 * terminationMessagePath (at most 4096 bytes); with FallbackToLogsOnError and a failure that left
 * the file empty, the last 80 lines (at most 2048 bytes) of its log.
 */
async function terminationMessage(st: Msg, annotations: Record<string, string>): Promise<string> {
  const path = annotations[TERMINATION_MESSAGE_PATH_ANNOTATION];
  let text = '';
  const mount = ((st.mounts ?? []) as Msg[]).find((m) => m.containerPath === path && m.hostPath);
  if (mount) text = await tail(mount.hostPath, 4096).then((b) => b.toString('utf8'), () => '');
  if (!text && annotations[TERMINATION_MESSAGE_POLICY_ANNOTATION] === 'FallbackToLogsOnError' && Number(st.exitCode) !== 0 && st.logPath) {
    const lines = await tail(st.logPath, 64 * 1024).then((b) => parseCriLog(b, { final: true }), () => []);
    text = Buffer.concat(lines.slice(-80).map((l) => l.content)).toString('utf8');
    if (Buffer.byteLength(text) > 2048) text = Buffer.from(text).subarray(-2048).toString('utf8');
  }
  return text;
}
