import { LogRecord, RecordError } from '../common/records';
import { AlertGate } from './alert-gate';
import { EarlyAlerts } from './early-alerts';
import { ScorerOptions } from './scorer';

/** What one batch of histogram rows gave: alerts, the rows below threshold (or held back), and bad rows. */
export interface ScoredBatch {
  hits: LogRecord[];
  misses: LogRecord[];
  errors: RecordError[];
  /** one-line summaries of the alerts, in order */
  summaries: string[];
}

/**
 * The scorer stage: each histogram row scored, held back by the alert gate
 * when one is set (allow-list, prevalence, repeats), and, for early rows,
 * sent only once its verdict is certain; counted, and saved and restored
 * as one state.
 */
export class ScorerStage {
  readonly counts = { scored: 0, alerts: 0, suppressed: 0 };
  /** early (certain) verdicts and the cells already notified (a ledger a reset keeps) */
  readonly early: EarlyAlerts;

  constructor(
    readonly options: ScorerOptions,
    /** null when no allow-list, prevalence limit or re-arm time is set (the Sentinel rules) */
    readonly gate: AlertGate | null,
    readonly title: string,
    /** the scorer's identity in AlertIds (its node id) */
    rule = '',
  ) {
    this.early = new EarlyAlerts(100_000, rule);
  }

  /**
   * Scores the rows. `missesRead`: whether anyone reads the rows below
   * threshold; when not, rows certainly below it are not even built.
   */
  score(rows: unknown[], missesRead: boolean): ScoredBatch {
    const out: ScoredBatch = { hits: [], misses: [], errors: [], summaries: [] };
    for (const input of rows) {
      try {
        if (!missesRead && this.early.quietWithoutScoring(input, this.options)) {
          this.counts.scored++;
          continue;
        }
        const window = input as { BinSeconds?: unknown; HopSeconds?: unknown; FirstSeen?: unknown; LastSeen?: unknown };
        const gate = (row: LogRecord) =>
          this.gate?.check(row, { binSeconds: window.BinSeconds, hopSeconds: window.HopSeconds, firstSeen: window.FirstSeen, lastSeen: window.LastSeen })
            .suppressed ?? null;
        // an early row sends nothing until its verdict is certain; a final row after an early alert is not notified again
        const decision = this.early.decide(input, this.options, this.title, gate);
        if (!decision) continue;
        const { result, suppressed } = decision;
        this.counts.scored++;
        // hand-offs route on it: an alert already notified (early, or before a reset) says so
        if (result.alert && (result.row.Final !== undefined || (!suppressed && !decision.notify))) result.row.Notify = decision.notify;
        if (suppressed) {
          // held back, not lost: with the rows below threshold, and the reason
          this.counts.suppressed++;
          result.row.Suppressed = suppressed;
          result.row.FailedThresholds = [];
          out.misses.push(result.row);
        } else if (result.alert) {
          if (decision.first) this.counts.alerts++; // alerted cells: a final row after an early alert is not counted again
          out.hits.push(result.row);
          out.summaries.push(result.summary);
        } else {
          result.row.FailedThresholds = result.failed;
          out.misses.push(result.row);
        }
      } catch (err) {
        out.errors.push(err instanceof RecordError ? err : new RecordError('row', input, String(err)));
      }
    }
    return out;
  }

  /** Forgets the counters, the gate's memory and the early verdicts; not which cells were notified. */
  reset(): void {
    for (const key of Object.keys(this.counts) as Array<keyof typeof this.counts>) this.counts[key] = 0;
    this.gate?.reset();
    this.early.reset();
  }

  /** The alert gate's pairs already reported, and the cells alerted early (so a restart does not notify twice). */
  snapshot(): unknown {
    return { format: 'netbeacon-scorer', gate: this.gate?.snapshot() ?? null, early: this.early.snapshot() };
  }

  restore(saved: unknown): void {
    if (!saved) return;
    const both = saved as { format?: unknown; gate?: unknown; early?: unknown };
    // state saved before early verdicts existed is the alert gate's alone
    if (both.format !== 'netbeacon-scorer') {
      if (this.gate) this.gate.restore(saved);
      return;
    }
    if (this.gate && both.gate) this.gate.restore(both.gate);
    if (both.early) this.early.restore(both.early);
  }
}
