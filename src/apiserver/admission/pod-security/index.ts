/**
 * apiserver/admission/pod-security: upstream's PodSecurity admission. The namespace's labels
 * `pod-security.kubernetes.io/{enforce,warn,audit}` (privileged | baseline | restricted, with
 * optional `-version` labels, default latest) choose the level per mode:
 *  - enforce: a pod creation that violates the level is refused:
 *    `pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged (...), ...`;
 *  - warn: the client gets `Warning: would violate PodSecurity "restricted:latest": ...`
 *    (for pods and for workload resources' pod templates);
 *  - audit: recorded as the audit annotation `pod-security.kubernetes.io/audit-violations` when
 *    an audit hook is present (none yet: ignored).
 * Namespaces: label values are validated, and setting an enforce level warns about existing pods
 * that would violate it, as upstream.
 * Imports: checks.ts (pure), the admission types and status helpers.
 */
import { forbidden, invalid } from '../../status.js';
import type { AdmissionAttributes, AdmissionLookup, AdmissionPluginFactory } from '../types.js';
import { evaluate, type Level } from './checks.js';

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];
type Mode = 'enforce' | 'warn' | 'audit';
const VERSION_RE = /^(latest|v1\.(0|[1-9][0-9]*))$/;

interface Policy {
  level: Level;
  version: string;
}

function policyOf(labels: Record<string, string> | undefined, mode: Mode): Policy | undefined {
  const level = labels?.[PREFIX + mode];
  if (!level || !LEVELS.includes(level as Level)) return undefined;
  const version = labels?.[`${PREFIX}${mode}-version`];
  return { level: level as Level, version: version && VERSION_RE.test(version) ? version : 'latest' };
}

const label = (p: Policy): string => `${p.level}:${p.version}`;

/** The pod template (metadata, spec) of a workload resource, or of a pod itself. */
function templateOf(a: AdmissionAttributes): { meta: any; spec: any; isPod: boolean } | undefined {
  const obj = a.object;
  if (!obj || typeof obj !== 'object') return undefined;
  const { group, plural } = a.resource;
  if (group === '' && plural === 'pods') return { meta: obj.metadata ?? {}, spec: obj.spec ?? {}, isPod: true };
  const workloads: Record<string, string[]> = {
    '': ['replicationcontrollers', 'podtemplates'],
    apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    batch: ['jobs', 'cronjobs'],
  };
  if (!workloads[group]?.includes(plural)) return undefined;
  const t = plural === 'cronjobs' ? obj.spec?.jobTemplate?.spec?.template : plural === 'podtemplates' ? obj.template : obj.spec?.template;
  return t && typeof t === 'object' ? { meta: t.metadata ?? {}, spec: t.spec ?? {}, isPod: false } : undefined;
}

async function validateNamespace(lookup: AdmissionLookup, a: AdmissionAttributes): Promise<void> {
  const labels: Record<string, string> = a.object?.metadata?.labels ?? {};
  const errs: Array<{ field: string; value: string; allowed: string }> = [];
  for (const mode of ['enforce', 'warn', 'audit'] as Mode[]) {
    const v = labels[PREFIX + mode];
    if (v !== undefined && !LEVELS.includes(v as Level)) errs.push({ field: `metadata.labels[${PREFIX}${mode}]`, value: v, allowed: 'must be one of privileged, baseline, restricted' });
    const ver = labels[`${PREFIX}${mode}-version`];
    if (ver !== undefined && !VERSION_RE.test(ver)) errs.push({ field: `metadata.labels[${PREFIX}${mode}-version]`, value: ver, allowed: 'must be "latest" or "v1.x"' });
  }
  if (errs.length) {
    throw invalid({ group: '', resource: 'namespaces', name: a.name, kind: 'Namespace' },
      errs.map((e) => ({ reason: 'FieldValueInvalid', field: e.field, message: `Invalid value: ${JSON.stringify(e.value)}: ${e.allowed}` })));
  }
  // A new or changed enforce level: warn about the namespace's pods that violate it.
  const next = policyOf(labels, 'enforce');
  if (!next || next.level === 'privileged' || a.operation !== 'UPDATE' || !a.warnings || !lookup.list) return;
  const prev = policyOf(a.oldObject?.metadata?.labels, 'enforce');
  if (prev && label(prev) === label(next)) return;
  const pods = await lookup.list('', 'pods', a.name);
  const bad: string[] = [];
  for (const p of pods) {
    const findings = evaluate(next.level, p.metadata ?? {}, p.spec ?? {});
    if (findings.length) bad.push(`${p.metadata.name}: ${findings.map((f) => f.replace(/ \(.*$/, '')).join(', ')}`);
  }
  if (bad.length) {
    a.warnings.push(`existing pods in namespace ${JSON.stringify(a.name)} violate the new PodSecurity enforce level ${JSON.stringify(label(next))}`);
    for (const b of bad) a.warnings.push(b);
  }
}

export const podSecurity: AdmissionPluginFactory = (lookup) => ({
  name: 'PodSecurity',
  async validate(a) {
    if (a.resource.group === '' && a.resource.plural === 'namespaces' && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
      await validateNamespace(lookup, a);
      return;
    }
    if (a.operation !== 'CREATE' || a.subresource || !a.namespace) return;
    const t = templateOf(a);
    if (!t) return;
    const ns = await lookup.get('', 'namespaces', '', a.namespace);
    const labels = ns?.metadata?.labels;
    if (!labels) return;
    const enforce = policyOf(labels, 'enforce');
    const warn = policyOf(labels, 'warn');
    if (t.isPod && enforce && enforce.level !== 'privileged') {
      const findings = evaluate(enforce.level, t.meta, t.spec);
      if (findings.length) {
        const name = a.name || String(a.object?.metadata?.generateName ?? '');
        throw forbidden(`pods "${name}" is forbidden: violates PodSecurity ${JSON.stringify(label(enforce))}: ${findings.join(', ')}`);
      }
    }
    // Workload templates are checked against enforce too, as a warning (upstream does the same).
    for (const p of [warn, t.isPod ? undefined : enforce]) {
      if (!p || p.level === 'privileged' || !a.warnings) continue;
      const findings = evaluate(p.level, t.meta, t.spec);
      const text = `would violate PodSecurity ${JSON.stringify(label(p))}: ${findings.join(', ')}`;
      if (findings.length && !a.warnings.includes(text)) a.warnings.push(text);
    }
  },
});
