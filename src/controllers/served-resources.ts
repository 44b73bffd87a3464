/** Which served resources controllers walk: stored ones, one version each (the storage version). */
import { RESOURCES, type ResourceInfo } from '../api/resources.js';

/** Every stored resource once (its storage version in its own group), that supports all `verbs`. */
export function storedResources(verbs: string[] = []): ResourceInfo[] {
  const chosen = new Map<string, ResourceInfo>();
  for (const r of RESOURCES) {
    if (!r.stored || !verbs.every((v) => r.verbs.includes(v))) continue;
    const id = `${r.storageGroup}/${r.plural}`;
    const best = (x: ResourceInfo): boolean => x.group === x.storageGroup && x.version === x.storageVersion;
    const current = chosen.get(id);
    if (!current || (!best(current) && best(r))) chosen.set(id, r);
  }
  return [...chosen.values()];
}

/** `pods`, `deployments.apps`: upstream's GroupResource string. */
export function groupResource(r: { group: string; plural: string }): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}
