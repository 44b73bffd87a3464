/**
 * PatchError: why a PATCH body could not be applied, and how the API server should answer.
 *
 * Upstream (k8s.io/apiserver handlers/patch.go) answers patch failures as follows, and `kind`
 * carries the same classification (`code`, `reason` and `statusMessage` give the Status fields):
 * - badRequest (400, reason BadRequest, message = the error text): undecodable bodies
 *   (a JSON patch that is not a list of operations, a merge patch that is not an object),
 *   and the malformed strategic-merge directives upstream names (`invalid patch format of
 *   retainKeys` / `primitive list` / `setElementOrder list`, `invalid JSON document`).
 *   Upstream lets the remaining strategic-merge errors (`unknown patch type: …`, `map: … does
 *   not contain declared merge key: …`, `the order in patch list: …`) fall through as 500 with
 *   an empty reason; k8ts classifies them as badRequest too, keeping upstream's wording.
 * - invalid (422, reason Invalid): a JSON patch operation that fails to apply (missing path,
 *   failed `test`, bad index) and a strategic merge patch holding lists of lists. Upstream
 *   builds this Status with NewGenericServerResponse, which discards the detail: the Status
 *   message is the fixed `the server rejected our request due to an error in our request`
 *   (see `statusMessage`); `message` keeps the detail for logs.
 * - requestEntityTooLarge (413, reason RequestEntityTooLarge): a JSON patch of over 10000 operations.
 */

export type PatchErrorKind = 'badRequest' | 'invalid' | 'requestEntityTooLarge';

/** The metav1.Status reason for each kind. */
export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'RequestEntityTooLarge';

const STATUS: Record<PatchErrorKind, { code: number; reason: PatchErrorReason }> = {
  badRequest: { code: 400, reason: 'BadRequest' },
  invalid: { code: 422, reason: 'Invalid' },
  requestEntityTooLarge: { code: 413, reason: 'RequestEntityTooLarge' },
};

export class PatchError extends Error {
  override readonly name = 'PatchError';

  constructor(
    readonly kind: PatchErrorKind,
    message: string,
  ) {
    super(message);
  }

  /** The HTTP status code upstream answers with. */
  get code(): number {
    return STATUS[this.kind].code;
  }

  /** The metav1.Status reason upstream answers with. */
  get reason(): PatchErrorReason {
    return STATUS[this.kind].reason;
  }

  /** The metav1.Status message upstream answers with (see the file comment). */
  get statusMessage(): string {
    switch (this.kind) {
      case 'invalid':
        return 'the server rejected our request due to an error in our request';
      case 'requestEntityTooLarge':
        return `Request entity too large: ${this.message}`;
      default:
        return this.message;
    }
  }
}

/** Renders a JSON value the way Go's fmt `%v` prints the decoded interface{} (for error texts). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `map[${keys.map((k) => `${k}:${goValue(obj[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** The JSON kind name Go's encoding/json uses in "cannot unmarshal X into …" errors. */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'boolean':
      return 'bool';
    default:
      return typeof v;
  }
}
