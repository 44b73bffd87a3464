/**
 * Container port references of probes and hooks (an IntOrString: a number, a named container
 * port, or a number written as a string), resolved as upstream does, with its error wording.
 */
import type { Container } from 'kubernetes-types/core/v1.js';

export function resolveContainerPort(ref: number | string | undefined, container: Pick<Container, 'ports'>): number {
  let port: number;
  if (typeof ref === 'number') {
    port = ref;
  } else if (typeof ref === 'string') {
    const named = (container.ports ?? []).find((p) => p.name === ref);
    if (named) {
      port = named.containerPort;
    } else if (/^[+-]?\d+$/.test(ref)) {
      port = Number.parseInt(ref, 10);
    } else {
      throw new Error(`strconv.Atoi: parsing ${JSON.stringify(ref)}: invalid syntax`);
    }
  } else {
    throw new Error(`intOrString had no kind: ${String(ref)}`);
  }
  if (port > 0 && port < 65536) return port;
  throw new Error(`invalid port number: ${port}`);
}

/** net.JoinHostPort: IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
