// src/pki: the cluster's identity material. Owns the cluster CA, the API server's serving certificate,
// client certificates (admin, later node agents) and kubeconfig files carrying them, all under `DATA/pki/`.
// Keys are ECDSA P-256 in PKCS#8 PEM. May import Node built-ins and yaml; nothing else
// from the project. Used by src/server/ (start-up) and src/cli/ (kubeconfig output).
export { ensurePki, issueClientCert, issueServingCert, CA_COMMON_NAME, SERVER_COMMON_NAME, ADMIN_USER, ADMIN_GROUP } from './ensure-pki.js';
export type { Pki, EnsurePkiOptions, ClientCertOptions, ServingCertOptions } from './ensure-pki.js';
export { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
export type { KubeconfigOptions } from './kubeconfig.js';
export { requiredSans } from './sans.js';
export type { SanSet } from './sans.js';
