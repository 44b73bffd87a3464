/**
 * Bridges the websocket remote command protocol (`v5.channel.k8s.io`, what kubectl ≥ 1.30 speaks for
 * exec and attach) to the runtime's SPDY v4 streams. Each binary message starts with its channel:
 * 0 stdin, 1 stdout, 2 stderr, 3 error (a Status), 4 resize; in v5 a message `[255, n]` closes channel n
 * (for stdin: EOF to the command). Also port-forward tunnelling: kubectl sends raw SPDY/3.1 frames inside
 * websocket binary messages (`SPDY/3.1+portforward.k8s.io`), passed byte for byte to the runtime.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RemoteCommand } from './remote-command.js';

export const WS_REMOTE_COMMAND_V5 = 'v5.channel.k8s.io';
export const WS_REMOTE_COMMAND_V4 = 'v4.channel.k8s.io';
export const WS_PORT_FORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

const CH_STDIN = 0;
const CH_STDOUT = 1;
const CH_STDERR = 2;
const CH_ERROR = 3;
const CH_RESIZE = 4;
const CH_CLOSE = 255;

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Runs a remote command behind a websocket until the command ends or the client goes away. */
export function bridgeRemoteCommand(ws: WebSocket, rc: RemoteCommand): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (!buf.length) return;
      const ch = buf[0]!;
      const payload = buf.subarray(1);
      if (ch === CH_STDIN) rc.writeStdin(payload);
      else if (ch === CH_RESIZE) rc.resize(payload);
      else if (ch === CH_CLOSE && payload[0] === CH_STDIN) rc.endStdin();
    });
    rc.on('stdout', (d) => ws.readyState === ws.OPEN && ws.send(frame(CH_STDOUT, d)));
    rc.on('stderr', (d) => ws.readyState === ws.OPEN && ws.send(frame(CH_STDERR, d)));
    rc.on('exit', (status) => {
      finished = true;
      if (ws.readyState === ws.OPEN) {
        ws.send(frame(CH_ERROR, Buffer.from(status)), () => ws.close(1000));
      }
      resolve();
    });
    ws.on('close', () => {
      if (!finished) rc.close();
      resolve();
    });
    ws.on('error', () => rc.close());
  });
}

/** Passes websocket binary payloads to a socket and the socket's bytes back as binary messages. */
export function tunnelWebSocket(ws: WebSocket, socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    };
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (buf.length) socket.write(buf);
    });
    socket.on('data', (d: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(d);
    });
    ws.on('close', finish);
    ws.on('error', finish);
    socket.on('close', finish);
    socket.on('end', finish);
    socket.on('error', finish);
  });
}
