/**
 * Setting a record's columns from a table while keeping the record a fast
 * object.
 *
 * V8 turns an object into a slow dictionary once more than a dozen
 * properties are added through computed names (record[column] = v), which
 * parsed records, with 10 to 60 columns, would be; every later read, copy and
 * added property of such a record is then several times slower, down the
 * whole flow. A named store (record.SourceIP = v) keeps the object fast. So
 * the setter of a column table is source code, one switch with a named store
 * per column, written from the tables by scripts/column-setters.js into
 * column-setters.generated.ts (`npm run generate:setters`, after a build): the
 * table stays the one list of columns, the stores stay named, and no code is
 * built at run time. A table whose columns differ from its generated setter's
 * is refused when its module loads.
 *
 * Reading a parsed JSON line's fields has the same trap the other way round:
 * object[field] with the field names of a table is one load site seeing many
 * names, a slow lookup each time (a tenth of a Zeek JSON line's parse). And a
 * loop calling each field's reader is one call site seeing every reader, so
 * none is inlined. So a field table also gets a generated filler: per field a
 * named load, a call of that field's reader (a call site of its own) and a
 * named store. A table whose fields differ from the generated ones reads
 * object[field] in a loop instead.
 */
import { LogRecord } from '../common/records';
import { GENERATED_FILLERS, GENERATED_SETTERS } from './column-setters.generated';

/** Sets the column `columns[index]` of a record, with a named store. */
export type ColumnSetter = (r: LogRecord, index: number, v: unknown) => void;

/** Fills a record's columns from a parsed object's fields, each through its reader (`reads`, in table order). */
export type ObjectFiller = (r: LogRecord, o: Readonly<Record<string, unknown>>, reads: readonly ReadField[], separator: string) => void;

/** Column tables by name, as the generator sees them (undefined: the setters are looked up, not collected). */
let collected: Map<string, readonly string[]> | undefined;
/** The fields of the field tables by name, as the generator sees them. */
let collectedFields: Map<string, readonly string[]> | undefined;

/**
 * For scripts/column-setters.js only: from now on the tables are recorded by
 * name instead of looked up, so a stale generated file cannot stop its own
 * regeneration; a recorded table's setter throws if called.
 */
export function collectColumnTables(): ReadonlyMap<string, readonly string[]> {
  collected ??= new Map();
  collectedFields ??= new Map();
  return collected;
}

/** For scripts/column-setters.js only: the fields of each field table recorded since collectColumnTables(). */
export function collectedTableFields(): ReadonlyMap<string, readonly string[]> {
  return collectedFields ?? new Map();
}

const REFRESH = 'run `npm run build && npm run generate:setters` to regenerate src/core/parse/column-setters.generated.ts';

/** The generated setter of the column table `name` (its columns, in order, must be the generated ones). */
export function columnSetter(name: string, columns: readonly string[]): ColumnSetter {
  if (collected) {
    if (collected.has(name)) throw new Error(`two column tables are named ${JSON.stringify(name)}`);
    collected.set(name, [...columns]);
    return () => {
      throw new Error(`column table ${name} is being collected, not set`);
    };
  }
  const generated = GENERATED_SETTERS[name];
  if (!generated) throw new Error(`column table ${JSON.stringify(name)} has no generated setter: ${REFRESH}`);
  if (generated.columns.length !== columns.length || generated.columns.some((c, i) => c !== columns[i]))
    throw new Error(`column table ${JSON.stringify(name)} differs from its generated setter: ${REFRESH}`);
  return generated.set;
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
  fill: ObjectFiller;
}

/** The generated filler of the field table `name` when its fields are the generated ones (its columns are checked with its setter), else a loop of keyed reads. */
function objectFiller(name: string, fields: readonly string[], set: ColumnSetter): ObjectFiller {
  if (collectedFields) {
    collectedFields.set(name, [...fields]);
  } else {
    const generated = GENERATED_FILLERS[name];
    if (generated && generated.fields.length === fields.length && generated.fields.every((f, i) => f === fields[i])) return generated.fill;
  }
  return (r, o, reads, separator) => {
    for (let i = 0; i < fields.length; i++) {
      const v = reads[i](o[fields[i]], separator);
      if (v !== undefined) set(r, i, v);
    }
  };
}

/** The table `name` (the key of its generated setter and getter) of fields → columns. */
export function fieldTable(name: string, rows: readonly FieldColumn[]): FieldTable {
  const fields = rows.map((r) => r[0]);
  const set = columnSetter(
    name,
    rows.map((r) => r[1]),
  );
  return { fields, reads: rows.map((r) => r[2]), set, fill: objectFiller(name, fields, set) };
}

/** A log's fields: read by name (a TSV row), or the object of a parsed JSON line. */
export type Fields = ((name: string) => unknown) | Readonly<Record<string, unknown>>;

/** Fills the table's columns of `r` from a log's fields; a field that reads as undefined leaves its column out. */
export function fillColumns(r: LogRecord, fields: Fields, table: FieldTable, separator = ','): void {
  const { reads, set } = table;
  if (typeof fields === 'function') {
    const names = table.fields;
    for (let i = 0; i < names.length; i++) {
      const v = reads[i](fields(names[i]), separator);
      if (v !== undefined) set(r, i, v);
    }
  } else {
    table.fill(r, fields, reads, separator);
  }
}
