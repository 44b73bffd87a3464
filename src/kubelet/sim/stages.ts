/**
 * The simulated pod lifecycle, as data (KWOK's Stage resources, in TypeScript): each stage says
 * which pods it applies to (a selector over a few facts read from the pod), how long after the
 * pod reached that state it fires, and what it then does — write one of the named status
 * templates (status-templates.ts) or delete the pod. The first stage whose selector matches wins;
 * a pod that matches none stays as it is. Pass your own list as SimNodeOptions.stages to change
 * the lifecycle without touching the agent.
 */
import type { KObject } from '../../client/index.js';

/** Annotation that makes a finite container exit with this code (default 0). */
export const EXIT_CODE_ANNOTATION = 'sim.k8ts.io/exit-code';

/** How far the simulated containers of a pod have come (read from its status). */
export type PodProgress = 'new' | 'initializing' | 'creating' | 'running' | 'finished';

/** What stage selectors can look at. */
export interface PodFacts {
  /** metadata.deletionTimestamp is set. */
  deleting: boolean;
  phase: string;
  progress: PodProgress;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** The pod has init containers. */
  hasInit: boolean;
  /** The containers end by themselves: restartPolicy is not Always and every container has a command. */
  finite: boolean;
  /** The exit code the annotation asks for, as zero or non-zero. */
  exit: 'zero' | 'nonzero';
}

/** Every listed fact must hold; a list means "any of these". */
export type StageSelector = { [K in keyof PodFacts]?: PodFacts[K] | PodFacts[K][] };

/** The per-node timing knobs a stage's delay may refer to (ms). */
export interface StageTimings {
  /** Pending → ContainerCreating (and init containers starting). */
  createMs: number;
  /** ContainerCreating → Running, and init containers finishing. */
  startMs: number;
  /** How long a finite container runs before it exits. */
  runMs: number;
  /** Upper bound of the wait before a terminating pod is removed (the grace period is the other bound). */
  terminateCapMs: number;
}

export const DEFAULT_TIMINGS: StageTimings = { createMs: 0, startMs: 100, runMs: 1000, terminateCapMs: 1000 };

export type StageDelay =
  | { ms: number }
  /** One of the node's timings; `capByGracePeriod` takes the smaller of it and the pod's deletion grace period. */
  | { timing: keyof StageTimings; capByGracePeriod?: boolean };

/** Names of the status templates in status-templates.ts. */
export type StatusTemplateName = 'creating' | 'initializing' | 'initialized' | 'running' | 'succeeded' | 'failed' | 'restarted';

export interface Stage {
  name: string;
  selector: StageSelector;
  delay: StageDelay;
  /** Write this status (a JSON merge patch of pods/status) … */
  status?: StatusTemplateName;
  /** … or delete the pod (grace period 0, uid precondition). */
  delete?: boolean;
}

/** The default lifecycle: Pending → ContainerCreating → Running → (Succeeded | Failed | restart), and termination. */
export const DEFAULT_STAGES: readonly Stage[] = [
  { name: 'pod-delete', selector: { deleting: true }, delay: { timing: 'terminateCapMs', capByGracePeriod: true }, delete: true },
  { name: 'pod-create', selector: { progress: 'new', hasInit: false }, delay: { timing: 'createMs' }, status: 'creating' },
  { name: 'pod-create-init', selector: { progress: 'new', hasInit: true }, delay: { timing: 'createMs' }, status: 'initializing' },
  { name: 'pod-init-complete', selector: { progress: 'initializing' }, delay: { timing: 'startMs' }, status: 'initialized' },
  { name: 'pod-ready', selector: { progress: 'creating' }, delay: { timing: 'startMs' }, status: 'running' },
  { name: 'pod-complete', selector: { progress: 'running', finite: true, exit: 'zero' }, delay: { timing: 'runMs' }, status: 'succeeded' },
  { name: 'pod-fail', selector: { progress: 'running', finite: true, exit: 'nonzero', restartPolicy: 'Never' }, delay: { timing: 'runMs' }, status: 'failed' },
  { name: 'pod-restart', selector: { progress: 'running', finite: true, exit: 'nonzero', restartPolicy: 'OnFailure' }, delay: { timing: 'runMs' }, status: 'restarted' },
];

/** The exit code asked for by the annotation (0 when absent or not a number). */
export function exitCodeOf(pod: KObject): number {
  const v = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? 0);
  return Number.isInteger(v) ? v : 0;
}

function progressOf(pod: KObject): PodProgress {
  const st = pod.status ?? {};
  const phase = st.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 'finished';
  const cs: KObject[] = st.containerStatuses ?? [];
  if (!cs.length) return 'new';
  if (cs.some((c) => c.state?.running)) return 'running';
  if (cs.every((c) => c.state?.terminated)) return 'finished';
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: KObject) => c.restartPolicy === 'Always').map((c: KObject) => c.name));
  const init: KObject[] = st.initContainerStatuses ?? [];
  const initDone = init.every((c) => c.state?.terminated || (c.state?.running && sidecars.has(c.name)));
  if ((pod.spec?.initContainers?.length ?? 0) > 0 && !initDone) return 'initializing';
  return 'creating';
}

export function podFacts(pod: KObject): PodFacts {
  const restartPolicy = (pod.spec?.restartPolicy ?? 'Always') as PodFacts['restartPolicy'];
  const containers: KObject[] = pod.spec?.containers ?? [];
  return {
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    phase: pod.status?.phase ?? 'Pending',
    progress: progressOf(pod),
    restartPolicy,
    hasInit: (pod.spec?.initContainers?.length ?? 0) > 0,
    finite: restartPolicy !== 'Always' && containers.length > 0 && containers.every((c) => Array.isArray(c.command) && c.command.length > 0),
    exit: exitCodeOf(pod) === 0 ? 'zero' : 'nonzero',
  };
}

export function selectorMatches(sel: StageSelector, facts: PodFacts): boolean {
  for (const [k, want] of Object.entries(sel) as [keyof PodFacts, unknown][]) {
    const have = facts[k];
    if (Array.isArray(want) ? !want.includes(have) : want !== have) return false;
  }
  return true;
}

/** The first stage that applies to the pod, if any. */
export function matchStage(stages: readonly Stage[], pod: KObject): Stage | undefined {
  const facts = podFacts(pod);
  return stages.find((s) => selectorMatches(s.selector, facts));
}

/** How long (ms) the stage waits for this pod. */
export function stageDelay(stage: Stage, pod: KObject, timings: StageTimings): number {
  const d = stage.delay;
  if ('ms' in d) return d.ms;
  let ms = timings[d.timing];
  if (d.capByGracePeriod) {
    const grace = pod.metadata?.deletionGracePeriodSeconds;
    if (typeof grace === 'number') ms = Math.min(ms, grace * 1000);
  }
  return Math.max(0, ms);
}
