/**
 * TCP probe: success when a connection to host:port opens within the timeout; the failure output is
 * Go's dial error ("dial tcp 10.0.0.5:80: connect: connection refused", "... i/o timeout").
 */
import * as net from 'node:net';
import { dialErrorText } from './go-errors.js';
import { joinHostPort } from './port.js';
import type { ProbeOutcome } from './types.js';

export function tcpProbe(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const sock = net.connect({ host, port });
    const finish = (out: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(out);
    };
    const onAbort = (): void => finish({ result: 'failure', output: `dial tcp ${addr}: operation was canceled` });
    const timer = setTimeout(() => finish({ result: 'failure', output: dialErrorText({ code: 'DIAL_TIMEOUT' }, addr, host) }), timeoutMs);
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.on('error', (err) => finish({ result: 'failure', output: dialErrorText(err, addr, host) }));
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
