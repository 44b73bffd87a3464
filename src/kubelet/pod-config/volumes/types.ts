/**
 * The volume plugin interface: one plugin per volume source kind (emptyDir, configMap, ...), found
 * by kind in the registry (registry.ts). A plugin prepares the volume on the node and says which
 * host path the runtime should bind into containers.
 */
import type { ConfigLookup } from '../env.js';
import type { PodRuntimeInfo } from '../field-ref.js';

/** A prepared volume: the host path containers get and whether every mount of it is read-only. */
export interface MountedVolume {
  hostPath: string;
  readOnly?: boolean;
  /** The volume source kind: 'emptyDir', 'configMap', ... */
  kind: string;
  /** The plugin directory name under the pod's volumes dir ('kubernetes.io~empty-dir'). */
  plugin: string;
}

/** A ServiceAccount token from the TokenRequest API. */
export interface IssuedToken {
  token: string;
  /** RFC 3339. */
  expirationTimestamp: string;
}

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef: { apiVersion: string; kind: string; name: string; uid: string };
}

/** Everything volumes read from the API; each getter returns undefined when the object does not exist. */
export interface VolumeLookup extends ConfigLookup {
  getPersistentVolumeClaim?(namespace: string, name: string): Promise<any | undefined>;
  getPersistentVolume?(name: string): Promise<any | undefined>;
  /** POST .../serviceaccounts/SA/token; undefined when the API does not offer TokenRequest (404). */
  requestServiceAccountToken?(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<IssuedToken | undefined>;
}

/** What a plugin gets to set a volume up. */
export interface VolumeContext {
  pod: any;
  /** The pod's volume entry ({ name, <kind>: source }). */
  volume: any;
  /** volume[kind]. */
  source: any;
  /** This volume's own directory: D/agent/pods/<uid>/volumes/<plugin>/<name> (not created yet). */
  dir: string;
  lookup: VolumeLookup;
  info: PodRuntimeInfo;
  /** pod.spec.securityContext.fsGroup. */
  fsGroup?: number;
  /** Tokens issued for projected volumes, kept by the manager across refreshes. */
  tokens: TokenCache;
  /** Secret and projected volumes on a tmpfs (VolumeManagerOptions.memoryBackedSecrets). */
  memoryBackedSecrets: boolean;
  log: (msg: string) => void;
}

export interface VolumePlugin {
  /** The volume source field: 'emptyDir', 'hostPath', ... */
  kind: string;
  /** Directory name under the pod's volumes dir. */
  plugin: string;
  /** Whether refresh() rewrites it (content that follows API objects). */
  refreshable?: boolean;
  setUp(ctx: VolumeContext): Promise<MountedVolume>;
}

export interface CachedToken extends IssuedToken {
  issuedAt: number;
  expiresAt: number;
}

/** Per-manager token cache: key → token; `unavailable` remembers pods already logged about a 404. */
export interface TokenCache {
  tokens: Map<string, CachedToken>;
  unavailableLogged: Set<string>;
  now(): number;
}

/** A volume failure with the kubelet's wording, naming the volume. */
export class VolumeError extends Error {
  constructor(readonly volume: string, readonly reason: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
    this.name = 'VolumeError';
  }
}
