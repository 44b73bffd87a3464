/**
 * gRPC probe: the standard health protocol (grpc.health.v1.Health/Check) over an insecure
 * connection with @grpc/grpc-js, messages hand-encoded (HealthCheckRequest{1: string service},
 * HealthCheckResponse{1: enum status}). SERVING succeeds; everything else fails with upstream's
 * wording. The codec and method path are exported so tests (and anyone) can serve the protocol.
 */
import * as grpc from '@grpc/grpc-js';
import { joinHostPort } from './port.js';
import { KUBE_VERSION, goQuote, goSeconds, type ProbeOutcome } from './types.js';

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export type ServingStatus = (typeof SERVING_STATUS)[number];

function writeVarint(n: number, out: number[]): void {
  let v = n >>> 0;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    if (shift < 32) result |= (b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) return [result >>> 0, pos];
  }
}

/** Walks the fields of a protobuf message, calling `onField(number, wireType, value)`. */
function eachField(buf: Buffer, onField: (no: number, value: number | Buffer) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const no = key >>> 3;
    const wt = key & 7;
    if (wt === 0) { let v: number; [v, pos] = readVarint(buf, pos); onField(no, v); }
    else if (wt === 2) { let len: number; [len, pos] = readVarint(buf, pos); onField(no, buf.subarray(pos, pos + len)); pos += len; }
    else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wt}`);
  }
}

export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  const out: number[] = [0x0a];
  writeVarint(s.length, out);
  return Buffer.concat([Buffer.from(out), s]);
}

export function decodeHealthCheckRequest(buf: Buffer): { service: string } {
  let service = '';
  eachField(buf, (no, v) => { if (no === 1 && Buffer.isBuffer(v)) service = v.toString('utf8'); });
  return { service };
}

export function encodeHealthCheckResponse(status: ServingStatus | number): Buffer {
  const n = typeof status === 'number' ? status : SERVING_STATUS.indexOf(status);
  if (n === 0) return Buffer.alloc(0);
  const out: number[] = [0x08];
  writeVarint(n, out);
  return Buffer.from(out);
}

export function decodeHealthCheckResponse(buf: Buffer): { status: ServingStatus | string } {
  let n = 0;
  eachField(buf, (no, v) => { if (no === 1 && typeof v === 'number') n = v; });
  return { status: SERVING_STATUS[n] ?? String(n) };
}

/** A service definition of grpc.health.v1.Health (Check only) for grpc.Server#addService. */
export const healthServiceDefinition: grpc.ServiceDefinition = {
  Check: {
    path: HEALTH_CHECK_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: { service: string }) => encodeHealthCheckRequest(v.service),
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: (v: { status: ServingStatus | number }) => encodeHealthCheckResponse(v.status),
    responseDeserialize: decodeHealthCheckResponse,
  },
};

const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]),
);
/** Go's codes.Code String(): NOT_FOUND → NotFound. */
const goCodeName = (code: number): string =>
  (CODE_NAMES[code] ?? `Code(${code})`).toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
    .replace(/^Ok$/, 'OK');

export async function grpcProbe(host: string, port: number, service: string, timeoutSec: number, version = KUBE_VERSION): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const deadline = new Date(Date.now() + timeoutSec * 1000);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': `kube-probe/${version}`,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
  });
  try {
    const connected = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (err) => resolve(err)));
    if (connected) {
      return { result: 'failure', output: `timeout: failed to connect service ${goQuote(addr)} within ${goSeconds(timeoutSec)}: context deadline exceeded` };
    }
    const res = await new Promise<{ err?: grpc.ServiceError; value?: { status: string } }>((resolve) => {
      client.makeUnaryRequest(
        HEALTH_CHECK_PATH, encodeHealthCheckRequest, decodeHealthCheckResponse, service,
        new grpc.Metadata(), { deadline },
        (err, value) => resolve({ err: err ?? undefined, value }),
      );
    });
    if (res.err) {
      const e = res.err;
      if (e.code === grpc.status.UNIMPLEMENTED) {
        return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` };
      }
      if (e.code === grpc.status.DEADLINE_EXCEEDED) {
        return { result: 'failure', output: `timeout: health rpc did not complete within ${goSeconds(timeoutSec)}` };
      }
      return { result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${goCodeName(e.code)} desc = ${e.details}` };
    }
    const status = res.value?.status ?? 'UNKNOWN';
    if (status !== 'SERVING') return { result: 'failure', output: `service unhealthy (responded with ${goQuote(status)})` };
    return { result: 'success', output: '' };
  } finally {
    client.close();
  }
}
