/**
 * Builds OCI image-layout archives (what `ctr images import` and `docker load` accept) from host
 * files: one gzip layer, an image config (architecture/os/rootfs diff_ids, Entrypoint/Cmd/Env),
 * a manifest, index.json naming the image (`io.containerd.image.name` = full reference,
 * `org.opencontainers.image.ref.name` = tag) and the oci-layout marker. Deterministic: the same
 * inputs give the same bytes and digests.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
}

export interface OciImageSpec {
  /** Full reference, e.g. k8ts.local/busybox:1.36. */
  name: string;
  /** Root filesystem entries (paths relative to /). */
  files: TarEntry[];
  config?: ImageConfig;
  /** GOARCH-style architecture (default: this machine's). */
  architecture?: string;
}

export interface OciArchive {
  /** The image-layout tar. */
  tar: Buffer;
  name: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  diffId: string;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Node's process.arch → OCI/GOARCH architecture name. */
export function ociArchitecture(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

/** The tag part of a reference (after the last ':' that follows the last '/'), 'latest' when none. */
export function referenceTag(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : 'latest';
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** Builds the archive in memory. */
export function buildOciArchive(spec: OciImageSpec): OciArchive {
  const layerTar = writeTar(spec.files);
  const diffId = sha256(layerTar);
  const layer = gzipSync(layerTar, { level: 9 });
  const layerDigest = sha256(layer);

  const c = spec.config ?? {};
  const containerConfig: Record<string, unknown> = {};
  if (c.user) containerConfig.User = c.user;
  containerConfig.Env = c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (c.entrypoint) containerConfig.Entrypoint = c.entrypoint;
  if (c.cmd) containerConfig.Cmd = c.cmd;
  if (c.workingDir) containerConfig.WorkingDir = c.workingDir;
  if (c.labels) containerConfig.Labels = c.labels;
  const created = new Date(0 + 946684800 * 1000).toISOString();
  const config = Buffer.from(JSON.stringify({
    created,
    architecture: spec.architecture ?? ociArchitecture(),
    os: 'linux',
    config: containerConfig,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'k8ts image build' }],
  }));
  const configDigest = sha256(config);

  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_MANIFEST,
    config: { mediaType: MEDIA_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA_LAYER_GZIP, digest: layerDigest, size: layer.length }],
  }));
  const manifestDigest = sha256(manifest);

  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_INDEX,
    manifests: [{
      mediaType: MEDIA_MANIFEST,
      digest: manifestDigest,
      size: manifest.length,
      annotations: { [ANNOTATION_CONTAINERD_NAME]: spec.name, [ANNOTATION_REF_NAME]: referenceTag(spec.name) },
    }],
  }));

  const tar = writeTar([
    { type: 'file', path: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', path: 'index.json', data: index },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    { type: 'file', path: blobPath(manifestDigest), data: manifest },
    { type: 'file', path: blobPath(configDigest), data: config },
    { type: 'file', path: blobPath(layerDigest), data: layer },
  ]);
  return { tar, name: spec.name, manifestDigest, configDigest, layerDigest, diffId };
}

/** Adds the parent directories every entry needs (before it), keeping the order otherwise. */
export function withParentDirs(entries: TarEntry[]): TarEntry[] {
  const seen = new Set<string>();
  const out: TarEntry[] = [];
  for (const e of entries) {
    const path = e.path.replace(/^\/+/, '').replace(/\/+$/, '');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!seen.has(dir)) { seen.add(dir); out.push({ type: 'dir', path: dir }); }
    }
    if (e.type === 'dir') {
      if (seen.has(path)) {
        // Explicit dir after an implied one: keep the explicit mode.
        const i = out.findIndex((x) => x.type === 'dir' && x.path === path);
        out[i] = { ...e, path };
        continue;
      }
      seen.add(path);
    }
    out.push({ ...e, path } as TarEntry);
  }
  return out;
}
