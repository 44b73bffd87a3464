/** Shared fixtures for the printer tests: a fixed "now" and timestamps relative to it. */
import type { TablePrinter } from '../../../src/api/printers/index.js';

export const NOW = new Date('2024-06-01T12:00:00Z');

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;

/** An RFC 3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.000Z$/, 'Z');
}

export function meta(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, namespace: 'default', creationTimestamp: ago(5 * M), ...extra };
}

/** Column names as kubectl upper-cases them, split into default and wide-only. */
export function headers(p: TablePrinter): { normal: string[]; wide: string[] } {
  return {
    normal: p.columns.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase()),
    wide: p.columns.filter((c) => c.priority === 1).map((c) => c.name.toUpperCase()),
  };
}

/** Cells keyed by column name, for readable assertions. */
export function row(p: TablePrinter, obj: unknown): Record<string, unknown> {
  const cells = p.cells(obj, NOW);
  return Object.fromEntries(p.columns.map((c, i) => [c.name, cells[i]]));
}
