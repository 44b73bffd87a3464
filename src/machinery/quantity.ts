/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "12e6"): parsing with upstream's rules (values
 * rounded up to nano precision, capped at 2^63-1), canonical formatting (as the API server writes
 * them back: "1.5Gi" → "1536Mi", "0.5" → "500m", "1000" → "1k"), comparison and arithmetic.
 * A quantity is an exact decimal `num × 10^exp` plus the format it was written in. Pure code.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = num × 10^exp, exactly. */
  readonly num: bigint;
  readonly exp: number;
  readonly format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const MAX_ALLOWED = (1n << 63n) - 1n;
const NANO_EXP = -9;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

interface Parts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

function splitQuantity(str: string): Parts {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && str[i]! >= '0' && str[i]! <= '9') i++;
  let num = str.slice(pos, i);
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && str[i]! >= '0' && str[i]! <= '9') i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  pos = i;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  i = pos;
  while (i < end && str[i]! >= '0' && str[i]! <= '9') i++;
  if (i < end) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Number.isSafeInteger(exponent) && Math.abs(exponent) < 1e6) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_ERROR);
}

/** Parses a quantity; throws QuantityError with upstream's message when malformed. */
export function parseQuantity(str: string): Quantity {
  if (typeof str !== 'string' || str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  if (str === '0') return { num: 0n, exp: 0, format: 'DecimalSI' };
  const { positive, num, denom, suffix } = splitQuantity(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;
  let n = BigInt(num + denom);
  let e = -denom.length;
  if (base === 10) e += exponent;
  else n *= 1n << BigInt(exponent);
  // Round non-zero values up (away from zero) to nano precision.
  if (n !== 0n && e < NANO_EXP) {
    const div = pow10(NANO_EXP - e);
    n = (n + div - 1n) / div;
    e = NANO_EXP;
  }
  const q = normalize(n, e);
  n = q.n;
  e = q.e;
  if (compareRaw(n, e, MAX_ALLOWED, 0) > 0) {
    n = MAX_ALLOWED;
    e = 0;
  }
  if (format === 'BinarySI' && n !== 0n && compareRaw(n, e, 1n, 0) < 0) format = 'DecimalSI';
  return { num: positive ? n : -n, exp: e, format };
}

/** parseQuantity that returns undefined instead of throwing. */
export function tryParseQuantity(str: unknown): Quantity | undefined {
  if (typeof str === 'number' && Number.isFinite(str)) str = String(str);
  if (typeof str !== 'string') return undefined;
  try {
    return parseQuantity(str);
  } catch {
    return undefined;
  }
}

function normalize(n: bigint, e: number): { n: bigint; e: number } {
  if (n === 0n) return { n: 0n, e: 0 };
  while (n % 10n === 0n) {
    n /= 10n;
    e++;
  }
  return { n, e };
}

function compareRaw(an: bigint, ae: number, bn: bigint, be: number): -1 | 0 | 1 {
  const e = Math.min(ae, be);
  const a = an * pow10(ae - e);
  const b = bn * pow10(be - e);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical string the API server writes for this quantity. */
export function formatQuantity(q: Quantity): string {
  if (q.num === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const isInteger = q.exp >= 0;
    if (compareRaw(abs(q.num), q.exp, 1024n, 0) < 0 || !isInteger) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = q.num * pow10(q.exp);
    let k = 0;
    while (k < 6 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    return `${v}${BINARY_NAMES[k]}`;
  }
  let { n, e } = normalize(q.num, q.exp);
  const mod = ((e % 3) + 3) % 3;
  n *= pow10(mod);
  e -= mod;
  if (format === 'DecimalExponent') return e === 0 ? `${n}` : `${n}e${e}`;
  const suffix = DECIMAL_BY_EXP.get(e);
  return suffix !== undefined ? `${n}${suffix}` : `${n}e${e}`;
}

/** Canonical form of a quantity string; throws QuantityError when malformed. */
export function canonicalQuantity(str: string): string {
  return formatQuantity(parseQuantity(str));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return compareRaw(a.num, a.exp, b.num, b.exp);
}

/** Rounds up (away from zero) to the given decimal exponent, e.g. -3 for milli precision. */
export function roundUpQuantity(q: Quantity, exp: number): Quantity {
  if (q.exp >= exp || q.num === 0n) return q;
  const div = pow10(exp - q.exp);
  const a = abs(q.num);
  const r = (a + div - 1n) / div;
  const n = normalize(q.num < 0n ? -r : r, exp);
  return { num: n.n, exp: n.e, format: q.format };
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const e = Math.min(a.exp, b.exp);
  const n = normalize(a.num * pow10(a.exp - e) + b.num * pow10(b.exp - e), e);
  return { num: n.n, exp: n.e, format: a.num === 0n ? b.format : a.format };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return addQuantities(a, { ...b, num: -b.num });
}

export function isZeroQuantity(q: Quantity): boolean {
  return q.num === 0n;
}

/** The value rounded up to an integer (upstream's Value()). */
export function quantityValue(q: Quantity): number {
  return Number(scaledCeil(q, 0));
}

/** The value in thousandths, rounded up (upstream's MilliValue(): "100m" → 100, "1" → 1000). */
export function quantityMilliValue(q: Quantity): number {
  return Number(scaledCeil(q, -3));
}

function scaledCeil(q: Quantity, exp: number): bigint {
  if (q.exp >= exp) return q.num * pow10(q.exp - exp);
  const div = pow10(exp - q.exp);
  const a = abs(q.num);
  const r = (a + div - 1n) / div;
  return q.num < 0n ? -r : r;
}

/** An approximate float value, for display and ratios. */
export function quantityToNumber(q: Quantity): number {
  return Number(q.num) * 10 ** q.exp;
}

/** Builds a quantity from an integer count of units (bytes, cores...) in the given format. */
export function quantityFromInt(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  const n = normalize(BigInt(value), 0);
  return { num: n.n, exp: n.e, format };
}

/** Builds a DecimalSI quantity from thousandths ("milli" units). */
export function quantityFromMilli(milli: number | bigint): Quantity {
  const n = normalize(BigInt(milli), -3);
  return { num: n.n, exp: n.e, format: 'DecimalSI' };
}
