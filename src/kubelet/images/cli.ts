/**
 * The `k8ts image` commands' work: build the built-in image archives into a directory, and import
 * an archive into a node's containerd (the one k8ts runs under a data dir, or any CRI endpoint).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Imports `file` into the node's containerd; returns the image names it now has. */
export async function importArchiveCommand(file: string, o: ImportCommandOptions): Promise<string[]> {
  if (!existsSync(file)) throw new Error(`open ${file}: no such file or directory`);
  let endpoint = o.endpoint;
  if (!endpoint) {
    const socket = containerdLayout(o.dataDir).socket;
    if (!existsSync(socket)) {
      throw new Error(
        `no containerd socket at ${socket}: start the node (k8ts server or k8ts agent with --runtime containerd) with --data-dir ${o.dataDir}, ` +
        `pass --container-runtime-endpoint, or put the archive in ${imagesDir(o.dataDir)} to have it imported when the node starts`,
      );
    }
    endpoint = `unix://${socket}`;
  }
  const names = await importImageArchive(endpoint, file, { indexName: o.name });
  return o.name && !names.includes(o.name) ? [...names, o.name] : names;
}
