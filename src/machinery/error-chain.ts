/**
 * machinery/error-chain: one line for an error and its causes, as k3s-style wrapped errors read
 * (`start storage: open /var/lib/k8ts/db: permission denied`). Pure.
 */

/** The messages of `err` and each `cause` under it, joined by ": ". */
export function errorChainMessage(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  while (cur) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(': ');
}
