import { isRecord, type LogRecord } from '../core/common/records';

/**
 * How a partition's records travel in one stream message: field names once
 * per shape (the set of fields of a record, in order) and each record as the
 * row of its values, `{"records": [[fields of shape 0], …], "rows": [[shape,
 * v1, v2, …], …]}`. A log's records share one or two shapes, so the names are
 * not repeated: under half the bytes of a JSON array of objects, which the
 * broker stores and the workers receive and parse. Exact: every record
 * decodes to the fields it had, in their order, with their values (a field
 * whose value is undefined is absent, as in JSON).
 */
export interface EncodedRecords {
  records: string[][];
  rows: unknown[][];
}

/** Whether the record's defined fields are `shape`, in order: the common case, checked without allocating. */
function hasShape(record: LogRecord, shape: readonly string[]): boolean {
  let n = 0;
  for (const key in record) {
    if (record[key] === undefined) continue;
    if (shape[n] !== key) return false;
    n++;
  }
  return n === shape.length;
}

export function encodeRecords(records: readonly LogRecord[]): string {
  const shapes: string[][] = [];
  const ids = new Map<string, number>();
  const rows: unknown[][] = new Array(records.length);
  let last = -1;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    let id = last >= 0 && hasShape(record, shapes[last]) ? last : -1;
    if (id < 0) {
      const keys = Object.keys(record).filter((k) => record[k] !== undefined);
      const signature = keys.join('\n');
      id = ids.get(signature) ?? -1;
      if (id < 0) {
        id = shapes.length;
        ids.set(signature, id);
        shapes.push(keys);
      }
      last = id;
    }
    const shape = shapes[id];
    const row: unknown[] = new Array(shape.length + 1);
    row[0] = id;
    for (let k = 0; k < shape.length; k++) row[k + 1] = record[shape[k]];
    rows[i] = row;
  }
  return JSON.stringify({ records: shapes, rows } satisfies EncodedRecords);
}

/** The records of a decoded message body, or null when it is not encoded records; throws when it says it is but is malformed. */
export function decodeRecords(payload: unknown): LogRecord[] | null {
  if (!isRecord(payload) || !Array.isArray(payload.records) || !Array.isArray(payload.rows)) return null;
  const shapes = payload.records as unknown[];
  const rows = payload.rows as unknown[];
  const out: LogRecord[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const keys = Array.isArray(row) ? shapes[row[0] as number] : undefined;
    if (!Array.isArray(keys) || (row as unknown[]).length !== keys.length + 1) throw new Error(`record ${i} of the message does not match its shape`);
    const record: LogRecord = {};
    for (let k = 0; k < keys.length; k++) record[keys[k] as string] = (row as unknown[])[k + 1];
    out[i] = record;
  }
  return out;
}
