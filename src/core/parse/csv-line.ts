/**
 * The fields of one CSV line, read the way csv-parse reads it with
 * relax_quotes (a quote inside an unquoted field is kept as written). A line
 * without a quote is a plain split on commas; a quoted field is read up to
 * its closing quote, "" inside it standing for one quote. Lines this reader
 * does not vouch for (an empty line, a line break, an unclosed quote, text after a closing
 * quote) get null, and the caller hands them to csv-parse, which decides.
 */

const QUOTE = 34;
const COMMA = 44;

export function csvLine(line: string): string[] | null {
  if (line === '' || line.includes('\n') || line.includes('\r')) return null;
  let quote = line.indexOf('"');
  if (quote < 0) return line.split(',');
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    if (line.charCodeAt(start) === QUOTE) {
      // a quoted field: up to the quote that is not doubled, which must end the field
      let escaped = false;
      let close = line.indexOf('"', start + 1);
      while (close >= 0 && line.charCodeAt(close + 1) === QUOTE) {
        escaped = true;
        close = line.indexOf('"', close + 2);
      }
      if (close < 0) return null;
      const after = close + 1;
      if (after < line.length && line.charCodeAt(after) !== COMMA) return null;
      const text = line.slice(start + 1, close);
      fields.push(escaped ? text.replaceAll('""', '"') : text);
      if (after >= line.length) return fields;
      start = after + 1;
      quote = line.indexOf('"', start);
    } else {
      const comma = line.indexOf(',', start);
      if (comma < 0) {
        fields.push(line.slice(start));
        return fields;
      }
      fields.push(line.slice(start, comma));
      start = comma + 1;
      // no quote left: the rest is a plain split
      if (quote >= 0 && quote < start) quote = line.indexOf('"', start);
      if (quote < 0) {
        for (const field of line.slice(start).split(',')) fields.push(field);
        return fields;
      }
    }
  }
}
