/**
 * ResourceQuota admission (upstream's plugin of that name), on creation of a namespaced object:
 * for every ResourceQuota of the namespace whose scopes select the object,
 *  - a pod must state each compute resource the quota constrains
 *    (`pods "p" is forbidden: failed quota: q: must specify limits.cpu for: c; ...`);
 *  - used + requested must stay within hard for every constrained name, else
 *    `pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`;
 *  - the new usage is written to the quota's status.used atomically (read, check, write with
 *    conflict retries, so concurrent creations cannot both take the last unit), as upstream.
 * A name missing from status.used (the controller has not seen the quota yet) is computed from
 * the watch cache. Deletions give usage back through the quota controller. Dry runs check only.
 */
import { addQuantities, compareQuantities, type Quantity } from '../../machinery/quantity.js';
import { computeUsage, formatResourceList, missingComputeResources, parseResourceList, quantityString, quotaMatches, usageOf } from '../../machinery/quota.js';
import type { KObject } from '../rest/codec.js';
import { forbidden } from '../status.js';
import type { AdmissionLookup, AdmissionPluginFactory } from './types.js';

const pretty = (names: string[], u: Map<string, Quantity>): string =>
  names.map((n) => `${n}=${u.has(n) ? quantityString(u.get(n)!) : '0'}`).join(',');

/** Checks the quota against the requested usage; returns the new status or throws. */
async function charge(lookup: AdmissionLookup, quota: KObject, requested: Map<string, Quantity>, refuse: (why: string) => Error): Promise<KObject | undefined> {
  const hard = parseResourceList(quota.spec?.hard);
  const constrained = [...requested.keys()].filter((k) => hard.has(k)).sort();
  if (!constrained.length) return undefined;
  let used = parseResourceList(quota.status?.used);
  if (constrained.some((k) => !used.has(k))) {
    const live = await computeUsage(quota, (g, p) => lookup.list ? lookup.list(g, p, quota.metadata.namespace) : []);
    used = new Map([...live, ...used]);
  }
  const next = new Map(used);
  const exceeded: string[] = [];
  for (const k of constrained) {
    const total = used.has(k) ? addQuantities(used.get(k)!, requested.get(k)!) : requested.get(k)!;
    next.set(k, total);
    if (compareQuantities(total, hard.get(k)!) > 0) exceeded.push(k);
  }
  if (exceeded.length) {
    throw refuse(`exceeded quota: ${quota.metadata.name}, requested: ${pretty(exceeded, requested)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, hard)}`);
  }
  const status = { hard: formatResourceList(hard), used: formatResourceList(new Map([...next].filter(([k]) => hard.has(k)))) };
  return { ...quota, status };
}

export const resourceQuota: AdmissionPluginFactory = (lookup) => ({
  name: 'ResourceQuota',
  async validate(a) {
    if (a.operation !== 'CREATE' || a.subresource || !a.resource.namespaced || !a.namespace || !a.object || !lookup.list) return;
    const quotas = await lookup.list('', 'resourcequotas', a.namespace);
    if (!quotas.length) return;
    const { group, plural } = a.resource;
    const requested = usageOf(group, plural, a.object);
    if (!requested.size) return;
    const what = `${plural}${group ? '.' + group : ''}`;
    const name = a.name || String(a.object.metadata?.generateName ?? '');
    const refuse = (why: string) => forbidden(`${what} "${name}" is forbidden: ${why}`);
    const matching = quotas.filter((q) => quotaMatches(q, group, plural, a.object!)).sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1));
    if (group === '' && plural === 'pods') {
      for (const q of matching) {
        const missing = missingComputeResources(q, a.object);
        if (missing) throw refuse(`failed quota: ${q.metadata.name}: must specify ${missing}`);
      }
    }
    // Check all first (a refusal must not charge any quota), then record.
    for (const q of matching) await charge(lookup, q, requested, refuse);
    if (a.dryRun || !lookup.updateStatus) return;
    for (const q of matching) {
      await lookup.updateStatus('', 'resourcequotas', a.namespace, q.metadata.name, (current) => {
        if (!quotaMatches(current, group, plural, a.object!)) return undefined;
        return charge(lookup, current, requested, refuse);
      });
    }
  },
});
