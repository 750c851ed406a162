import { createHash } from 'crypto';
import { isRecord, LogRecord, RecordError } from '../common/records';
import { quietByTotal, scoreRow, ScoredRow, ScorerOptions } from './scorer';
import { bandUpper } from './stats';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';

/**
 * The scorer's side of early verdicts (the histogram's side is
 * histogram/window-completeness): an early row's verdict is certain when it
 * is the same whatever the pending delta turns out to be: none (or
 * filtered), one more count of a delta already there, or a new delta value.
 */

/** What an early row says about its cell's alert. */
export type Certainty = 'alert' | 'quiet' | 'uncertain';

/**
 * Whether an early histogram row's verdict is certain. Nothing pending: the
 * row is the whole cell. One pending delta: the kql method tries every
 * outcome that matters (none; one more of the most frequent delta; a new
 * value; each with one more connection when connections are counted); the
 * window method has a proven lower bound only (the band share cannot fall
 * below `best / (total + 1)`), so a certain alert, and a certain quiet
 * only when even one more event misses the TotalEvents threshold; the stats
 * method waits (a single interval moves quartiles, MAD and the size and
 * duration parts: no bound proven); so does periodic (its bands).
 */
export function certainty(row: LogRecord, options: ScorerOptions, title?: string): { certainty: Certainty; scored: ScoredRow | null } {
  // most early rows are small cells of ordinary traffic: one more delta cannot reach TotalEvents (and no strobe class)
  const total = typeof row.TotalEvents === 'number' ? row.TotalEvents : Infinity;
  if (options.minTotalEvents != null && options.strobePerHour == null && total + 1 <= options.minTotalEvents) return { certainty: 'quiet', scored: null };
  const scored = scoreRow(row, options, title);
  const verdict: Certainty = scored.alert ? 'alert' : 'quiet';
  if (row.PendingDeltas === 0) return { certainty: verdict, scored };
  const method = options.method ?? 'kql';
  if (method !== 'kql' && method !== 'window') return { certainty: 'uncertain', scored }; // stats, periodic: no bound proven
  const counts = row.DeltaCounts as Record<string, number>;
  const withConnections = typeof row.Connections === 'number';
  const variant = (deltaText: string | null, connections: number): boolean => {
    const next: LogRecord = { ...row, DeltaCounts: { ...counts } };
    if (deltaText !== null) {
      (next.DeltaCounts as Record<string, number>)[deltaText] = (counts[deltaText] ?? 0) + 1;
      next.TotalEvents = (row.TotalEvents as number) + 1;
    }
    if (withConnections) next.Connections = (row.Connections as number) + connections;
    return scoreRow(next, options, title).alert;
  };
  const far = String(farDelta(counts, options));
  // the pending event filtered (under the minimum delta, a skipped port) or absent, with or without its connection
  const outcomes = [scored.alert, variant(null, 1), variant(far, 1)];
  if (method === 'kql') {
    const mode = scored.row.MostFrequentTimeDeltainSeconds;
    if (mode !== null && mode !== undefined) outcomes.push(variant(String(mode), 1));
    return { certainty: outcomes.every((a) => a === outcomes[0]) ? verdict : 'uncertain', scored };
  }
  // window: a far value is the worst case for an alert (every band keeps its count, the total grows)
  if (outcomes.every(Boolean)) return { certainty: 'alert', scored };
  const quietForSure = !scored.alert && options.minTotalEvents !== null && total + 1 <= options.minTotalEvents && !outcomes.some(Boolean);
  return { certainty: quietForSure ? 'quiet' : 'uncertain', scored };
}

/** A delta value beyond the reach of every jitter band around the ones present (a new value that joins none). */
function farDelta(counts: Record<string, number>, options: ScorerOptions): number {
  const max = Math.max(0, ...Object.keys(counts).map(Number).filter(Number.isFinite));
  const reach = bandUpper(max, options.windowSeconds ?? 0, options.windowPercent ?? 0);
  return Math.ceil(2 * reach) + 1;
}

