import { isRecord, keyOf, LogRecord } from '../common/records';
import { EventTime, readEventTime } from '../common/time';
import { EventOrder, SortedRun } from './reorder-buffer';

/** What the delta's batch path needs to know of its settings and state. */
export interface DeltaBatchContext {
  keyFields: readonly string[];
  timeField: string;
  /** lateness as whole seconds and 100-ns ticks */
  latenessSec: number;
  latenessTicks: number;
  order: EventOrder;
  watermark: EventTime | null;
  /** arrival number of the batch's first record */
  seq: number;
  /** the future tolerance as whole seconds and ticks (NaN seconds: no guard) */
  futureSec?: number;
  futureTicks?: number;
}

/**
 * A batch read for the delta's fast path: its events as one sorted run and
 * the watermark after it. Returns null when the batch must go record by
 * record, because the fast path could then give another result:
 * - a record is not an object or has no usable time (it is reported as an error, in arrival order);
 * - a record is older than watermark − lateness when it arrives (it may be late: the
 *   record-by-record path decides against what was released before it);
 * - a record is dated beyond the future tolerance ahead of the watermark when it arrives
 *   (the record-by-record path holds it apart).
 *
 * Otherwise no record of the batch is late (each is at or after the horizon
 * in force when it arrives, and every released event is strictly before
 * that horizon), so buffering the whole batch and releasing once at its end
 * releases the same events in the same order as adding the records one by
 * one: every intermediate release is a prefix of the final one.
 */
export function sortedRunOf(records: readonly unknown[], c: DeltaBatchContext): { run: SortedRun; watermark: EventTime } | null {
  const n = records.length;
  const sec = new Float64Array(n);
  const ticks = new Float64Array(n);
  const time: EventTime = { sec: 0, ticks: 0 };
  let wSec = c.watermark ? c.watermark.sec : -Infinity;
  let wTicks = c.watermark ? c.watermark.ticks : 0;
  let inOrder = true;
  const futureSec = c.futureSec ?? NaN;
  const futureTicks = c.futureTicks ?? 0;
  for (let i = 0; i < n; i++) {
    const record = records[i];
    if (!isRecord(record) || !readEventTime(record[c.timeField], time)) return null;
    // too old: time + lateness < watermark (the horizon is watermark − lateness)
    let oldSec = time.sec + c.latenessSec;
    let oldTicks = time.ticks + c.latenessTicks;
    if (oldTicks >= 1e7) {
      oldTicks -= 1e7;
      oldSec += 1;
    }
    if (oldSec < wSec || (oldSec === wSec && oldTicks < wTicks)) return null;
    if (wSec !== -Infinity && (time.sec - wSec - futureSec) * 1e7 + (time.ticks - wTicks - futureTicks) > 0) return null;
    if (time.sec > wSec || (time.sec === wSec && time.ticks > wTicks)) {
      wSec = time.sec;
      wTicks = time.ticks;
    }
    sec[i] = time.sec;
    ticks[i] = time.ticks;
    if (inOrder && i > 0 && c.order(records[i - 1] as LogRecord, sec[i - 1], ticks[i - 1], i - 1, record, time.sec, time.ticks, i) > 0) inOrder = false;
  }
  const recordsOut = new Array<LogRecord>(n);
  const keys = new Array<string>(n);
  const seq = new Float64Array(n);
  if (inOrder) {
    for (let i = 0; i < n; i++) {
      const record = records[i] as LogRecord;
      recordsOut[i] = record;
      keys[i] = keyOf(record, c.keyFields);
      seq[i] = c.seq + i;
    }
    return { run: { records: recordsOut, keys, sec, ticks, seq, head: 0 }, watermark: { sec: wSec, ticks: wTicks } };
  }
  const index = Array.from({ length: n }, (_, i) => i);
  index.sort((a, b) => c.order(records[a] as LogRecord, sec[a], ticks[a], a, records[b] as LogRecord, sec[b], ticks[b], b));
  const secOut = new Float64Array(n);
  const ticksOut = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = index[k];
    const record = records[i] as LogRecord;
    recordsOut[k] = record;
    keys[k] = keyOf(record, c.keyFields);
    secOut[k] = sec[i];
    ticksOut[k] = ticks[i];
    seq[k] = c.seq + i;
  }
  return { run: { records: recordsOut, keys, sec: secOut, ticks: ticksOut, seq, head: 0 }, watermark: { sec: wSec, ticks: wTicks } };
}
