/**
 * Cell formatting shared by the printers: human durations (AGE), label and selector strings,
 * container lists, quantities and the small `<none>` / `<unset>` / `<unknown>` conventions
 * kubectl users know from upstream's printers. Pure functions of their arguments.
 */
import type { ColumnDefinition } from './types.js';

// ---------------------------------------------------------------------------------------------
// Columns

export function column(
  name: string,
  description: string,
  opts: { type?: ColumnDefinition['type']; priority?: number; format?: string } = {},
): ColumnDefinition {
  return {
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description,
    priority: opts.priority ?? 0,
  };
}

/** The Name column every printer starts with (kubectl decorates `format: name` cells). */
export const nameColumn: ColumnDefinition = column('Name', 'Name of the object, unique within its namespace or the cluster.', {
  format: 'name',
});

export const ageColumn: ColumnDefinition = column('Age', 'Time since the object was created.');

/** Wide-only column trio used by every workload controller. */
export function workloadWideColumns(selector = true): ColumnDefinition[] {
  const cols = [
    column('Containers', 'Container names in the pod template.', { priority: 1 }),
    column('Images', 'Container images in the pod template.', { priority: 1 }),
  ];
  if (selector) cols.push(column('Selector', 'Label selector for the pods this object manages.', { priority: 1 }));
  return cols;
}

// ---------------------------------------------------------------------------------------------
// Time

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Milliseconds since the epoch, or undefined for a missing or unparseable timestamp. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * A duration the way upstream's `duration.HumanDuration` writes it: seconds below 2 minutes
 * ("119s"), minutes and seconds below 10 minutes ("2m3s"), minutes below 3 hours ("175m"),
 * hours and minutes below 8 hours ("3h4m"), hours below 2 days ("47h"), days and hours below
 * 8 days ("2d3h"), days below 2 years ("400d"), years and days below 8 years ("2y10d"), then
 * years. Up to a second in the future counts as "0s"; further ahead is "<invalid>".
 */
export function formatHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Time elapsed from `from` until `now`, or "<unknown>" when `from` is missing. */
export function humanDuration(from: string | undefined, now: Date): string {
  const t = parseTime(from);
  if (t === undefined) return '<unknown>';
  return formatHumanDuration(now.getTime() - t);
}

/** The AGE cell: time since metadata.creationTimestamp. */
export function age(obj: any, now: Date): string {
  return humanDuration(obj?.metadata?.creationTimestamp, now);
}

/** A timestamp as Go's RFC 3339 layout writes it in UTC (no fractional seconds). */
export function rfc3339(ts: unknown): string {
  const t = parseTime(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Labels and selectors

/** `a=b,c=d` with keys sorted, or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

interface Requirement {
  key: string;
  text: string;
}

/**
 * A metav1.LabelSelector in the selector string syntax (`app=web,tier in (a,b),!gone`),
 * requirements sorted by key. Null/undefined and an empty selector give "". Throws on an
 * operator or value count the API would reject.
 */
export function labelSelectorString(sel: any): string {
  if (sel === null || sel === undefined || typeof sel !== 'object') return '';
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries((sel.matchLabels ?? {}) as Record<string, unknown>)) {
    reqs.push({ key, text: `${key}=${String(value)}` });
  }
  for (const expr of (sel.matchExpressions ?? []) as any[]) {
    const key = String(expr?.key ?? '');
    const values = Array.isArray(expr?.values) ? expr.values.map(String) : [];
    switch (expr?.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) throw new Error(`values: Invalid value: for 'in', 'notin' operators, values set can't be empty`);
        const op = expr.operator === 'In' ? 'in' : 'notin';
        reqs.push({ key, text: `${key} ${op} (${[...values].sort().join(',')})` });
        break;
      }
      case 'Exists':
        if (values.length > 0) throw new Error(`values: Invalid value: values set must be empty for exists and does not exist`);
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`values: Invalid value: values set must be empty for exists and does not exist`);
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        throw new Error(`"${String(expr?.operator)}" is not a valid label selector operator`);
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** A label selector cell: its string form, "<none>" when it selects nothing, "<error>" when invalid. */
export function formatLabelSelector(sel: any): string {
  try {
    const s = labelSelectorString(sel);
    return s === '' ? '<none>' : s;
  } catch {
    return '<error>';
  }
}

// ---------------------------------------------------------------------------------------------
// Misc

/** Container names and images, comma-joined, for the CONTAINERS and IMAGES columns. */
export function containerCells(containers: any[] | undefined): [string, string] {
  const list = Array.isArray(containers) ? containers : [];
  return [list.map((c) => String(c?.name ?? '')).join(','), list.map((c) => String(c?.image ?? '')).join(',')];
}

/** A resource quantity as the API serializes it; "0" when missing. */
export function quantity(q: unknown): string {
  if (q === undefined || q === null || q === '') return '0';
  return String(q);
}

/** An int-or-string value (e.g. maxUnavailable: 1 or "25%"). */
export function intOrString(v: unknown): string {
  return String(v);
}

/** host:port, with IPv6 hosts bracketed. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Up to `max` items joined by ",", then " + N more..."; "<unset>" when empty. */
export function listWithMore(list: string[], count: number, max: number): string {
  const ret = list.slice(0, max).join(',');
  if (count > max) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** "True" / "False" for an optional boolean, "<unset>" when missing. */
export function boolPtr(v: unknown): string {
  if (v === undefined || v === null) return '<unset>';
  return v ? 'True' : 'False';
}

/** Whether the first condition of `type` has status "True". */
export function conditionTrue(conditions: any[] | undefined, type: string): boolean {
  for (const c of conditions ?? []) {
    if (c?.type === type) return c.status === 'True';
  }
  return false;
}

/** A number cell from an optional integer field. */
export function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' ? v : dflt;
}

/** Unique values in first-seen order. */
export function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Access modes in upstream's short, fixed order: RWO, ROX, RWX, RWOP. */
export function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
