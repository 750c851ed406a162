import { isRecord, LogRecord, RecordError } from '../common/records';
import { isoFromSeconds } from '../common/time';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { PairHistory } from './pair-history';
import { pairRow, releaseRows, SendOptions, sourceCounts } from './pair-rows';
import { PairHistoryState } from './pair-snapshot';
import { HuntOptions, PairHistoryOptions, SourceCounts } from './pair-types';

/** records the store reads ahead at a time (PairHistory.readAhead) */
const READ_AHEAD = 16;

/**
 * The hunt on a pair history as a stream stage: records go into the
 * history; each time event time crosses a scoring boundary (every
 * `scoreEverySeconds`), the pairs active since the last scoring that have
 * enough intervals are released as histogram-shaped rows for the scorer,
 * at most `batchRows` at a time (`nextRows`), so neither a boundary nor a
 * flush turns the whole store into one batch. A pair quiet for a while is
 * simply not released again until it connects; nothing is ever late.
 */
export interface PairHuntOptions {
  history: Partial<PairHistoryOptions>;
  hunt: Pick<HuntOptions, 'minIntervals' | 'prevalence'>;
  /** event-time seconds between scorings (aligned to the epoch, UTC) */
  scoreEverySeconds: number;
  /** rows per released batch */
  batchRows: number;
  /** records whose field is 0 (or '0') are not kept, e.g. RemotePortNumber; '' = none */
  skipZeroField: string;
  /** only the pairs that can alert at a periodic scorer (absent: every pair with enough intervals) */
  send?: SendOptions | null;
}

export interface PairHuntCounts {
  records: number;
  skipped: number;
  scorings: number;
  rows: number;
}

interface Release {
  /** pairs with a connection at or after this (epoch seconds) */
  since: number;
  /** the next row of the store to look at */
  from: number;
}

interface PairHuntState {
  history: PairHistoryState;
  nextScore: number | null;
  lastScored: number | null;
  pending: Release | null;
  counts: PairHuntCounts;
}

export class PairHuntStage {
  history: PairHistory;
  readonly counts: PairHuntCounts = { records: 0, skipped: 0, scorings: 0, rows: 0 };
  /** the next scoring boundary (epoch seconds), once a record has been seen */
  private nextScore: number | null = null;
  /** when the last scoring's pairs were taken from (rows released since then are for later connections) */
  private lastScored: number | null = null;
  private pending: Release | null = null;
  /** the release's rows and their sources per destination (not saved: picked and counted again after a restore) */
  private picked: Int32Array | null = null;
  private sources: SourceCounts | null = null;
  /** the records of the message being worked through */
  private input: { records: readonly unknown[]; at: number; flush: boolean; errors: RecordError[] } | null = null;

  constructor(readonly options: PairHuntOptions) {
    if (!(options.scoreEverySeconds > 0)) throw new Error(`scoring needs an interval of more than 0 s, not ${options.scoreEverySeconds}`);
    if (!(Number.isInteger(options.batchRows) && options.batchRows >= 1))
      throw new Error(`rows per batch must be a whole number ≥ 1, not ${options.batchRows}`);
    this.history = new PairHistory(options.history);
  }

  /**
   * Takes a message's records (and a flush after them). They are added up
   * to the first that crosses a scoring boundary; nextRows() then releases
   * that scoring's rows and goes on with the rest, so what is scored
   * depends on the records alone, never on how they were batched. A record
   * without a readable time goes to `errors`, the rest go on.
   */
  addBatch(records: readonly unknown[], errors: RecordError[], flush = false): void {
    this.input = { records, at: 0, flush, errors };
    this.work();
  }

  /** Whether rows wait to be released or records to be added. */
  get busy(): boolean {
    return this.pending !== null || this.input !== null;
  }

