/**
 * The status each lifecycle stage writes: a JSON merge patch of pods/status (lists such as
 * conditions and containerStatuses are replaced whole, so every template writes them complete).
 * What a real kubelet would report — phase, conditions, container statuses, pod IP — for a pod
 * whose containers are imagined.
 */
import type { KObject } from '../../client/index.js';
import { exitCodeOf, type StatusTemplateName } from './stages.js';

export interface TemplateContext {
  /** RFC 3339 (seconds) "now". */
  now: string;
  hostIP: string;
  /** The pod's address, allocated when the pod starts running. */
  podIP?: string;
}

type Cond = { type: string; status: 'True' | 'False'; reason?: string; message?: string };

/** Conditions in upstream's order, keeping lastTransitionTime when a condition's status did not change. */
function conditions(pod: KObject, now: string, conds: Cond[]): KObject[] {
  const old: KObject[] = pod.status?.conditions ?? [];
  return conds.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    const out: KObject = { type: c.type, status: c.status, lastProbeTime: null };
    out.lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime ?? now : now;
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
}

const list = (names: string[]): string => `[${names.join(' ')}]`;

function podConditions(pod: KObject, now: string, o: { sandbox: boolean; initialized: boolean | string[]; ready: boolean | { reason: string; names?: string[] } }): KObject[] {
  const names = (pod.spec?.containers ?? []).map((c: KObject) => c.name);
  const notReady = (r: boolean | { reason: string; names?: string[] }): Omit<Cond, 'type'> =>
    r === true ? { status: 'True' }
      : r === false ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${list(names)}` }
        : { status: 'False', reason: r.reason, ...(r.names ? { message: `containers with unready status: ${list(r.names)}` } : {}) };
  const init: Omit<Cond, 'type'> = o.initialized === true ? { status: 'True' }
    : { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${list(o.initialized === false ? [] : o.initialized)}` };
  return conditions(pod, now, [
    { type: 'PodReadyToStartContainers', status: o.sandbox ? 'True' : 'False' },
    { type: 'Initialized', ...init },
    { type: 'Ready', ...notReady(o.ready) },
    { type: 'ContainersReady', ...notReady(o.ready) },
    { type: 'PodScheduled', status: 'True' },
  ]);
}

function containerID(pod: KObject, name: string, restarts = 0): string {
  return `sim://${String(pod.metadata?.uid ?? '').slice(0, 8)}-${name}-${restarts}`;
}

function base(c: KObject): KObject {
  return { name: c.name, image: c.image, imageID: c.image ? `sim://${c.image}` : '' };
}

const waiting = (reason: string): KObject => ({ waiting: { reason } });

function previous(pod: KObject, name: string, init = false): KObject | undefined {
  return ((init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? []).find((s: KObject) => s.name === name);
}

function containerStatuses(pod: KObject, state: (c: KObject, prev: KObject | undefined) => KObject): KObject[] {
  return (pod.spec?.containers ?? []).map((c: KObject) => state(c, previous(pod, c.name)));
}

function initStatuses(pod: KObject, state: (c: KObject, i: number) => KObject): KObject[] | undefined {
  const init: KObject[] = pod.spec?.initContainers ?? [];
  return init.length ? init.map(state) : undefined;
}

function hostFields(pod: KObject, ctx: TemplateContext): KObject {
  return {
    hostIP: ctx.hostIP, hostIPs: [{ ip: ctx.hostIP }],
    startTime: pod.status?.startTime ?? ctx.now,
  };
}

function ipFields(ctx: TemplateContext): KObject {
  return ctx.podIP ? { podIP: ctx.podIP, podIPs: [{ ip: ctx.podIP }] } : {};
}

const isSidecar = (c: KObject): boolean => c.restartPolicy === 'Always';

const completedInit = (pod: KObject, now: string) => (c: KObject): KObject => {
  const prev = previous(pod, c.name, true);
  if (prev?.state?.terminated && !isSidecar(c)) return prev;
  const startedAt = prev?.state?.running?.startedAt ?? now;
  if (isSidecar(c)) {
    return { ...base(c), containerID: containerID(pod, c.name), ready: true, restartCount: 0, started: true, state: { running: { startedAt } } };
  }
  return {
    ...base(c), containerID: containerID(pod, c.name), ready: false, restartCount: 0, started: false,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: now, containerID: containerID(pod, c.name) } },
  };
};

