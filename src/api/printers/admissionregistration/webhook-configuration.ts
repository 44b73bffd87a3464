/** admissionregistration.k8s.io/v1 Mutating/ValidatingWebhookConfiguration: NAME WEBHOOKS AGE. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

export const webhookConfigurationPrinter: TablePrinter = {
  columns: [nameColumn, column('Webhooks', 'Webhooks in this configuration.', { type: 'integer' }), ageColumn],
  cells(c, now) {
    return [c?.metadata?.name ?? '', (c?.webhooks ?? []).length, age(c, now)];
  },
};