  /** The next batch of rows to score (maybe empty while records are still being added), or null when all is done. */
  nextRows(): LogRecord[] | null {
    if (!this.pending) {
      if (!this.input) return null;
      this.work();
      if (!this.pending) return this.input ? [] : null;
    }
    const p = this.pending;
    const h = this.history;
    const { minIntervals, prevalence } = this.options.hunt;
    // no record is added while a release drains: the store's rows and codes hold still, so its pairs are picked and
    // prevalence counted once for it
    if (!this.picked) {
      this.picked = releaseRows(h, p.since, minIntervals, this.options.send ?? null);
      this.sources = sourceCounts(h, Array.from(this.picked), prevalence);
    }
    const picked = this.picked;
    let at = firstAtOrAfter(picked, p.from);
    const end = Math.min(picked.length, at + this.options.batchRows);
    const di = prevalence ? h.options.keyFields.indexOf(prevalence.destination) : -1;
    const every = this.options.scoreEverySeconds;
    const rows: LogRecord[] = [];
    for (; at < end; at++) {
      const row = pairRow(h, picked[at]);
      if (this.sources) row.DestinationSources = this.sources.get(h.keyCode(di, picked[at])) ?? 0;
      // the row's cell is the pair in the scoring period of its last connection: a pair still beaconing a day later is a new
      // alert (its AlertId differs) that the scorer's re-arm, measured on the events, lets through or holds back
      const last = Date.parse(row.LastSeen as string) / 1000;
      row.TimeGenerated = isoFromSeconds(Math.floor(last / every) * every);
      row.HopSeconds = every;
      rows.push(row);
    }
    if (end >= picked.length) {
      this.pending = null;
      this.picked = null;
      this.sources = null;
    } else p.from = picked[end];
    this.counts.rows += rows.length;
    return rows;
  }

  /** Adds records until one crosses a scoring boundary (a release is then pending) or none are left (then the flush, if asked). */
  private work(): void {
    const input = this.input;
    if (!input) return;
    const h = this.history;
    const skip = this.options.skipZeroField;
    const timeField = h.options.timeField;
    const { records, errors } = input;
    while (input.at < records.length) {
      // the store reads the next records' pairs ahead, so their cache misses overlap (nothing changes: history.readAhead)
      if (input.at % READ_AHEAD === 0) h.readAhead(records, input.at, input.at + READ_AHEAD);
      const r = records[input.at++];
      if (!isRecord(r)) {
        errors.push(new RecordError('record', r, 'is not a record object'));
        continue;
      }
      this.counts.records++;
      if (skip && (r[skip] === 0 || r[skip] === '0')) {
        this.counts.skipped++;
        continue;
      }
      if (!h.add(r)) {
        errors.push(new RecordError(timeField, r[timeField], 'is not a time'));
        continue;
      }
      if (this.schedule(false)) return;
    }
    this.input = null;
    if (input.flush) this.schedule(true);
  }

  /** Starts a release when event time has reached the next boundary (or on a flush); whether it did. */
  private schedule(flush: boolean): boolean {
    const newest = this.history.newestSeconds;
    if (newest === null) return false;
    const every = this.options.scoreEverySeconds;
    if (this.nextScore === null) this.nextScore = (Math.floor(newest / every) + 1) * every;
    if (!flush && newest < this.nextScore) return false;
    // a release under way is replaced: the new one covers its pairs too
    const since = this.pending ? this.pending.since : (this.lastScored ?? -Infinity);
    this.pending = { since, from: 0 };
    this.picked = null;
    this.sources = null;
    this.lastScored = newest;
    this.nextScore = (Math.floor(newest / every) + 1) * every;
    this.counts.scorings++;
    return true;
  }

  reset(): void {
    this.history = new PairHistory(this.history.options);
    this.nextScore = null;
    this.lastScored = null;
    this.pending = null;
    this.picked = null;
    this.sources = null;
    this.input = null;
    Object.assign(this.counts, { records: 0, skipped: 0, scorings: 0, rows: 0 });
  }

  snapshot(): Snapshot<PairHuntState> {
    return makeSnapshot('pair-hunt', this.stateSettings(), {
      history: this.history.save(),
      nextScore: this.nextScore,
      lastScored: this.lastScored,
      pending: this.pending,
      counts: { ...this.counts },
    });
  }

  restore(saved: unknown): void {
    const state = openSnapshot<PairHuntState>(saved, 'pair-hunt', this.stateSettings());
    if (state instanceof Error) throw state;
    this.history.restoreState(state.history);
    this.nextScore = state.nextScore ?? null;
    this.lastScored = state.lastScored ?? null;
    this.pending = state.pending ? { since: state.pending.since ?? -Infinity, from: state.pending.from } : null;
    this.picked = null;
    this.sources = null;
    Object.assign(this.counts, state.counts ?? {});
  }

  private stateSettings(): unknown {
    const o = this.history.options;
    return { keyFields: o.keyFields, ringSize: o.ringSize, sizes: Boolean(o.bytesField) };
  }
}

/** The first index of the ascending `rows` whose value is ≥ `row`. */
function firstAtOrAfter(rows: Int32Array, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
