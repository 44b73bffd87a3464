/**
 * `k8ts image build|import|list`: image archives without a registry (the built-in pause and busybox
 * images made from host binaries; importing archives into a node's containerd).
 */
import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildBuiltinArchives, importArchiveCommand, listImagesCommand } from '../kubelet/images/index.js';

export function addImageCommands(program: Command): void {
  const image = program.command('image').description('Container images for k8ts nodes (no registry needed)');
  image
    .command('build')
    .description('Build the built-in image archives (pause.tar: k8ts.local/pause:3.10, busybox.tar: k8ts.local/busybox:1.36) from /usr/bin/catatonit and /usr/bin/busybox')
    .requiredOption('--out <dir>', 'directory to write the archives to')
    .action((o: { out: string }) => {
      for (const a of buildBuiltinArchives(o.out)) process.stdout.write(`${a.file}\t${a.image}\t${a.digest}\n`);
    });
  image
    .command('import')
    .description("Import an OCI or docker image archive into a node's containerd (k8s.io namespace)")
    .argument('<file>', 'image archive (.tar)')
    .option('--data-dir <dir>', 'data dir of the node whose containerd to use', join(homedir(), '.k8ts'))
    .option('--container-runtime-endpoint <endpoint>', 'CRI endpoint (unix:///path/containerd.sock) instead of the data dir\'s containerd')
    .option('--name <ref>', 'also keep the archive under this image name')
    .action(async (file: string, o: { dataDir: string; containerRuntimeEndpoint?: string; name?: string }) => {
      const names = await importArchiveCommand(file, { dataDir: o.dataDir, endpoint: o.containerRuntimeEndpoint, name: o.name });
      for (const n of names) process.stdout.write(`imported ${n}\n`);
    });
  image
    .command('list')
    .alias('ls')
    .description("List the images in a node's containerd (as the CRI reports them)")
    .option('--data-dir <dir>', 'data dir of the node whose containerd to use', join(homedir(), '.k8ts'))
    .option('--container-runtime-endpoint <endpoint>', 'CRI endpoint (unix:///path/containerd.sock) instead of the data dir\'s containerd')
    .action(async (o: { dataDir: string; containerRuntimeEndpoint?: string }) => {
      process.stdout.write(await listImagesCommand({ dataDir: o.dataDir, endpoint: o.containerRuntimeEndpoint }));
    });
}
