import { keyOf, LogRecord } from '../common/records';

/**
 * The histogram's side of early verdicts (the live latency contract): once
 * the watermark has passed a window's end by *certain after* seconds, every
 * delta of a (window, group) cell is known
 * except at most one: the delta of its delta key's last event in the
 * window, still waiting for the key's next event. That holds when the delta
 * key fields are among the group fields (each cell then has one key) and
 * events arrive at most lateness + certain after behind the newest. The
 * histogram then emits an early row (`Final: false`, `PendingDeltas` 0 or
 * 1); a key whose last event in the window already has its delta (its next
 * event lies past the window's end) has nothing pending.
 */

export interface CertaintyOptions {
  /** seconds past a window's end (on the histogram's watermark) before its early rows */
  afterSeconds: number;
  /** the delta node's key fields: each must be a group field */
  keyFields: string[];
}

/** Checks the settings: null when certainty is off (no *certain after*). */
export function certaintyOptions(afterSeconds: number | null | undefined, keyFields: string[] | undefined, groupFields: string[]): CertaintyOptions | null {
  if (afterSeconds === null || afterSeconds === undefined) return null;
  if (!(afterSeconds >= 0) || !Number.isFinite(afterSeconds)) throw new Error(`certain-after must be a number of seconds ≥ 0, not ${afterSeconds}`);
  const keys = keyFields ?? [];
  if (keys.length === 0) throw new Error("certain-after needs the delta key fields (the delta node's key)");
  const missing = keys.filter((f) => !groupFields.includes(f));
  if (missing.length > 0) {
    throw new Error(
      `early verdicts need the delta key among the group fields (${missing.join(', ')} is not grouped): a cell could wait for more than one delta`,
    );
  }
  return { afterSeconds, keyFields: keys.slice() };
}

/**
 * Per open window, the delta keys whose last event in the window has its
 * delta already (the next event's time is at or past the window's end).
 */
export class WindowCompleteness {
  private readonly done = new Map<number, Set<string>>();

  constructor(readonly keyFields: string[]) {}

  note(start: number, record: LogRecord): void {
    let keys = this.done.get(start);
    if (!keys) this.done.set(start, (keys = new Set()));
    keys.add(keyOf(record, this.keyFields));
  }

  /** Whether the key of a cell (group fields and values) has nothing pending in the window. */
  has(start: number, groupFields: readonly string[], groupValues: readonly unknown[]): boolean {
    const keys = this.done.get(start);
    if (!keys) return false;
    const probe: LogRecord = {};
    groupFields.forEach((f, i) => (probe[f] = groupValues[i]));
    return keys.has(keyOf(probe, this.keyFields));
  }

  forget(start: number): void {
    this.done.delete(start);
  }

  clear(): void {
    this.done.clear();
  }

  save(): Array<[number, string[]]> {
    return [...this.done].map(([start, keys]) => [start, [...keys]]);
  }

  load(saved: Array<[number, string[]]>): void {
    for (const [start, keys] of saved) this.done.set(start, new Set(keys));
  }
}
