import { MinHeap } from '../common/heap';
import { compareTieValue, LogRecord } from '../common/records';
import { EventTime } from '../common/time';

/** One event waiting in the delta's reorder buffer: flat, one allocation per single record. */
export interface BufferedEvent {
  record: LogRecord;
  key: string;
  /** event time: whole epoch seconds and 100-ns ticks (an EventTime, inlined) */
  sec: number;
  ticks: number;
  /** arrival order: the last tie-breaker */
  seq: number;
}

/**
 * A batch's events already in order, as columns: a batch of 1,000 records
 * is five objects in the buffer instead of 1,000, and goes in with one heap
 * push instead of 1,000. `head` is the next event not yet released.
 */
export interface SortedRun {
  records: LogRecord[];
  keys: string[];
  sec: Float64Array;
  ticks: Float64Array;
  seq: Float64Array;
  head: number;
}

/** Receives released events in order, with the caller's context (no closure per call). */
export type Release<C> = (record: LogRecord, key: string, sec: number, context: C) => void;

/** (time, tie fields, arrival) of two events, negative when the first comes first. */
export type EventOrder = (ra: LogRecord, sa: number, ta: number, qa: number, rb: LogRecord, sb: number, tb: number, qb: number) => number;

/** Time, then the tie fields (read from the records, which the tracker never changes), then arrival. */
export function eventOrder(tieFields: readonly string[]): EventOrder {
  const ties = tieFields.slice();
  return (ra, sa, ta, qa, rb, sb, tb, qb) => {
    if (sa !== sb) return sa - sb;
    if (ta !== tb) return ta - tb;
    for (let i = 0; i < ties.length; i++) {
      const c = compareTieValue(ra[ties[i]], rb[ties[i]]);
      if (c !== 0) return c;
    }
    return qa - qb;
  };
}

/**
 * The delta's reorder buffer: single events in a binary heap (one push per
 * record, as records arrive one by one), and whole batches as sorted runs
 * merged at release time. Both give the events back in the one order of
 * the streaming model, so a flow may mix single records and batches.
 */
export class ReorderBuffer {
  private readonly order: EventOrder;
  private readonly singles: MinHeap<BufferedEvent>;
  private readonly runs: MinHeap<SortedRun>;
  private runEvents = 0;

  constructor(tieFields: readonly string[]) {
    const order = (this.order = eventOrder(tieFields));
    this.singles = new MinHeap<BufferedEvent>((a, b) => order(a.record, a.sec, a.ticks, a.seq, b.record, b.sec, b.ticks, b.seq) < 0);
    this.runs = new MinHeap<SortedRun>((a, b) => {
      const i = a.head,
        j = b.head;
      return order(a.records[i], a.sec[i], a.ticks[i], a.seq[i], b.records[j], b.sec[j], b.ticks[j], b.seq[j]) < 0;
    });
  }

  get size(): number {
    return this.singles.size + this.runEvents;
  }

  get eventOrder(): EventOrder {
    return this.order;
  }

  push(event: BufferedEvent): void {
    this.singles.push(event);
  }

  pushRun(run: SortedRun): void {
    if (run.head >= run.records.length) return;
    this.runs.push(run);
    this.runEvents += run.records.length - run.head;
  }

  /** Releases, in order, every event strictly before `horizon` (all when null). */
  releaseBefore<C>(horizon: EventTime | null, release: Release<C>, context: C): void {
    while (this.releaseNext(horizon, release, context));
  }

  /** Releases the oldest event whatever its time (a full buffer); false when empty. */
  releaseOldest<C>(release: Release<C>, context: C): boolean {
    return this.releaseNext(null, release, context);
  }

  /** Every buffered event, in no particular order (for a snapshot). */
  toArray(): BufferedEvent[] {
    const all = this.singles.toArray();
    for (const run of this.runs.toArray()) {
      for (let i = run.head; i < run.records.length; i++) {
        all.push({ record: run.records[i], key: run.keys[i], sec: run.sec[i], ticks: run.ticks[i], seq: run.seq[i] });
      }
    }
    return all;
  }

  clear(): void {
    this.singles.clear();
    this.runs.clear();
    this.runEvents = 0;
  }

  private releaseNext<C>(h: EventTime | null, release: Release<C>, context: C): boolean {
    const run = this.runs.peek();
    const single = this.singles.peek();
    if (
      run &&
      (!single ||
        this.order(run.records[run.head], run.sec[run.head], run.ticks[run.head], run.seq[run.head], single.record, single.sec, single.ticks, single.seq) < 0)
    ) {
      const i = run.head;
      const sec = run.sec[i];
      if (h && (sec > h.sec || (sec === h.sec && run.ticks[i] >= h.ticks))) return false;
      const record = run.records[i];
      run.records[i] = null as unknown as LogRecord; // released: the run no longer keeps it alive
      run.head = i + 1;
      this.runEvents--;
      if (run.head === run.records.length) this.runs.pop();
      else this.runs.topChanged();
      release(record, run.keys[i], sec, context);
      return true;
    }
    if (!single || (h && (single.sec > h.sec || (single.sec === h.sec && single.ticks >= h.ticks)))) return false;
    this.singles.pop();
    release(single.record, single.key, single.sec, context);
    return true;
  }
}