/** A (window, group) cell's identity in histogram and scorer rows. */
export function cellKey(row: LogRecord): string {
  const groups = Array.isArray(row.GroupFields) ? (row.GroupFields as string[]) : [];
  return JSON.stringify([row.TimeGenerated, row.BinSeconds ?? null, row.HopSeconds ?? null, groups, groups.map((f) => row[f] ?? null)]);
}

/**
 * An alert's stable identity: the scorer (its node id) and the cell (window
 * start and size, group fields and values). Early and final rows of a cell,
 * a restart and a replay of the same events give the same id, so a SIEM or
 * a chat bot can drop a repeat.
 */
export function alertId(rule: string, row: LogRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([rule, cellKey(row)]))
    .digest('hex')
    .slice(0, 20);
}

/** An early alert already sent, kept until its cell's final row. */
interface Notice {
  /** the alert gate's reason when it held the alert back */
  suppressed: string | null;
  /** what the gate wrote on the early row, copied onto the final one */
  patternSince?: unknown;
  patternHours?: unknown;
}

/**
 * The early alerts waiting for their cell's final row, by cell key, counted
 * per window: most final rows belong to a window without an early alert and
 * skip making their cell key (a JSON text per row).
 */
class NoticeBook {
  private readonly byCell = new Map<string, Notice>();
  private readonly perWindow = new Map<string, number>();

  get size(): number {
    return this.byCell.size;
  }

  /** Whether a notice may exist for the row's cell (false: certainly none). */
  mayHold(row: LogRecord): boolean {
    const window = row.TimeGenerated;
    return this.byCell.size > 0 && (typeof window !== 'string' || this.perWindow.has(window));
  }

  get(key: string): Notice | undefined {
    return this.byCell.get(key);
  }

  has(key: string): boolean {
    return this.byCell.has(key);
  }

  set(key: string, notice: Notice): void {
    if (!this.byCell.has(key)) this.countWindow(key, 1);
    this.byCell.set(key, notice);
  }

  delete(key: string): void {
    if (this.byCell.delete(key)) this.countWindow(key, -1);
  }

  /** The notice kept longest (the first to forget under the cap). */
  oldestKey(): string | undefined {
    return this.byCell.keys().next().value;
  }

  entries(): Array<[string, Notice]> {
    return [...this.byCell];
  }

  clear(): void {
    this.byCell.clear();
    this.perWindow.clear();
  }

  private countWindow(key: string, change: number): void {
    let window: unknown;
    try {
      window = (JSON.parse(key) as unknown[])[0]; // cellKey's first part
    } catch {
      return; // not a cell key (damaged saved state): no final row can match it
    }
    if (typeof window !== 'string') return;
    const n = (this.perWindow.get(window) ?? 0) + change;
    if (n > 0) this.perWindow.set(window, n);
    else this.perWindow.delete(window);
  }
}

export interface Decision {
  result: ScoredRow;
  /** the alert gate's reason, or null */
  suppressed: string | null;
  /** the first alert of its cell (hand-offs to e-mail and chat notify on it) */
  notify: boolean;
  /** the first alert of its cell since the last reset, notified or not (a replay's alerts still count) */
  first: boolean;
}

export interface EarlyAlertsState {
  notices: Array<[string, Notice]>;
  counts: EarlyAlerts['counts'];
  /** the AlertIds a person was notified of (absent in state saved before they existed) */
  notified?: string[];
}

/**
 * The scorer's side of early verdicts: scores early rows for certainty,
 * remembers the cells alerted early so their final row is not notified
 * again (nor passed through the alert gate twice), and counts what it saw.
 * Rows without `Final` (certainty off) pass as before, each alert notified.
 */
export class EarlyAlerts {
  private readonly notices = new NoticeBook();
  /**
   * The cells notified, by AlertId, oldest first. A reset does not forget
   * them: replaying the same events after a reset finds the same cells,
   * and a person told once is not told again.
   */
  private readonly notified = new Set<string>();
  readonly counts = { early: 0, earlyAlerts: 0, waiting: 0, contradicted: 0 };

  /** `rule`: the scorer's identity in AlertIds (its node id) */
  constructor(
    private readonly maxRemembered = 100_000,
    private readonly rule = '',
  ) {}

