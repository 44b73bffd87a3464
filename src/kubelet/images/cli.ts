/**
 * The `k8ts image` commands' work: build the built-in image archives into a directory, and import
 * an archive into a node's containerd (the one k8ts runs under a data dir, or any CRI endpoint).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../cri/index.js';
import { containerdLayout } from '../containerd/config.js';
import { buildBusyboxImage, buildPauseImage } from './builtin.js';
import { importImageArchive } from './import.js';

/** Where a node looks for image archives to import at start (air-gapped installs). */
export function imagesDir(dataDir: string): string {
  return join(dataDir, 'images');
}

/** Writes pause.tar and busybox.tar into `outDir`; returns what was written. */
export function buildBuiltinArchives(outDir: string): { file: string; image: string; digest: string }[] {
  mkdirSync(outDir, { recursive: true });
  const out: { file: string; image: string; digest: string }[] = [];
  for (const [name, build] of [['pause.tar', buildPauseImage], ['busybox.tar', buildBusyboxImage]] as const) {
    const a = build();
    const file = join(outDir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, a.tar);
    renameSync(tmp, file);
    out.push({ file, image: a.name, digest: a.manifestDigest });
  }
  return out;
}

export interface ImportCommandOptions {
  dataDir: string;
  endpoint?: string;
  name?: string;
}

/** The CRI endpoint of a node: the given one, or the containerd k8ts runs under the data dir. */
function nodeEndpoint(o: { dataDir: string; endpoint?: string }, importing = false): string {
  let endpoint = o.endpoint;
  if (!endpoint) {
    const socket = containerdLayout(o.dataDir).socket;
    if (!existsSync(socket)) {
      throw new Error(
        `no containerd socket at ${socket}: start the node (k8ts server or k8ts agent with --runtime containerd) with --data-dir ${o.dataDir}` +
        (importing
          ? `, pass --container-runtime-endpoint, or put the archive in ${imagesDir(o.dataDir)} to have it imported when the node starts`
          : ', or pass --container-runtime-endpoint'),
      );
    }
    endpoint = `unix://${socket}`;
  }
  return endpoint;
}

/** Imports `file` into the node's containerd; returns the image names it now has. */
export async function importArchiveCommand(file: string, o: ImportCommandOptions): Promise<string[]> {
  if (!existsSync(file)) throw new Error(`open ${file}: no such file or directory`);
  const endpoint = nodeEndpoint(o, true);
  const names = await importImageArchive(endpoint, file, { indexName: o.name });
  return o.name && !names.includes(o.name) ? [...names, o.name] : names;
}

function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? `${v}B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[i]}`;
}

/** The node's images as a table like `crictl images`: IMAGE, TAG, IMAGE ID, SIZE. */
export async function listImagesCommand(o: { dataDir: string; endpoint?: string }): Promise<string> {
  const cri = await CriClient.connect(nodeEndpoint(o));
  try {
    const { images } = await cri.image.listImages({});
    const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
    for (const img of images) {
      const id = img.id.replace(/^sha256:/, '').slice(0, 13);
      const refs = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
      for (const ref of refs) {
        const slash = ref.lastIndexOf('/');
        const colon = ref.lastIndexOf(':');
        const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '<none>'];
        rows.push([repo, tag, id, humanSize(img.size)]);
      }
    }
    rows.splice(1, rows.length, ...rows.slice(1).sort((a, b) => (a[0]! + a[1]!).localeCompare(b[0]! + b[1]!)));
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('')).join('\n') + '\n';
  } finally {
    cri.close();
  }
}
