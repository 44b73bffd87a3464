/**
 * apiserver/admission: plugins that see every write after decoding and before storage.
 * Mutating plugins (admit) run first, then validating ones (validate). Throw a StatusError to refuse.
 * A plugin is a file plus a line in registry.ts.
 */
import type { ResourceInfo } from '../../api/resources.js';
import type { UserInfo } from '../authn/index.js';
import type { Authorizer } from '../authz/index.js';
import type { KObject } from '../rest/codec.js';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  resource: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  object?: KObject;
  oldObject?: KObject;
  user?: UserInfo;
  dryRun: boolean;
  /** Warnings for the client (sent as `Warning: 299 - "..."` headers), e.g. PodSecurity's warn mode. */
  warnings?: string[];
}

/** What plugins may read: objects by resource, through the API server's own storage layer. */
export interface AdmissionLookup {
  get(group: string, plural: string, namespace: string, name: string): Promise<KObject | undefined>;
  /** Objects of a resource in a namespace ('' = all), from the watch cache; shared: do not mutate. */
  list?(group: string, plural: string, namespace: string): Promise<KObject[]>;
  /**
   * Rewrites an object's status (read, transform, write with conflict retries, no admission);
   * `fn` returns undefined to leave it as it is. Used by ResourceQuota admission to record usage.
   */
  updateStatus?(group: string, plural: string, namespace: string, name: string, fn: (current: KObject) => KObject | undefined | Promise<KObject | undefined>): Promise<void>;
}

export interface AdmissionPlugin {
  name: string;
  admit?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

/** Settings of the plugins (upstream's kube-apiserver admission flags). */
export interface AdmissionConfig {
  /** DefaultTolerationSeconds: how long pods tolerate node.kubernetes.io/not-ready:NoExecute (default 300). */
  defaultNotReadyTolerationSeconds?: number;
  /** DefaultTolerationSeconds: how long pods tolerate node.kubernetes.io/unreachable:NoExecute (default 300). */
  defaultUnreachableTolerationSeconds?: number;
  /** RBAC escalation check and NodeRestriction: the API server's authorizer (its RBAC rules and `escalate`/`bind` checks). */
  authorizer?: Authorizer;
  /** ServiceAccount: how many times the `default` account is looked up before a pod is refused (default 10). */
  serviceAccountLookupAttempts?: number;
}

export type AdmissionPluginFactory = (lookup: AdmissionLookup, config: AdmissionConfig) => AdmissionPlugin;
