/**
 * Upstream's audit Policy (audit.k8s.io/v1): rules in order, the first that matches a request
 * decides its level (None, Metadata, Request, RequestResponse) and which stages are left out; no
 * matching rule means None.
 */
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

/** What a rule is matched against. */
export interface AuditRequest {
  user: { username: string; groups: string[] };
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface AuditDecision {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

export class AuditPolicyError extends Error {}

export function parseAuditPolicy(text: string, source = 'audit policy'): AuditPolicy {
  let doc: any;
  try {
    doc = parse(text);
  } catch (err) {
    throw new AuditPolicyError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || doc.kind !== 'Policy' || !/^audit\.k8s\.io\/v1(beta1|alpha1)?$/.test(String(doc.apiVersion))) {
    throw new AuditPolicyError(`${source}: expected kind Policy, apiVersion audit.k8s.io/v1`);
  }
  const stages = (v: unknown, where: string): AuditStage[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new AuditPolicyError(`${where}: must be a list`);
    for (const s of v) if (!STAGES.includes(s)) throw new AuditPolicyError(`${where}: Unsupported value: "${String(s)}": supported values: ${STAGES.map((x) => `"${x}"`).join(', ')}`);
    return v as AuditStage[];
  };
  const rules: PolicyRule[] = (doc.rules ?? []).map((r: any, i: number) => {
    const where = `${source}: rules[${i}]`;
    if (!LEVELS.includes(r?.level)) throw new AuditPolicyError(`${where}.level: Unsupported value: "${String(r?.level)}": supported values: ${LEVELS.map((x) => `"${x}"`).join(', ')}`);
    if (r.nonResourceURLs && (r.resources || r.namespaces)) {
      throw new AuditPolicyError(`${where}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
    }
    return {
      level: r.level, users: r.users, userGroups: r.userGroups, verbs: r.verbs, resources: r.resources, namespaces: r.namespaces,
      nonResourceURLs: r.nonResourceURLs, omitStages: stages(r.omitStages, `${where}.omitStages`), omitManagedFields: r.omitManagedFields,
    };
  });
  return { rules, omitStages: stages(doc.omitStages, `${source}: omitStages`), omitManagedFields: Boolean(doc.omitManagedFields) };
}

function resourceMatches(rule: PolicyRule, r: AuditRequest): boolean {
  if (!rule.resources?.length) return true;
  const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rule.resources.some((gr) => {
    if ((gr.group ?? '') !== r.group && gr.group !== '*') return false;
    if (gr.resources?.length) {
      const ok = gr.resources.some((p) => p === '*' || p === full
        || (p.startsWith('*/') && r.subresource && p.slice(2) === r.subresource)
        || (p.endsWith('/*') && Boolean(r.subresource) && p.slice(0, -2) === r.resource));
      if (!ok) return false;
    }
    if (gr.resourceNames?.length && !gr.resourceNames.includes(r.name)) return false;
    return true;
  });
}

function ruleMatches(rule: PolicyRule, r: AuditRequest): boolean {
  if (rule.users?.length && !rule.users.includes(r.user.username)) return false;
  if (rule.userGroups?.length && !r.user.groups.some((g) => rule.userGroups!.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(r.verb)) return false;
  if (r.isResourceRequest) {
    if (rule.nonResourceURLs?.length) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(r.namespace)) return false;
    return resourceMatches(rule, r);
  }
  if (rule.resources?.length || rule.namespaces?.length) return false;
  if (rule.nonResourceURLs?.length) {
    return rule.nonResourceURLs.some((u) => u === '*' || u === r.path || (u.endsWith('*') && r.path.startsWith(u.slice(0, -1))));
  }
  return true;
}

export function evaluatePolicy(policy: AuditPolicy, r: AuditRequest): AuditDecision {
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, r)) continue;
    return {
      level: rule.level,
      omitStages: [...new Set([...policy.omitStages, ...(rule.omitStages ?? [])])],
      omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields,
    };
  }
  return { level: 'None', omitStages: policy.omitStages, omitManagedFields: policy.omitManagedFields };
}
