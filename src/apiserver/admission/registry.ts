/** The admission chain: named plugin factories, run in this order. */
import { StatusError } from '../status.js';
import { defaultStorageClass } from './default-storage-class.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { limitRanger } from './limit-ranger.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { nodeRestriction } from './node-restriction.js';
import { podSecurity } from './pod-security/index.js';
import { priority } from './priority.js';
import { rbacEscalation } from './rbac-escalation.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccount } from './service-account.js';
import { storageObjectInUseProtection } from './storage-protection.js';
import type { AdmissionAttributes, AdmissionConfig, AdmissionLookup, AdmissionPlugin, AdmissionPluginFactory } from './types.js';

const FACTORIES = new Map<string, AdmissionPluginFactory>([
  ['NamespaceLifecycle', namespaceLifecycle],
  ['LimitRanger', limitRanger],
  ['ServiceAccount', serviceAccount],
  ['Priority', priority],
  ['DefaultTolerationSeconds', defaultTolerationSeconds],
  ['DefaultStorageClass', defaultStorageClass],
  ['PodSecurity', podSecurity],
  ['StorageObjectInUseProtection', storageObjectInUseProtection],
  ['NodeRestriction', nodeRestriction],
  ['RBACEscalation', rbacEscalation],
  ['ResourceQuota', resourceQuota],
]);

export function registerAdmissionPlugin(name: string, factory: AdmissionPluginFactory): void {
  FACTORIES.set(name, factory);
}

export class AdmissionChain {
  private readonly plugins: AdmissionPlugin[];

  /** `disabled`: plugin names to leave out (upstream's --disable-admission-plugins). */
  constructor(lookup: AdmissionLookup, config: AdmissionConfig = {}, names: string[] = [...FACTORIES.keys()], disabled: readonly string[] = []) {
    const unknown = disabled.filter((n) => !FACTORIES.has(n));
    if (unknown.length) throw new Error(`unknown admission plugins to disable: ${unknown.join(', ')}`);
    this.plugins = names.filter((n) => !disabled.includes(n)).map((n) => {
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
