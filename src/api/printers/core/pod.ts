/** core/v1 Pod: NAME READY STATUS RESTARTS AGE; wide IP NODE NOMINATED NODE READINESS GATES. */
import { ageColumn, column, humanDuration, nameColumn, parseTime, age } from '../format.js';
import type { TablePrinter } from '../types.js';

/** Pod status reason the node lifecycle controller sets when a node stops reporting. */
const NODE_LOST = 'NodeLost';

function isRestartableInit(container: any): boolean {
  return container?.restartPolicy === 'Always';
}

function hasCondition(pod: any, type: string): boolean {
  for (const c of pod?.status?.conditions ?? []) {
    if (c?.type === type && c.status === 'True') return true;
  }
  return false;
}

/** Tracks the most recent `lastState.terminated.finishedAt` across containers. */
class LastRestart {
  at: number | undefined;
  source: string | undefined;
  note(status: any): void {
    const finished = status?.lastState?.terminated;
    if (!finished) return;
    const t = parseTime(finished.finishedAt);
    if (t !== undefined && (this.at === undefined || t > this.at)) {
      this.at = t;
      this.source = finished.finishedAt;
    }
  }
}

function terminatedReason(term: any, prefix: string): string {
  if (term.reason) return prefix + term.reason;
  if (term.signal) return `${prefix}Signal:${term.signal}`;
  return `${prefix}ExitCode:${term.exitCode ?? 0}`;
}

/** The STATUS, READY and RESTARTS cells, following upstream's printPod rules. */
export function podSummary(pod: any, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod?.spec ?? {};
  const status = pod?.status ?? {};
  const initSpecs: any[] = spec.initContainers ?? [];
  const initByName = new Map<string, any>(initSpecs.map((c) => [c?.name, c]));

  let totalContainers = (spec.containers ?? []).length + initSpecs.filter(isRestartableInit).length;
  let readyContainers = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let last = new LastRestart();
  const sidecarLast = new LastRestart();

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const restartable = isRestartableInit(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    last.note(cs);
    if (restartable) {
      sidecarRestarts += cs.restartCount ?? 0;
      sidecarLast.note(cs);
    }
    const state = cs.state ?? {};
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (state.terminated) {
      reason = terminatedReason(state.terminated, 'Init:');
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = 'Init:' + state.waiting.reason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    last = sidecarLast;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      const state = cs.state ?? {};
      restarts += cs.restartCount ?? 0;
      last.note(cs);
      if (state.waiting?.reason) {
        reason = state.waiting.reason;
      } else if (state.terminated) {
        reason = terminatedReason(state.terminated, '');
      } else if (cs.ready && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod?.metadata?.deletionTimestamp && status.reason === NODE_LOST) {
    reason = 'Unknown';
  } else if (pod?.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && last.source !== undefined) {
    restartsCell = `${restarts} (${humanDuration(last.source, now)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsCell };
}

function readinessGates(pod: any): string {
  const gates: any[] = pod?.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let passed = 0;
  for (const gate of gates) {
    const cond = (pod?.status?.conditions ?? []).find((c: any) => c?.type === gate?.conditionType);
    if (cond?.status === 'True') passed++;
  }
  return `${passed}/${gates.length}`;
}

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Ready', 'Ready containers out of all containers in the pod.'),
    column('Status', 'Summary of the pod phase and container states.'),
    column('Restarts', 'Container restarts, with the time since the latest one.'),
    ageColumn,
    column('IP', 'Primary IP address assigned to the pod.', { priority: 1 }),
    column('Node', 'Node the pod is bound to.', { priority: 1 }),
    column('Nominated Node', 'Node the scheduler nominated through preemption.', { priority: 1 }),
    column('Readiness Gates', 'Readiness gates that are satisfied, out of all of them.', { priority: 1 }),
  ],
  cells(pod, now) {
    const s = podSummary(pod, now);
    const ip = pod?.status?.podIPs?.[0]?.ip || pod?.status?.podIP || '<none>';
    return [
      pod?.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      age(pod, now),
      ip,
      pod?.spec?.nodeName || '<none>',
      pod?.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};
