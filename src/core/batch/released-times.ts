import { LogRecord } from '../records';

/**
 * The delta's parsed times, handed on with the records it releases, so the
 * histogram need not parse the same two times again (it did: a quarter of
 * the chain's time parses, ~60 ns each, most of it fetching the strings).
 *
 * The column hangs on the released array under a symbol, not enumerable:
 * no output changes (JSON, debug, Object.keys, a deep clone all leave it
 * out), and a batch message's payload *is* that array, so it reaches the
 * next node when the message is passed on uncloned. It is only a hint: a
 * reader takes a record's entry only when the record still holds the very
 * values that were parsed (`===`; a changed time falls back to parsing), so
 * a stale, misaligned or missing column never changes a result.
 */
const TIMES = Symbol('netbeacon.releasedTimes');

export interface ReleasedTimes {
  timeField: string;
  nextTimeField: string;
  /** per released record: floor(epoch seconds) of its time and of its next event's time */
  sec: number[];
  nextSec: number[];
  /** the values those were parsed from, to check a record still holds them */
  timeValue: unknown[];
  nextValue: unknown[];
}

type WithTimes = { [TIMES]?: ReleasedTimes };

/** Notes the times of the record just pushed onto `released` (its last element). */
export function noteReleased(released: LogRecord[], timeField: string, nextTimeField: string, sec: number, nextSec: number, timeValue: unknown, nextValue: unknown): void {
  const holder = released as LogRecord[] & WithTimes;
  let t = holder[TIMES];
  if (!t || t.timeField !== timeField || t.nextTimeField !== nextTimeField) {
    t = { timeField, nextTimeField, sec: [], nextSec: [], timeValue: [], nextValue: [] };
    Object.defineProperty(holder, TIMES, { value: t, enumerable: false, configurable: true, writable: true });
  }
  const i = released.length - 1;
  // the caller emptied or changed the array since: realign (entries it left are not trusted anyway)
  if (t.sec.length !== i) t.sec.length = t.nextSec.length = t.timeValue.length = t.nextValue.length = Math.max(0, i);
  t.sec.push(sec);
  t.nextSec.push(nextSec);
  t.timeValue.push(timeValue);
  t.nextValue.push(nextValue);
}

/** The column of `records` for these fields, when it covers every record; else null. */
export function releasedTimesOf(records: readonly unknown[], timeField: string, nextTimeField: string): ReleasedTimes | null {
  const t = (records as unknown[] & WithTimes)[TIMES];
  return t && t.timeField === timeField && t.nextTimeField === nextTimeField && t.sec.length === records.length ? t : null;
}

/** Whether record i still holds the values its entry was parsed from. */
export function holdsNotedTimes(t: ReleasedTimes, i: number, record: LogRecord): boolean {
  return record[t.timeField] === t.timeValue[i] && record[t.nextTimeField] === t.nextValue[i];
}
