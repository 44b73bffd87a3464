// kubeconfig files with embedded credentials, as kubectl and client-go read them.
import { stringify } from 'yaml';
import { writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** CA certificate (PEM) that signed the serving certificate. */
  caPem: string;
  /** Client certificate and key (PEM), for certificate authentication. */
  certPem?: string;
  keyPem?: string;
  /** Bearer token, for token authentication. */
  token?: string;
  clusterName?: string;
  user?: string;
  context?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The kubeconfig document (YAML text) for one cluster, one user and one context, which is current. */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  if ((opts.certPem === undefined) !== (opts.keyPem === undefined)) {
    throw new Error('a kubeconfig needs both a client certificate and its key, or neither');
  }
  const clusterName = opts.clusterName ?? 'k8ts';
  const userName = opts.user ?? 'admin';
  const contextName = opts.context ?? clusterName;
  const user: Record<string, string> = {};
  if (opts.certPem !== undefined && opts.keyPem !== undefined) {
    user['client-certificate-data'] = b64(opts.certPem);
    user['client-key-data'] = b64(opts.keyPem);
  }
  if (opts.token !== undefined) user.token = opts.token;
  const context: Record<string, string> = { cluster: clusterName, user: userName };
  if (opts.namespace) context.namespace = opts.namespace;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
    users: [{ name: userName, user }],
  };
  return stringify(doc, { lineWidth: 0 });
}

/** Writes a kubeconfig (see renderKubeconfig) to `path` with mode 0600, replacing any existing file. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
}
