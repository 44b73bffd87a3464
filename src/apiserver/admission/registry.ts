/** The admission chain: named plugin factories, run in this order. */
import { StatusError } from '../status.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { nodeRestriction } from './node-restriction.js';
import { rbacEscalation } from './rbac-escalation.js';
import type { AdmissionAttributes, AdmissionConfig, AdmissionLookup, AdmissionPlugin, AdmissionPluginFactory } from './types.js';

const FACTORIES = new Map<string, AdmissionPluginFactory>([
  ['NamespaceLifecycle', namespaceLifecycle],
  ['DefaultTolerationSeconds', defaultTolerationSeconds],
  ['NodeRestriction', nodeRestriction],
  ['RBACEscalation', rbacEscalation],
]);

export function registerAdmissionPlugin(name: string, factory: AdmissionPluginFactory): void {
  FACTORIES.set(name, factory);
}

export class AdmissionChain {
  private readonly plugins: AdmissionPlugin[];

  constructor(lookup: AdmissionLookup, config: AdmissionConfig = {}, names: string[] = [...FACTORIES.keys()]) {
    this.plugins = names.map((n) => {
      const f = FACTORIES.get(n);
      if (!f) throw new Error(`unknown admission plugin ${n}`);
      return f(lookup, config);
    });
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      if (!p.validate) continue;
      try {
        await p.validate(a);
      } catch (err) {
        if (err instanceof StatusError) throw err;
        throw new Error(`admission plugin ${p.name}`, { cause: err });
      }
    }
  }
}
