/**
 * Pod status from what the runtime holds: container statuses (state, lastState, restartCount,
 * ready, started, image, imageID, containerID), the phase (upstream's getPhase rules, sidecars
 * included), conditions (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
 * PodScheduled kept), addresses, startTime and QoS class. `statusPatch` gives the merge patch
 * for pods/status, or undefined when nothing changed.
 */
import type { KObject } from '../../client/index.js';
import type { ContainerInfo, PodRuntime } from './runtime-cache.js';
import { nsToDate, rfc3339 } from './runtime-types.js';

export interface WaitingReason { reason: string; message?: string }

export interface StatusInputs {
  pod: KObject;
  rt: PodRuntime | undefined;
  /** Why a container is waiting (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError …), by name. */
  reasons: Map<string, WaitingReason>;
  hostIP: string;
  podIP?: string;
  qosClass: string;
  isReady(name: string, id: string): boolean;
  isStarted(name: string, id: string): boolean;
  /** The pod is being torn down for good (deleted or terminal). */
  terminal?: boolean;
  /** The agent failed the pod (e.g. DeadlineExceeded): phase Failed with this reason and message. */
  failed?: { reason: string; message: string };
  now?: Date;
}

export const isSidecar = (c: KObject): boolean => c.restartPolicy === 'Always';

/** The current sandbox's containers named `name` of the given list, newest first. */
export function containersNamed(rt: PodRuntime | undefined, name: string, init: boolean): ContainerInfo[] {
  if (!rt) return [];
  return rt.containers.filter((c) => c.name === name && (c.type === 'init') === init);
}

function terminatedOf(c: ContainerInfo): KObject {
  const reason = c.reason || (c.exitCode === 0 ? 'Completed' : 'Error');
  const t: KObject = { exitCode: c.exitCode, reason };
  if (c.message) t.message = c.message;
  t.startedAt = c.startedAt ? rfc3339(nsToDate(c.startedAt)) : null;
  t.finishedAt = c.finishedAt ? rfc3339(nsToDate(c.finishedAt)) : null;
  t.containerID = `containerd://${c.id}`;
  return t;
}

function containerStatus(spec: KObject, init: boolean, inp: StatusInputs, defaultWaiting: string): KObject {
  const all = containersNamed(inp.rt, spec.name, init);
  const cur = all[0];
  const prev = all.find((c, i) => i > 0 && c.state === 'CONTAINER_EXITED');
  const s: KObject = { name: spec.name, image: spec.image, imageID: cur?.imageRef ?? '', restartCount: cur?.restartCount ?? 0, ready: false, started: false };
  if (cur) s.containerID = `containerd://${cur.id}`;
  let state: KObject;
  let lastState: KObject = prev ? { terminated: terminatedOf(prev) } : {};
  if (!cur) state = { waiting: { reason: defaultWaiting } };
  else if (cur.state === 'CONTAINER_RUNNING') {
    state = { running: { startedAt: rfc3339(nsToDate(cur.startedAt) ?? new Date()) } };
    s.started = inp.isStarted(spec.name, cur.id);
    s.ready = s.started && inp.isReady(spec.name, cur.id);
  } else if (cur.state === 'CONTAINER_EXITED') state = { terminated: terminatedOf(cur) };
  else state = { waiting: { reason: 'ContainerCreating' } };
  const why = inp.reasons.get(spec.name);
  if (why && cur?.state !== 'CONTAINER_RUNNING') {
    if (state.terminated) lastState = { terminated: state.terminated };
    state = { waiting: { reason: why.reason, ...(why.message ? { message: why.message } : {}) } };
  }
  s.state = state;
  s.lastState = lastState;
  // upstream's field order: name, state, lastState, ready, restartCount, image, imageID, containerID, started
  return {
    name: s.name, state: s.state, lastState: s.lastState, ready: s.ready, restartCount: s.restartCount,
    image: s.image, imageID: s.imageID, ...(s.containerID ? { containerID: s.containerID } : {}), started: s.started,
  };
}

/** upstream getPhase: from the spec and the container statuses. */
export function podPhase(pod: KObject, init: KObject[], main: KObject[], podIsTerminal: boolean): string {
  const spec = pod.spec ?? {};
  const policy: string = spec.restartPolicy ?? 'Always';
  const byName = (list: KObject[], name: string): KObject | undefined => list.find((s) => s.name === name);
  let pendingInit = 0;
  let pendingSidecars = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of (spec.initContainers ?? []) as KObject[]) {
    const st = byName(init, c.name);
    if (isSidecar(c)) {
      if (!st) { unknown++; continue; }
      if (st.state?.running) {
        if (!st.started) pendingSidecars++;
        running++;
      } else if (st.state?.waiting && !st.lastState?.terminated) {
        pendingSidecars++;
        waiting++;
      }
      continue;
    }
    if (!st) { pendingInit++; continue; }
    if (st.state?.running) pendingInit++;
    else if (st.state?.terminated) { if (st.state.terminated.exitCode !== 0) failedInit++; }
    else if (st.state?.waiting) {
      if (st.lastState?.terminated) { if (st.lastState.terminated.exitCode !== 0) failedInit++; }
      else pendingInit++;
    } else pendingInit++;
  }
  for (const c of (spec.containers ?? []) as KObject[]) {
    const st = byName(main, c.name);
    if (!st) { unknown++; continue; }
    if (st.state?.running) running++;
    else if (st.state?.terminated) {
      stopped++;
      if (st.state.terminated.exitCode === 0) succeeded++;
    } else if (st.state?.waiting) {
      if (st.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || (pendingSidecars > 0 && !podIsTerminal)) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Cond = { type: string; status: 'True' | 'False'; reason?: string; message?: string };
const list = (names: string[]): string => `[${names.join(' ')}]`;

function conditions(pod: KObject, now: string, conds: Cond[]): KObject[] {
  const old: KObject[] = pod.status?.conditions ?? [];
  const out = conds.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    const o: KObject = { type: c.type, status: c.status, lastProbeTime: null };
    o.lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime ?? now : now;
    if (c.reason) o.reason = c.reason;
    if (c.message) o.message = c.message;
    return o;
  });
  for (const o of old) if (!out.some((c) => c.type === o.type)) out.push(o);
  return out;
}

