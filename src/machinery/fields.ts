/**
 * machinery/fields: field selectors (`metadata.name=x,status.phase!=Running`), parsed and matched
 * against an object's selectable field values.
 */

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorParseError extends Error {}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(input: string): FieldRequirement[] {
  const s = input.trim();
  if (!s) return [];
  return splitUnescaped(s, ',').map((part) => {
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(part);
    if (!m) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${part}'`);
    const field = m[1].trim();
    if (!field) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${part}'`);
    return { field, operator: m[2] === '!=' ? '!=' : '=', value: unescape(m[3]) };
  });
}

export function matchesFields(reqs: FieldRequirement[], values: (field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = values(r.field) ?? '';
    if (r.operator === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
