/** certificates.k8s.io/v1 CertificateSigningRequest: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION. */
import { age, ageColumn, column, formatHumanDuration, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

/** Denied / Approved / Pending, then ",Failed" and ",Issued" where they apply. */
export function csrCondition(csr: any): string {
  const types = new Set((csr?.status?.conditions ?? []).map((c: any) => c?.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr?.status?.certificate) status += ',Issued';
  return status;
}

export const certificateSigningRequestPrinter: TablePrinter = {
  columns: [
    nameColumn,
    ageColumn,
    column('SignerName', 'Signer asked to sign the request.'),
    column('Requestor', 'User who created the request.'),
    column('RequestedDuration', 'Validity period asked for.'),
    column('Condition', 'Approval and issuance state.'),
  ],
  cells(csr, now) {
    const spec = csr?.spec ?? {};
    const duration = typeof spec.expirationSeconds === 'number' ? formatHumanDuration(spec.expirationSeconds * 1000) : '<none>';
    return [csr?.metadata?.name ?? '', age(csr, now), spec.signerName || '<none>', spec.username ?? '', duration, csrCondition(csr)];
  },
};