/** The whole status the agent owns for this pod. */
export function generateStatus(inp: StatusInputs): KObject {
  const { pod } = inp;
  const now = rfc3339(inp.now);
  const spec = pod.spec ?? {};
  const initSpecs: KObject[] = spec.initContainers ?? [];
  const mainSpecs: KObject[] = spec.containers ?? [];
  const sandbox = inp.rt?.sandboxes[0];
  const sandboxReady = sandbox?.state === 'SANDBOX_READY';
  const initStatuses = initSpecs.map((c) => containerStatus(c, true, inp, 'PodInitializing'));
  const mainAnyStarted = mainSpecs.some((c) => containersNamed(inp.rt, c.name, false).length > 0);
  const initDone = mainAnyStarted || initSpecs.every((c, i) => {
    const st = initStatuses[i];
    return isSidecar(c) ? !!st.started : st.state?.terminated?.exitCode === 0;
  });
  const mainStatuses = mainSpecs.map((c) => containerStatus(c, false, inp, initDone ? 'ContainerCreating' : 'PodInitializing'));
  const old = pod.status?.phase;
  const phase = old === 'Succeeded' || old === 'Failed' ? old : inp.failed ? 'Failed' : podPhase(pod, initStatuses, mainStatuses, !!inp.terminal);
  const terminalPhase = phase === 'Succeeded' || phase === 'Failed';
  const incomplete = initSpecs.filter((c, i) => (isSidecar(c) ? !initStatuses[i].started : initStatuses[i].state?.terminated?.exitCode !== 0)).map((c) => c.name);
  const unready = [
    ...initSpecs.filter((c, i) => isSidecar(c) && !initStatuses[i].ready).map((c) => c.name),
    ...mainStatuses.filter((s) => !s.ready).map((s) => s.name),
  ];
  const readyCond: Omit<Cond, 'type'> = terminalPhase
    ? { status: 'False', reason: phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed' }
    : unready.length ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${list(unready)}` } : { status: 'True' };
  const initCond: Omit<Cond, 'type'> = initDone || (terminalPhase && phase === 'Succeeded')
    ? { status: 'True' }
    : { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${list(incomplete)}` };
  const scheduled = (pod.status?.conditions ?? []).find((c: KObject) => c.type === 'PodScheduled');
  const conds: Cond[] = [
    { type: 'PodReadyToStartContainers', status: sandboxReady && !terminalPhase ? 'True' : 'False' },
    { type: 'Initialized', ...initCond },
    { type: 'Ready', ...readyCond },
    { type: 'ContainersReady', ...readyCond },
    { type: 'PodScheduled', status: scheduled?.status ?? 'True', ...(scheduled?.reason ? { reason: scheduled.reason } : {}) },
  ];
  const status: KObject = {
    phase,
    conditions: conditions(pod, now, conds),
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    startTime: pod.status?.startTime ?? now,
    qosClass: inp.qosClass,
  };
  const failure = inp.failed ?? (pod.status?.reason ? { reason: pod.status.reason, message: pod.status.message } : undefined);
  if (failure) {
    status.reason = failure.reason;
    if (failure.message) status.message = failure.message;
  }
  const podIP = inp.podIP ?? pod.status?.podIP;
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = mainStatuses;
  return status;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as KObject)[k] !== undefined && (v as KObject)[k] !== null).sort().map((k) => `${JSON.stringify(k)}:${stable((v as KObject)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const OWNED = ['phase', 'reason', 'message', 'conditions', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'qosClass', 'initContainerStatuses', 'containerStatuses'];

/** The merge patch turning pod.status into `want` for the fields the agent owns; undefined when equal. */
export function statusPatch(pod: KObject, want: KObject): KObject | undefined {
  const have = pod.status ?? {};
  const patch: KObject = {};
  for (const k of OWNED) {
    const a = have[k];
    const b = want[k];
    if (stable(a ?? null) === stable(b ?? null)) continue;
    patch[k] = b ?? null;
  }
  return Object.keys(patch).length ? patch : undefined;
}
