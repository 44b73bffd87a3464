/**
 * machinery/labels: label selectors, in string form (`app=web,tier in (a,b),!legacy`) and
 * object form (metav1.LabelSelector), parsed into requirements and matched against labels.
 */

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Selector = Requirement[];

export class SelectorParseError extends Error {}

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string): void {
  if (!KEY_RE.test(key) || key.length > 316) throw new SelectorParseError(`invalid label key "${key}"`);
}
function checkValue(v: string): void {
  if (!VALUE_RE.test(v) || v.length > 63) throw new SelectorParseError(`invalid label value: "${v}"`);
}

/** Parses the string form used by `?labelSelector=` and `kubectl -l`. */
export function parseSelector(input: string): Selector {
  const s = input.trim();
  if (s === '') return [];
  const reqs: Requirement[] = [];
  let i = 0;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const readIdent = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,=!()<>]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i <= s.length) {
    skipWs();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
    }
    const key = readIdent();
    if (!key) throw new SelectorParseError(`found '${s[i] ?? ''}', expected: identifier`);
    checkKey(key);
    skipWs();
    if (negate) {
      reqs.push({ key, operator: '!', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      reqs.push({ key, operator: 'exists', values: [] });
    } else if (s.startsWith('==', i) || s.startsWith('!=', i) || s[i] === '=') {
      const op: Operator = s.startsWith('==', i) ? '==' : s.startsWith('!=', i) ? '!=' : '=';
      i += op.length;
      const value = readIdent();
      checkValue(value);
      reqs.push({ key, operator: op, values: [value] });
    } else if (s[i] === '>' || s[i] === '<') {
      const op: Operator = s[i] === '>' ? 'gt' : 'lt';
      i++;
      const value = readIdent();
      if (!/^-?\d+$/.test(value)) throw new SelectorParseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
      reqs.push({ key, operator: op, values: [value] });
    } else {
      const word = readIdent();
      if (word !== 'in' && word !== 'notin') throw new SelectorParseError(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
      skipWs();
      if (s[i] !== '(') throw new SelectorParseError(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        skipWs();
        if (s[i] === ')') {
          i++;
          break;
        }
        const v = readIdent();
        checkValue(v);
        values.push(v);
        skipWs();
        if (s[i] === ',') i++;
        else if (s[i] === ')') {
          i++;
          break;
        } else throw new SelectorParseError(`found '${s[i] ?? ''}', expected: ',' or ')'`);
      }
      if (values.length === 0 && word === 'in') throw new SelectorParseError(`for 'in', 'notin' operators, values set can't be empty`);
      reqs.push({ key, operator: word, values });
    }
    skipWs();
    if (i >= s.length) break;
    if (s[i] !== ',') throw new SelectorParseError(`found '${s[i]}', expected: ',' or 'end of string'`);
    i++;
  }
  return reqs;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Converts a metav1.LabelSelector; an empty selector matches everything, a null one nothing. */
export function selectorFromObject(sel: LabelSelectorObject | null | undefined): Selector | null {
  if (!sel) return null;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator;
    const map: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    if (!(op in map)) throw new SelectorParseError(`"${op}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: map[op], values: e.values ?? [] });
  }
  return reqs;
}

export function matches(selector: Selector | null, labels: Record<string, string> | undefined): boolean {
  if (selector === null) return false;
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        if (!has || !r.values.includes(v)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const want = Number(r.values[0]);
        if (r.operator === 'gt' ? !(n > want) : !(n < want)) return false;
        break;
      }
    }
  }
  return true;
}

/** The string form of a selector, e.g. for status.selector of a scale subresource. */
export function formatSelector(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.operator) {
        case 'exists': return r.key;
        case '!': return `!${r.key}`;
        case 'in':
        case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
        case 'gt': return `${r.key}>${r.values[0]}`;
        case 'lt': return `${r.key}<${r.values[0]}`;
        default: return `${r.key}${r.operator === '==' ? '=' : r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}
