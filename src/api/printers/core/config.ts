/** core/v1 ConfigMap (NAME DATA AGE), Secret (NAME TYPE DATA AGE) and ServiceAccount (NAME SECRETS AGE). */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

function keyCount(...maps: unknown[]): number {
  const keys = new Set<string>();
  for (const m of maps) if (m && typeof m === 'object') for (const k of Object.keys(m)) keys.add(k);
  return keys.size;
}

export const configMapPrinter: TablePrinter = {
  columns: [nameColumn, column('Data', 'Number of keys in data and binaryData.'), ageColumn],
  cells(cm, now) {
    const n = Object.keys(cm?.data ?? {}).length + Object.keys(cm?.binaryData ?? {}).length;
    return [cm?.metadata?.name ?? '', n, age(cm, now)];
  },
};

export const secretPrinter: TablePrinter = {
  columns: [nameColumn, column('Type', 'Kind of secret data.'), column('Data', 'Number of keys in the secret.'), ageColumn],
  cells(secret, now) {
    // stringData is merged into data on write; count the union in case it was not.
    return [secret?.metadata?.name ?? '', secret?.type || 'Opaque', keyCount(secret?.data, secret?.stringData), age(secret, now)];
  },
};

export const serviceAccountPrinter: TablePrinter = {
  columns: [nameColumn, column('Secrets', 'Number of secrets listed on the service account.'), ageColumn],
  cells(sa, now) {
    return [sa?.metadata?.name ?? '', (sa?.secrets ?? []).length, age(sa, now)];
  },
};
