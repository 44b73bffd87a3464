// A small RFC 4180 reader with the behaviour of Go's encoding/csv defaults (used for upstream's CSV files):
// ',' separates fields, double quotes enclose fields that may contain ',', '"' (doubled) and newlines,
// CRLF and LF end records, empty lines are skipped, spaces are kept, a bare quote in an unquoted field is an error.

export class CsvError extends Error {}

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  let fieldStart = true;
  const endRecord = () => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
    field = '';
    fieldStart = true;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (fieldStart && c === '"') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError(`record on line ${startLine}: extraneous or missing " in quoted-field`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
        throw new CsvError(`record on line ${line}: extraneous or missing " in quoted-field`);
      }
      fieldStart = false;
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      fieldStart = true;
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
      line++;
    } else if (c === '"') {
      throw new CsvError(`record on line ${line}: bare " in non-quoted-field`);
    } else {
      field += c;
      fieldStart = false;
      i++;
    }
  }
  if (!fieldStart || record.length > 0 || field !== '') endRecord();
  return records;
}