  /**
   * The decision on one row, or null for an early row that sends nothing
   * (uncertain, certainly quiet, or its cell already alerted). `gate` is
   * asked once per alerting cell.
   */
  decide(input: unknown, options: ScorerOptions, title: string, gate: (row: LogRecord) => string | null): Decision | null {
    if (!isRecord(input)) throw new RecordError('row', input, 'is not an object');
    if (input.Final === false) return this.early(input, options, title, gate);
    const result = scoreRow(input, options, title);
    if (result.alert) result.row.AlertId = alertId(this.rule, input);
    const key = input.Final === true && this.notices.mayHold(input) ? cellKey(input) : null;
    const notice = key !== null ? this.notices.get(key) : undefined;
    if (key !== null) this.notices.delete(key);
    if (notice && !result.alert) this.counts.contradicted++; // arrival disorder beyond lateness + certain after
    if (notice && result.alert) {
      if (notice.patternSince !== undefined) Object.assign(result.row, { PatternSince: notice.patternSince, PatternHours: notice.patternHours });
      return { result, suppressed: notice.suppressed, notify: false, first: false };
    }
    const suppressed = result.alert ? gate(result.row) : null;
    return { result, suppressed, notify: result.alert && !suppressed && this.firstNotice(result.row.AlertId as string), first: result.alert && !suppressed };
  }

  /** Whether the cell is notified now: false when it was before (the ledger survives resets), else remembered. */
  private firstNotice(id: string): boolean {
    if (this.notified.has(id)) return false;
    this.notified.add(id);
    while (this.notified.size > this.maxRemembered) this.notified.delete(this.notified.values().next().value as string);
    return true;
  }

  /**
   * Whether `decide` would find the row a miss (below threshold) that leaves
   * nothing to remember: a final or plain row under the TotalEvents
   * threshold with no early alert of its cell waiting for it. Known without
   * scoring, so a scorer nobody reads the misses of makes no row for it.
   * Throws what `decide` would for a malformed row.
   */
  quietWithoutScoring(input: unknown, options: ScorerOptions): boolean {
    if (!isRecord(input) || input.Final === false) return false;
    if (input.Final === true && this.notices.mayHold(input) && this.notices.has(cellKey(input))) return false;
    return quietByTotal(input, options);
  }

  /** Forgets the cells waiting for their final row and the counts; not which cells were notified. */
  reset(): void {
    this.notices.clear();
    Object.assign(this.counts, { early: 0, earlyAlerts: 0, waiting: 0, contradicted: 0 });
  }

  snapshot(): Snapshot<EarlyAlertsState> {
    return makeSnapshot('early-alerts', {}, { notices: this.notices.entries(), counts: this.counts, notified: [...this.notified] });
  }

  restore(saved: unknown): void {
    this.reset();
    const state = openSnapshot<EarlyAlertsState>(saved, 'early-alerts', {});
    if (state instanceof Error) throw state;
    for (const [key, notice] of state.notices) this.notices.set(key, notice);
    Object.assign(this.counts, state.counts);
    this.notified.clear();
    for (const id of state.notified ?? []) if (typeof id === 'string') this.notified.add(id);
  }

  private early(input: LogRecord, options: ScorerOptions, title: string, gate: (row: LogRecord) => string | null): Decision | null {
    this.counts.early++;
    const { certainty: verdict, scored } = certainty(input, options, title);
    if (verdict !== 'alert' || !scored) {
      if (verdict === 'uncertain') this.counts.waiting++;
      return null;
    }
    const key = cellKey(input);
    if (this.notices.has(key)) return null; // alerted on an earlier early row
    this.counts.earlyAlerts++;
    scored.row.AlertId = alertId(this.rule, input);
    const suppressed = gate(scored.row);
    const notice: Notice = { suppressed };
    if (scored.row.PatternSince !== undefined) Object.assign(notice, { patternSince: scored.row.PatternSince, patternHours: scored.row.PatternHours });
    this.notices.set(key, notice);
    while (this.notices.size > this.maxRemembered) this.notices.delete(this.notices.oldestKey() as string);
    return { result: scored, suppressed, notify: !suppressed && this.firstNotice(scored.row.AlertId as string), first: !suppressed };
  }
}
