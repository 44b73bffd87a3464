/**
 * spec.podFailurePolicy (pure): the first rule matching a failed pod decides — FailJob (with
 * upstream's message), Ignore (not counted against backoffLimit), Count, or FailIndex.
 */
import type { KObject } from '../../client/rest-client.js';

export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PolicyMatch {
  /** Set for FailJob: the Job's failure message. */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit (false for Ignore). */
  countFailed: boolean;
  action?: PodFailurePolicyAction;
}

function matchingContainer(statuses: KObject[] | undefined, req: KObject): KObject | undefined {
  for (const s of statuses ?? []) {
    const term = s?.state?.terminated;
    if (!term) continue;
    if (req.containerName && req.containerName !== s.name) continue;
    const code = term.exitCode ?? 0;
    if (code === 0) continue;
    const values: number[] = req.values ?? [];
    const inValues = values.includes(code);
    if ((req.operator === 'In' && inValues) || (req.operator === 'NotIn' && !inValues)) return s;
  }
  return undefined;
}

function matchOnPodConditions(status: KObject | undefined, patterns: KObject[]): KObject | undefined {
  for (const c of status?.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? 'True')) return c;
  }
  return undefined;
}

/** Upstream matchPodFailurePolicy. */
export function matchPodFailurePolicy(policy: KObject | undefined, pod: KObject): PolicyMatch {
  if (!policy) return { countFailed: true };
  const rules: KObject[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const action = rule.action as PodFailurePolicyAction;
    let what: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (!c) continue;
      what = `Container ${c.name} for pod ${pod.metadata?.namespace}/${pod.metadata?.name} failed with exit code ${c.state.terminated.exitCode} matching ${action} rule at index ${i}`;
    } else if (rule.onPodConditions) {
      const cond = matchOnPodConditions(pod.status, rule.onPodConditions);
      if (!cond) continue;
      what = `Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has condition ${cond.type} matching ${action} rule at index ${i}`;
    } else continue;
    switch (action) {
      case 'Ignore': return { countFailed: false, action };
      case 'Count': return { countFailed: true, action };
      case 'FailIndex': return { countFailed: true, action };
      case 'FailJob': return { countFailed: true, action, failJobMessage: what };
      default: continue;
    }
  }
  return { countFailed: true };
}
