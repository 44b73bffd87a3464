/**
 * Standard cron schedules (5 fields or @descriptors, including robfig/cron's `@every <duration>`
 * that upstream's cron.ParseStandard accepts) as the CronJob API accepts them, with the parser
 * errors upstream reports, plus the next activation time after a given instant, in UTC or in an
 * IANA time zone (wall-clock fields read through Intl; DST gaps are skipped and repeated hours
 * run twice, as robfig/cron does).
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number>;
  months: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  /** For `@every <duration>`: the period in milliseconds. */
  everyMs?: number;
  /** From a `TZ=` / `CRON_TZ=` prefix: the IANA zone the fields are read in. */
  location?: string;
}

export class CronError extends Error {}

/**
 * Whether a CronJob's time zone names a zone this runtime knows (as Go's time.LoadLocation: ""
 * and "UTC" are UTC; "Local" is refused, as the API does).
 */
export function isValidTimeZone(tz: string): boolean {
  if (tz === '' || tz === 'UTC') return true;
  if (tz === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseUint(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseUint(expr);
}

function getRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseUint(rangeAndStep[1]!);
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) out.add(i);
  return star;
}

function getField(field: string, b: Bounds): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',')) star = getRange(part, b, set) || star;
  return { set, star };
}

const all = (b: Bounds) => new Set(Array.from({ length: b.max - b.min + 1 }, (_, i) => b.min + i));

function parseGoDuration(s: string): number {
  const m = /^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/.test(s);
  if (!m) throw new CronError(`time: invalid duration ${JSON.stringify(s)}`);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  for (const [, n, u] of s.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * unit[u!]!;
  return total;
}

/** Parses a schedule; throws CronError with upstream's (robfig/cron) message. */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronError('empty spec string');
  let s = spec;
  let location: string | undefined;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    if (i < 0) throw new CronError(`provided bad location ${s.slice(s.indexOf('=') + 1)}: unknown time zone`);
    location = s.slice(s.indexOf('=') + 1, i);
    s = s.slice(i).trim();
  }
  const sched = parseFields(s);
  if (location !== undefined && location !== '' && location !== 'UTC') sched.location = location;
  return sched;
}

function parseFields(s: string): CronSchedule {
  if (s.startsWith('@')) {
    const full = { minutes: all(MINUTES), hours: all(HOURS), dom: all(DOM), months: all(MONTHS), dow: all(DOW), domStar: true, dowStar: true };
    const at = (minutes: number[], hours: number[], dom?: number[], months?: number[], dow?: number[]): CronSchedule => ({
      minutes: new Set(minutes),
      hours: new Set(hours),
      dom: dom ? new Set(dom) : full.dom,
      months: months ? new Set(months) : full.months,
      dow: dow ? new Set(dow) : full.dow,
      domStar: !dom,
      dowStar: !dow,
    });
    switch (s) {
      case '@yearly':
      case '@annually':
        return at([0], [0], [1], [1]);
      case '@monthly':
        return at([0], [0], [1]);
      case '@weekly':
        return at([0], [0], undefined, undefined, [0]);
      case '@daily':
      case '@midnight':
        return at([0], [0]);
      case '@hourly':
        return at([0], [...full.hours]);
    }
    if (s.startsWith('@every ')) {
      let ms: number;
      try {
        ms = parseGoDuration(s.slice('@every '.length));
      } catch (e) {
        throw new CronError(`failed to parse duration ${s}: ${(e as Error).message}`);
      }
      return { ...full, everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000) };
    }
    throw new CronError(`unrecognized descriptor: ${s}`);
  }
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = getField(fields[0]!, MINUTES);
  const hour = getField(fields[1]!, HOURS);
  const dom = getField(fields[2]!, DOM);
  const month = getField(fields[3]!, MONTHS);
  const dow = getField(fields[4]!, DOW);
  return {
    minutes: minute.set,
    hours: hour.set,
    dom: dom.set,
    months: month.set,
    dow: dow.set,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

/**
 * The first activation strictly after `after`; fields are read in `timeZone` (an IANA name;
 * default the schedule's TZ= prefix, else UTC). Undefined if none within five years.
 */
export function nextCronTime(sched: CronSchedule, after: Date, timeZone?: string): Date | undefined {
  if (sched.everyMs) return new Date(after.getTime() + sched.everyMs - (after.getTime() % 1000));
  const tz = timeZone ?? sched.location;
  if (tz && tz !== 'UTC' && tz !== 'Etc/UTC') return nextInZone(sched, after, tz);
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!sched.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = sched.dom.has(t.getUTCDate());
    const dowOk = sched.dow.has(t.getUTCDay());
    const dayOk = sched.domStar || sched.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!sched.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!sched.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  dow: number;
}

const DOW_NAMES: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in a zone. */
function wallClock(ms: number, tz: string): Wall {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
    });
    formatters.set(tz, f);
  }
  const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, dow: 0 };
  for (const p of f.formatToParts(new Date(ms))) {
    if (p.type === 'year') w.year = Number(p.value);
    else if (p.type === 'month') w.month = Number(p.value);
    else if (p.type === 'day') w.day = Number(p.value);
    else if (p.type === 'hour') w.hour = Number(p.value) % 24;
    else if (p.type === 'minute') w.minute = Number(p.value);
    else if (p.type === 'weekday') w.dow = DOW_NAMES[p.value] ?? 0;
  }
  return w;
}

/** The instant of a wall-clock time in a zone (in a DST gap: shifted forward by the gap). */
function fromWall(year: number, month: number, day: number, tz: string): number {
  const guess = Date.UTC(year, month - 1, day);
  const offsetAt = (ms: number): number => {
    const w = wallClock(ms, tz);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / 60000) * 60000;
  };
  const first = guess - offsetAt(guess);
  const second = guess - offsetAt(first);
  return Math.max(first, second);
}

function nextInZone(sched: CronSchedule, after: Date, tz: string): Date | undefined {
  let t = Math.floor(after.getTime() / 60000) * 60000 + 60000;
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t <= limit) {
    const w = wallClock(t, tz);
    let next: number;
    if (!sched.months.has(w.month)) {
      next = fromWall(w.year, w.month + 1, 1, tz);
    } else {
      const domOk = sched.dom.has(w.day);
      const dowOk = sched.dow.has(w.dow);
      const dayOk = sched.domStar || sched.dowStar ? domOk && dowOk : domOk || dowOk;
      if (!dayOk) next = fromWall(w.year, w.month, w.day + 1, tz);
      else if (!sched.hours.has(w.hour)) next = t + (60 - w.minute) * 60000;
      else if (!sched.minutes.has(w.minute)) next = t + 60000;
      else return new Date(t);
    }
    t = next > t ? next : t + 60000;
  }
  return undefined;
}
