/**
 * apiserver/json-syntax: describes why a text is not JSON in the words of Go's encoding/json
 * scanner ("invalid character '}' looking for beginning of value", "unexpected end of JSON
 * input"), which upstream's decoders put into their errors. Only run after JSON.parse failed.
 */

class SyntaxProblem extends Error {}

/** Go's quoteChar: the offending character as it appears in scanner messages. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

/** The Go-style description of the first syntax error in text, or undefined if it is valid JSON. */
export function jsonSyntaxError(text: string): string | undefined {
  let i = 0;
  const eof = (): never => {
    throw new SyntaxProblem('unexpected end of JSON input');
  };
  const bad = (context: string): never => {
    throw new SyntaxProblem(`invalid character ${quoteChar(text[i])} ${context}`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  };
  const peek = (): string => (i < text.length ? text[i] : eof());
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';

  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (peek() !== word[k]) bad(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      const c = peek();
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') bad('in string literal');
      if (c === '\\') {
        i++;
        const e = peek();
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(peek())) bad('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(e)) bad('in string escape code');
      }
      i++;
    }
  };
  const number = (): void => {
    if (text[i] === '-') {
      i++;
      if (!isDigit(peek())) bad('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (i < text.length && isDigit(text[i])) i++;
    if (i < text.length && text[i] === '.') {
      i++;
      if (!isDigit(peek())) bad('after decimal point in numeric literal');
      while (i < text.length && isDigit(text[i])) i++;
    }
    if (i < text.length && (text[i] === 'e' || text[i] === 'E')) {
      i++;
      if (peek() === '+' || text[i] === '-') i++;
      if (!isDigit(peek())) bad('in exponent of numeric literal');
      while (i < text.length && isDigit(text[i])) i++;
    }
  };
  const value = (): void => {
    ws();
    const c = peek();
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || isDigit(c)) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    bad('looking for beginning of value');
  };
  const object = (): void => {
    i++;
    ws();
    if (peek() === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (peek() !== '"') bad('looking for beginning of object key string');
      string();
      ws();
      if (peek() !== ':') bad('after object key');
      i++;
      value();
      ws();
      const c = peek();
      if (c === '}') {
        i++;
        return;
      }
      if (c !== ',') bad('after object key:value pair');
      i++;
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (peek() === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      const c = peek();
      if (c === ']') {
        i++;
        return;
      }
      if (c !== ',') bad('after array element');
      i++;
    }
  };

  try {
    value();
    ws();
    if (i < text.length) bad('after top-level value');
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxProblem) return err.message;
    throw err;
  }
}