function terminal(pod: KObject, ctx: TemplateContext, exitCode: number): KObject {
  const failed = exitCode !== 0;
  const reason = failed ? 'PodFailed' : 'PodCompleted';
  return {
    phase: failed ? 'Failed' : 'Succeeded',
    conditions: podConditions(pod, ctx.now, { sandbox: false, initialized: true, ready: { reason } }),
    ...hostFields(pod, ctx), ...ipFields(ctx),
    initContainerStatuses: initStatuses(pod, (c) => {
      const s = completedInit(pod, ctx.now)(c);
      if (!isSidecar(c)) return s;
      const startedAt = s.state.running.startedAt;
      return { ...s, ready: false, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: ctx.now, containerID: s.containerID } } };
    }),
    containerStatuses: containerStatuses(pod, (c, prev) => {
      const restarts = prev?.restartCount ?? 0;
      const id = containerID(pod, c.name, restarts);
      return {
        ...base(c), containerID: id, ready: false, restartCount: restarts, started: false,
        ...(prev?.lastState && Object.keys(prev.lastState).length ? { lastState: prev.lastState } : {}),
        state: { terminated: { exitCode, reason: failed ? 'Error' : 'Completed', startedAt: prev?.state?.running?.startedAt ?? ctx.now, finishedAt: ctx.now, containerID: id } },
      };
    }),
  };
}

const TEMPLATES: Record<StatusTemplateName, (pod: KObject, ctx: TemplateContext) => KObject> = {
  creating: (pod, ctx) => ({
    phase: 'Pending',
    conditions: podConditions(pod, ctx.now, { sandbox: true, initialized: true, ready: false }),
    ...hostFields(pod, ctx),
    containerStatuses: containerStatuses(pod, (c) => ({ ...base(c), ready: false, restartCount: 0, started: false, state: waiting('ContainerCreating') })),
  }),

  initializing: (pod, ctx) => {
    const init: KObject[] = pod.spec?.initContainers ?? [];
    return {
      phase: 'Pending',
      conditions: podConditions(pod, ctx.now, { sandbox: true, initialized: init.filter((c) => !isSidecar(c)).map((c) => c.name), ready: false }),
      ...hostFields(pod, ctx),
      initContainerStatuses: initStatuses(pod, (c, i) => i === 0
        ? { ...base(c), containerID: containerID(pod, c.name), ready: false, restartCount: 0, started: true, state: { running: { startedAt: ctx.now } } }
        : { ...base(c), ready: false, restartCount: 0, started: false, state: waiting('PodInitializing') }),
      containerStatuses: containerStatuses(pod, (c) => ({ ...base(c), ready: false, restartCount: 0, started: false, state: waiting('PodInitializing') })),
    };
  },

  initialized: (pod, ctx) => ({
    phase: 'Pending',
    conditions: podConditions(pod, ctx.now, { sandbox: true, initialized: true, ready: false }),
    ...hostFields(pod, ctx),
    initContainerStatuses: initStatuses(pod, completedInit(pod, ctx.now)),
    containerStatuses: containerStatuses(pod, (c) => ({ ...base(c), ready: false, restartCount: 0, started: false, state: waiting('ContainerCreating') })),
  }),

  running: (pod, ctx) => ({
    phase: 'Running',
    conditions: podConditions(pod, ctx.now, { sandbox: true, initialized: true, ready: true }),
    ...hostFields(pod, ctx), ...ipFields(ctx),
    initContainerStatuses: initStatuses(pod, completedInit(pod, ctx.now)),
    containerStatuses: containerStatuses(pod, (c, prev) => {
      const restarts = prev?.restartCount ?? 0;
      return {
        ...base(c), containerID: containerID(pod, c.name, restarts), ready: true, restartCount: restarts, started: true,
        state: { running: { startedAt: prev?.state?.running?.startedAt ?? ctx.now } },
      };
    }),
  }),

  succeeded: (pod, ctx) => terminal(pod, ctx, 0),

  failed: (pod, ctx) => terminal(pod, ctx, exitCodeOf(pod) || 1),

  /** restartPolicy OnFailure: the container failed and was started again. */
  restarted: (pod, ctx) => ({
    phase: 'Running',
    conditions: podConditions(pod, ctx.now, { sandbox: true, initialized: true, ready: true }),
    ...hostFields(pod, ctx), ...ipFields(ctx),
    containerStatuses: containerStatuses(pod, (c, prev) => {
      const restarts = (prev?.restartCount ?? 0) + 1;
      const oldId = containerID(pod, c.name, restarts - 1);
      return {
        ...base(c), containerID: containerID(pod, c.name, restarts), ready: true, restartCount: restarts, started: true,
        lastState: { terminated: { exitCode: exitCodeOf(pod) || 1, reason: 'Error', startedAt: prev?.state?.running?.startedAt ?? ctx.now, finishedAt: ctx.now, containerID: oldId } },
        state: { running: { startedAt: ctx.now } },
      };
    }),
  }),
};

/** The status patch a template gives for this pod (undefined-valued fields dropped). */
export function renderStatus(name: StatusTemplateName, pod: KObject, ctx: TemplateContext): KObject {
  const status = TEMPLATES[name](pod, ctx);
  for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
  return status;
}

/** Whether the template gives the pod an address. */
export function templateNeedsIP(name: StatusTemplateName): boolean {
  return name === 'running' || name === 'restarted';
}
