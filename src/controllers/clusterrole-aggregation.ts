/**
 * The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets as rules the rules of
 * every ClusterRole its clusterRoleSelectors match (other than itself), in name order, without duplicates,
 * as upstream's controller does (admin ← edit ← view and the system:aggregate-to-* roles).
 */
import { findResource } from '../api/resources.js';
import { Lister } from '../client/lister.js';
import { isNotFound, type KObject } from '../client/rest-client.js';
import { matches, selectorFromObject } from '../machinery/labels.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

const CLUSTER_ROLES = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;

export class ClusterRoleAggregationController extends BaseController {
  private readonly roles: Lister;

  constructor(ctx: ControllerContext) {
    super('clusterrole-aggregation', ctx, { workers: 1 });
    const informer = ctx.informers.informerFor(CLUSTER_ROLES);
    this.roles = new Lister(informer.store);
    // Any change to any ClusterRole may change what an aggregated role should hold.
    this.watch(informer, () => this.roles.list().filter((r) => r.aggregationRule).map((r) => r.metadata.name));
  }

  protected async reconcile(name: string): Promise<ReconcileResult> {
    const role = this.roles.get(undefined, name);
    if (!role?.aggregationRule) return;
    const rules: unknown[] = [];
    const seen = new Set<string>();
    const sources = [...this.roles.list()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    for (const sel of Array.isArray(role.aggregationRule.clusterRoleSelectors) ? role.aggregationRule.clusterRoleSelectors : []) {
      let selector;
      try {
        selector = selectorFromObject(sel);
      } catch {
        continue;
      }
      for (const src of sources) {
        if (src.metadata.name === name || !matches(selector, src.metadata.labels)) continue;
        for (const r of Array.isArray(src.rules) ? src.rules : []) {
          const k = JSON.stringify(r);
          if (seen.has(k)) continue;
          seen.add(k);
          rules.push(r);
        }
      }
    }
    if (JSON.stringify(role.rules ?? []) === JSON.stringify(rules)) return;
    try {
      await this.ctx.client.update(CLUSTER_ROLES, { ...role, rules } as KObject);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
