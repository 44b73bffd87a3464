/**
 * apiserver/audit: the audit log (upstream's --audit-policy-file and --audit-log-path): a Policy
 * decides each request's level, the Auditor writes audit.k8s.io/v1 Events as JSON lines.
 * Imports Node built-ins, yaml and apiserver siblings (authn types, body, request-info).
 */
export { Auditor, auditFileSink } from './auditor.js';
export type { AuditHandle, AuditRequestContext, AuditSink } from './auditor.js';
export { AuditPolicyError, evaluatePolicy, parseAuditPolicy } from './policy.js';
export type { AuditDecision, AuditLevel, AuditPolicy, AuditRequest, AuditStage, PolicyRule } from './policy.js';
