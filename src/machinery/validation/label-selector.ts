/**
 * metav1.LabelSelector validation and matching against a label set.
 */
import { matches, SelectorParseError, selectorFromObject, type Selector } from '../labels.js';
import { FieldPath, forbidden, invalid, required, type FieldError } from './field.js';
import { isValidLabelValue } from './names.js';
import { validateLabelName, validateLabels } from './object-meta.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

type P = FieldPath | string;
const asPath = (p: P): FieldPath => (typeof p === 'string' ? FieldPath.root(p) : p);

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

export function validateLabelSelectorRequirement(
  sr: LabelSelectorRequirement,
  p: P,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const path = asPath(p);
  const errs: FieldError[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      break;
    default:
      errs.push(invalid(path.child('operator'), sr.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key ?? '', path.child('key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(path.child('values').index(i), v, m));
    });
  }
  return errs;
}

export function validateLabelSelector(
  sel: LabelSelector | undefined | null,
  p: P,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (!sel) return [];
  const path = asPath(p);
  const errs = validateLabels(sel.matchLabels, path.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((e, i) =>
    errs.push(...validateLabelSelectorRequirement(e, path.child('matchExpressions').index(i), opts)),
  );
  return errs;
}

/** True when a selector selects nothing-in-particular (matches everything). */
export function labelSelectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * Whether a label set satisfies a LabelSelector (nil selector matches nothing, empty matches all,
 * an unknown operator matches nothing). The matching itself is machinery/labels' `matches`.
 */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined | null): boolean {
  let selector: Selector | null;
  try {
    selector = selectorFromObject(sel);
  } catch (err) {
    if (err instanceof SelectorParseError) return false;
    throw err;
  }
  return matches(selector, labels ?? undefined);
}
