/**
 * `$(VAR)` expansion as Kubernetes applies it to env values, command, args and subPathExpr:
 * `$(NAME)` is replaced by the mapping's value, `$$` is an escaped `$`, an unknown reference stays
 * literally `$(NAME)`, an unterminated `$(` and a `$` before any other character are copied as-is.
 */

/** Expands every reference in `input`; `mapping` returns the replacement for a variable name. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1]!;
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close >= 0) {
        out += mapping(input.slice(cursor + 2, close));
        advance = close - cursor;
      } else {
        out += '$(';
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** A mapping that looks a name up in each context in turn; unknown names stay `$(NAME)`. */
export function mappingFor(...contexts: Array<ReadonlyMap<string, string> | Record<string, string> | undefined>): (name: string) => string {
  return (name) => {
    for (const ctx of contexts) {
      if (!ctx) continue;
      if (ctx instanceof Map) {
        if (ctx.has(name)) return ctx.get(name)!;
      } else if (Object.prototype.hasOwnProperty.call(ctx, name)) {
        return (ctx as Record<string, string>)[name]!;
      }
    }
    return `$(${name})`;
  };
}
