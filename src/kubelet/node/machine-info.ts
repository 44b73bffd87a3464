/**
 * What the node reports about the machine it runs on (upstream's cadvisor MachineInfo and the
 * kubelet's nodeInfo): CPUs, memory, the data dir's filesystem size, huge page sizes, machine/boot
 * IDs, kernel and OS image, architecture in Go's names.
 */
import { statfs, readFile, readdir } from 'node:fs/promises';
import { arch, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the data dir. */
  ephemeralStorageBytes: number;
  /** Huge page sizes the kernel offers, as resource suffixes (`2Mi`, `1Gi`). */
  hugePageSizes: string[];
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** GOARCH names: amd64, arm64, … */
  architecture: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export const goArch = (nodeArch: string = arch()): string => GO_ARCH[nodeArch] ?? nodeArch;

const readTrim = async (path: string): Promise<string> => (await readFile(path, 'utf8').catch(() => '')).trim();

/** MemTotal from /proc/meminfo (kB) in bytes, falling back to os.totalmem(). */
async function memoryBytes(): Promise<number> {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(await readTrim('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : totalmem();
}

async function hugePageSizes(): Promise<string[]> {
  const dirs = await readdir('/sys/kernel/mm/hugepages').catch(() => [] as string[]);
  const sizes: number[] = [];
  for (const d of dirs) {
    const m = /^hugepages-(\d+)kB$/.exec(d);
    if (m) sizes.push(Number(m[1]) * 1024);
  }
  return sizes.sort((a, b) => a - b).map((b) => formatBinaryQuantity(b));
}

async function osImage(): Promise<string> {
  const text = await readTrim('/etc/os-release');
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m) return 'Linux';
  const v = m[1]!.trim();
  return /^["'].*["']$/.test(v) ? v.slice(1, -1) : v;
}

export async function readMachineInfo(dataDir: string): Promise<MachineInfo> {
  const [mem, fs, pages, machineID, systemUUID, bootID, image] = await Promise.all([
    memoryBytes(),
    statfs(dataDir).catch(() => undefined),
    hugePageSizes(),
    readTrim('/etc/machine-id'),
    readTrim('/sys/class/dmi/id/product_uuid'),
    readTrim('/proc/sys/kernel/random/boot_id'),
    osImage(),
  ]);
  return {
    cpus: cpus().length || 1,
    memoryBytes: mem,
    ephemeralStorageBytes: fs ? fs.blocks * fs.bsize : 0,
    hugePageSizes: pages,
    machineID,
    systemUUID,
    bootID,
    kernelVersion: release(),
    osImage: image,
    architecture: goArch(),
  };
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A byte count as Kubernetes' canonical BinarySI quantity: the largest suffix that keeps it whole (`16Gi`, `1536Mi`, `1001`). */
export function formatBinaryQuantity(bytes: number): string {
  let v = Math.floor(bytes);
  if (v <= 0) return '0';
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v}${BINARY_SUFFIXES[i]}`;
}
