/**
 * VolumeManager: prepares a pod's volumes under D/agent/pods/<podUID>/volumes/<plugin>/<name>,
 * refreshes the API-backed ones in place, turns volumeMounts into CRI mounts and removes it all
 * when the pod is gone.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CriKeyValue, CriMount } from '../cri-shapes.js';
import type { PodRuntimeInfo } from '../field-ref.js';
import { unmountUnder } from './mounts-table.js';
import { volumeKind, volumePlugin } from './registry.js';
import { mountsFor } from './subpath.js';
import { VolumeError, type MountedVolume, type TokenCache, type VolumeLookup } from './types.js';

export interface VolumeManagerOptions {
  /** The agent data dir D; pods live in D/agent/pods. */
  dataDir: string;
  lookup: VolumeLookup;
  log?: (msg: string) => void;
  /** Clock for token refresh (ms). */
  now?: () => number;
  /**
   * Keep secret and projected volumes on a tmpfs, as the kubelet does (default false). Only turn it
   * on where every pod's volumes are torn down (tearDown/tearDownAll) before the data dir goes:
   * a left-over tmpfs makes removing the directory fail with EBUSY.
   */
  memoryBackedSecrets?: boolean;
}

/** setUp failed for one or more volumes; `failures` has one VolumeError per volume (message names it). */
export class VolumeSetUpError extends Error {
  constructor(readonly failures: VolumeError[]) {
    super(failures.map((f) => f.message).join('; '));
    this.name = 'VolumeSetUpError';
  }
}

export class VolumeManager {
  readonly podsDir: string;
  private readonly lookup: VolumeLookup;
  private readonly log: (msg: string) => void;
  private readonly tokens: TokenCache;
  private readonly memoryBackedSecrets: boolean;

  constructor(opts: VolumeManagerOptions) {
    this.podsDir = join(opts.dataDir, 'agent', 'pods');
    this.lookup = opts.lookup;
    this.log = opts.log ?? (() => {});
    this.tokens = { tokens: new Map(), unavailableLogged: new Set(), now: opts.now ?? Date.now };
    this.memoryBackedSecrets = opts.memoryBackedSecrets === true;
  }

  podDir(podUid: string): string {
    return join(this.podsDir, podUid);
  }

  volumeDir(podUid: string, plugin: string, name: string): string {
    return join(this.podsDir, podUid, 'volumes', plugin, name);
  }

  /**
   * Prepares every volume of the pod (idempotent: call it on each sync). Resolves to volume name →
   * mounted volume; rejects with VolumeSetUpError listing each failed volume when any failed.
   */
  async setUp(pod: any, info: PodRuntimeInfo = {}): Promise<Map<string, MountedVolume>> {
    return this.run(pod, info, false);
  }

  /** Rewrites configMap, secret, downwardAPI and projected volumes from current API state (atomic swaps). */
  async refresh(pod: any, info: PodRuntimeInfo = {}): Promise<void> {
    await this.run(pod, info, true);
  }

  private async run(pod: any, info: PodRuntimeInfo, onlyRefreshable: boolean): Promise<Map<string, MountedVolume>> {
    const uid: string = pod?.metadata?.uid;
    if (!uid) throw new Error('pod has no metadata.uid');
    const out = new Map<string, MountedVolume>();
    const failures: VolumeError[] = [];
    const fsGroup = pod?.spec?.securityContext?.fsGroup;
    for (const volume of pod?.spec?.volumes ?? []) {
      const kind = volumeKind(volume);
      const plugin = kind ? volumePlugin(kind) : undefined;
      if (onlyRefreshable && !plugin?.refreshable) continue;
      if (!plugin) {
        failures.push(new VolumeError(volume.name, `volume type ${kind ?? '(none)'} is not supported by this node`));
        continue;
      }
      try {
        out.set(volume.name, await plugin.setUp({
          pod, volume, source: volume[kind!], dir: this.volumeDir(uid, plugin.plugin, volume.name), lookup: this.lookup,
          info, fsGroup: typeof fsGroup === 'number' ? fsGroup : undefined, tokens: this.tokens, log: this.log,
          memoryBackedSecrets: this.memoryBackedSecrets,
        }));
      } catch (e) {
        failures.push(new VolumeError(volume.name, e instanceof Error ? e.message : String(e)));
      }
    }
    if (failures.length) throw new VolumeSetUpError(failures);
    return out;
  }

  /** The CRI mounts for a container (see subpath.ts); envs are its resolved environment, for subPathExpr. */
  mountsFor(pod: any, container: any, volumes: ReadonlyMap<string, MountedVolume>, envs: CriKeyValue[] = []): Promise<CriMount[]> {
    return mountsFor(pod, container, volumes, envs);
  }

  /** Unmounts (tmpfs emptyDirs) and deletes everything the pod had under D/agent/pods/<uid>; forgets its tokens. */
  async tearDown(podUid: string): Promise<void> {
    if (!podUid || podUid.includes('/') || podUid.startsWith('.')) throw new Error(`invalid pod uid ${JSON.stringify(podUid)}`);
    const dir = this.podDir(podUid);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    for (const k of [...this.tokens.tokens.keys()]) if (k.startsWith(`${podUid}/`)) this.tokens.tokens.delete(k);
    this.tokens.unavailableLogged.delete(podUid);
  }

  /** Unmounts every volume mount under D/agent/pods (all pods) and removes their directories: for a node going away for good. */
  async tearDownAll(): Promise<void> {
    for (const uid of await this.knownPods()) await this.tearDown(uid);
    await unmountUnder(this.podsDir);
  }

  /** Pod UIDs that have a directory here (for orphan clean-up after a restart). */
  async knownPods(): Promise<string[]> {
    try {
      return (await readdir(this.podsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  }
}
