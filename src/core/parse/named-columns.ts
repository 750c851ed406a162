/**
 * Setting a record's columns from a table while keeping the record a fast
 * object.
 *
 * V8 turns an object into a slow dictionary once more than a dozen
 * properties are added through computed names (record[column] = v), which
 * parsed records, with 10 to 60 columns, would be; every later read, copy and
 * added property of such a record is then several times slower, down the
 * whole flow. A named store (record.SourceIP = v) keeps the object fast. So
 * the setter of a column table is generated once, when the module loads, as
 * one switch with a named store per column: the table stays the one list of
 * columns, and the stores stay named.
 */
import { LogRecord } from '../common/records';

/** Sets the column `columns[index]` of a record, with a named store. */
export type ColumnSetter = (r: LogRecord, index: number, v: unknown) => void;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The setter of a list of column names (each a plain identifier: it becomes code). */
export function columnSetter(columns: readonly string[]): ColumnSetter {
  const cases = columns.map((column, i) => {
    if (!IDENTIFIER.test(column)) throw new Error(`column ${JSON.stringify(column)} is not an identifier`);
    return `case ${i}: r.${column} = v; return;`;
  });
  return new Function('r', 'index', 'v', `switch (index) { ${cases.join(' ')} }`) as ColumnSetter;
}

/** How a field's value becomes a column's (undefined: the column is left out); `separator` splits a list. */
export type ReadField = (value: unknown, separator: string) => unknown;

/** A source field of a log and the column it fills. */
export type FieldColumn = readonly [field: string, column: string, read: ReadField];

/** A table of fields → columns with its setter. */
export interface FieldTable {
  fields: readonly string[];
  reads: readonly ReadField[];
  set: ColumnSetter;
}

export function fieldTable(rows: readonly FieldColumn[]): FieldTable {
  return { fields: rows.map((r) => r[0]), reads: rows.map((r) => r[2]), set: columnSetter(rows.map((r) => r[1])) };
}

/** Fills the table's columns of `r` from a log's fields; a field that reads as undefined leaves its column out. */
export function fillColumns(r: LogRecord, field: (name: string) => unknown, table: FieldTable, separator = ','): void {
  const { fields, reads, set } = table;
  for (let i = 0; i < fields.length; i++) {
    const v = reads[i](field(fields[i]), separator);
    if (v !== undefined) set(r, i, v);
  }
}
