/**
 * The CommandRunner over a CRI runtime service (src/kubelet/cri's `client.runtime`, or anything
 * with the same execSync): ExecSync with the timeout; the gRPC deadline gets a margin beyond it
 * so the runtime's own timeout answers first; DEADLINE_EXCEEDED becomes ExecTimeoutError, as
 * upstream's remote runtime does; other gRPC failures read as Go's: rpc error: code = X desc = ….
 */
import { ExecTimeoutError, type CommandRunner, type ExecResult } from './types.js';

/** The one CRI call the runner needs (structural, so the agent's own runtime type fits). */
export interface ExecSyncApi {
  execSync(
    req: { containerId: string; cmd: string[]; timeout?: number },
    opts?: { timeoutMs?: number },
  ): Promise<{ stdout?: Buffer | Uint8Array | string; stderr?: Buffer | Uint8Array | string; exitCode?: number }>;
}

const DEADLINE_EXCEEDED = 4;
const GO_CODE_NAMES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable',
  'DataLoss', 'Unauthenticated',
];
/** Upstream adds the runtime request timeout (2 min) to the exec timeout for the RPC deadline. */
const RPC_MARGIN_MS = 120_000;

const toBuffer = (v: Buffer | Uint8Array | string | undefined): Buffer =>
  v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);

export function criCommandRunner(runtime: ExecSyncApi): CommandRunner {
  return {
    async runInContainer(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
      try {
        const res = await runtime.execSync(
          { containerId, cmd, timeout: timeoutSeconds },
          { timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 + RPC_MARGIN_MS : RPC_MARGIN_MS },
        );
        return { stdout: toBuffer(res.stdout), stderr: toBuffer(res.stderr), exitCode: res.exitCode ?? 0 };
      } catch (err) {
        const e = err as { code?: unknown; details?: unknown };
        if (e?.code === DEADLINE_EXCEEDED) throw new ExecTimeoutError(cmd, timeoutSeconds);
        if (typeof e?.code === 'number' && typeof e.details === 'string') {
          // As a Go gRPC client reports it (that is what upstream's events show).
          throw new Error(`rpc error: code = ${GO_CODE_NAMES[e.code] ?? `Code(${e.code})`} desc = ${e.details}`, { cause: err });
        }
        throw err;
      }
    },
  };
}

/** Strips the runtime prefix of a status containerID ("containerd://abc" → "abc"). */
export function rawContainerId(id: string): string {
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}
