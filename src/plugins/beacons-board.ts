/**
 * What the "Beacons" sidebar shows, kept by the runtime: the newest groups
 * scored by any deployed beacon-scorer, alerting or near the threshold, one
 * card per group (the scorer's group fields), showing the row of its
 * strongest bin (histogram included) and a short time line of events per
 * bin. Bounded: at most `maxGroups` groups (the least recently updated
 * go first), `maxBins` bins per time line, `maxDeltas` histogram bars. No
 * Node-RED here (the plugin wires it to the runtime), so it tests directly.
 */

import { AlertFacts, alertFacts } from '../core/alert/facts';
import { subjectOf } from '../core/alert/text';
import { groupFieldsOf } from '../core/scorer/scorer';

export type ScorerRow = Record<string, unknown>;

export interface BoardGroup {
  /** scorer id + group fields: one line in the sidebar */
  key: string;
  scorer: string;
  /** the group's fields (pair, port …) in the row's order, as text */
  fields: [string, string][];
  /** the strongest state of the group's bins: alert, then suppressed, then near */
  state: 'alert' | 'near' | 'suppressed';
  /** the bin whose row gave the state; the figures below are that row's */
  bin: string;
  period: number | null;
  share: number | null;
  score: number | null;
  events: number;
  firstSeen: string;
  lastSeen: string;
  suppressed: string;
  failed: string;
  /** early alerts (a bin still open) or final; null when the scorer does not say */
  final: boolean | null;
  /** the state row's AlertId, when it alerted */
  alertId: string;
  /** delta seconds → count, the largest counts */
  histogram: [number, number][];
  /** bin start → events, oldest first */
  timeline: [string, number][];
  /** update order, for "newest" */
  seq: number;
  /** the row that gave the state, in the one alert text (the e-mail subject, the console line) */
  summary: string;
  /** an allow-list line for the card: the entry that suppressed it, else `pair SOURCE DESTINATION` to copy into a list */
  entry: string;
}

type State = BoardGroup['state'];

/** What the board keeps of the latest row of one bin of a group. */
interface BinRow {
  state: State | null;
  events: number;
  figures: Pick<BoardGroup, 'period' | 'share' | 'score' | 'events' | 'suppressed' | 'failed' | 'final' | 'alertId' | 'histogram' | 'summary' | 'entry'>;
}

interface Tracked {
  key: string;
  scorer: string;
  fields: [string, string][];
  /** bin start → its latest row (early replaced by final in place), bounded to the newest bins */
  bins: Map<string, BinRow>;
  firstSeen: string;
  lastSeen: string;
  seq: number;
}

/**
 * Columns that are figures, not the group's identity: the fallback for a
 * row not in the scorer's column order (its group fields are read from that
 * order otherwise).
 */
const NOT_GROUP =
  /^(TimeGenerated|timestamp|MostFrequent|TotalEvents|Total\w+Bytes|BeaconPercent|Score|\w+Score|Median|AlertClass|ConnectionsPerHour|FailedThresholds|Suppressed|SuppressedBy|PatternSince|PatternHours|Final|AsOf|Notify|AlertId|DestinationSources|histogram|SubBinCounts|ByteCounts|PValue|Period\w*|\w+CustomEntity)/;

/** Which state wins when a group's bins disagree. */
const RANK: Record<State, number> = { alert: 3, suppressed: 2, near: 1 };

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return (typeof v === 'object' ? JSON.stringify(v) : String(v)).slice(0, 200);
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** How close a value must come to a failed threshold to count as near: 80 % of a minimum, 125 % of a maximum. */
const NEAR = 0.8;

/**
 * A below-threshold row is "near" when it failed one condition only, by a little (the scorer names
 * it as `Field > N`, `Field >= N` or `Field <= N`); an alert the gate suppressed is shown as such.
 */
function stateOf(row: ScorerRow, alertPort: boolean): State | null {
  if (row.Suppressed) return 'suppressed';
  if (alertPort) return 'alert';
  const failed = row.FailedThresholds;
  if (!Array.isArray(failed) || failed.length !== 1) return null;
  const m = /^(\w+)\s*(>=?|<=?)\s*(-?[\d.]+)$/.exec(String(failed[0]).trim());
  const value = m ? num(row[m[1]]) : null;
  if (!m || value === null) return null;
  const limit = Number(m[3]);
  return (m[2][0] === '>' ? value >= limit * NEAR : value <= limit / NEAR) ? 'near' : null;
}

/** `pair SOURCE DESTINATION` from the row's source and destination columns (as the alert text reads them), when both are plain values. */
function pairEntry({ source, destination }: AlertFacts): string {
  const plain = (v: string | null): v is string => v !== null && /^[\w.:/*-]+$/.test(v);
  return plain(source) && plain(destination) ? `pair ${source} ${destination}` : '';
}

/** The group's fields of a row: the scorer's group columns, else every column that is not a figure. */
function groupOf(row: ScorerRow): [string, string][] {
  const names = groupFieldsOf(row) ?? Object.keys(row).filter((k) => !NOT_GROUP.test(k));
  return names.slice(0, 8).map((k) => [k, text(row[k])]);
}

export class BeaconsBoard {
  private readonly groups = new Map<string, Tracked>();
  private seq = 0;

  constructor(
    readonly maxGroups = 200,
    readonly maxBins = 48,
    readonly maxDeltas = 60,
  ) {}

  /**
   * One row from a scorer's output (port 0: alerts, port 1: below threshold); true when the board
   * changed. A group is one card whatever its bins: a row replaces the earlier row of its own bin
   * (an early alert by its final row), and the card shows the bin with the strongest state.
   */
  offer(scorer: string, row: ScorerRow, alertPort: boolean): boolean {
    if (!row || typeof row !== 'object' || Array.isArray(row)) return false;
    const state = stateOf(row, alertPort);
    const fields = groupOf(row);
    const key = `${scorer}\u0000${fields.map(([k, v]) => `${k}=${v}`).join('\u0000')}`;
    const known = this.groups.get(key);
    if (!state && !known) return false;
    const bin = text(row.TimeGenerated);
    const events = num(row.TotalEvents) ?? 0;
    const group: Tracked = known || { key, scorer, fields, bins: new Map(), firstSeen: bin, lastSeen: bin, seq: 0 };
    const facts = alertFacts(row);
    group.bins.set(bin, {
      state,
      events,
      figures: {
        period: num(row.MostFrequentTimeDeltainSeconds) ?? num(row.MedianIntervalSeconds),
        share: num(row.BeaconPercent),
        score: num(row.Score),
        events,
        suppressed: text(row.Suppressed),
        failed: Array.isArray(row.FailedThresholds) ? row.FailedThresholds.map(text).join(', ') : text(row.FailedThresholds),
        final: typeof row.Final === 'boolean' ? row.Final : null,
        alertId: text(row.AlertId),
        histogram: histogramOf(row.histogram, this.maxDeltas),
        summary: subjectOf(facts),
        entry: row.SuppressedBy ? text(row.SuppressedBy) : pairEntry(facts),
      },
    });
    if (group.bins.size > this.maxBins) {
      const oldest = [...group.bins.keys()].sort().slice(0, group.bins.size - this.maxBins);
      for (const b of oldest) group.bins.delete(b);
    }
    if (bin && (!group.firstSeen || bin < group.firstSeen)) group.firstSeen = bin;
    if (bin && bin > group.lastSeen) group.lastSeen = bin;
    group.seq = ++this.seq;
    this.groups.delete(key);
    if (!strongest(group)) return known !== undefined; // its only stated bins turned quiet (an early alert contradicted)
    this.groups.set(key, group); // Map order = update order: the oldest first
    while (this.groups.size > this.maxGroups) this.groups.delete(this.groups.keys().next().value as string);
    return true;
  }

  /** Forgets one scorer's groups (it passed a reset on, or left the flows); all when none named. */
  clear(scorer?: string): boolean {
    const before = this.groups.size;
    for (const [key, g] of this.groups) if (scorer === undefined || g.scorer === scorer) this.groups.delete(key);
    return this.groups.size !== before;
  }

  scorers(): Set<string> {
    return new Set([...this.groups.values()].map((g) => g.scorer));
  }

  /** The groups, newest first. */
  list(): BoardGroup[] {
    const out: BoardGroup[] = [];
    for (const g of this.groups.values()) {
      const [bin, best] = strongest(g) as [string, BinRow];
      const timeline = [...g.bins].map(([b, r]) => [b, r.events] as [string, number]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.push({
        key: g.key,
        scorer: g.scorer,
        fields: g.fields,
        state: best.state as State,
        bin,
        ...best.figures,
        firstSeen: g.firstSeen,
        lastSeen: g.lastSeen,
        timeline,
        seq: g.seq,
      });
    }
    return out.reverse();
  }
}

/** The bin whose state wins (alert > suppressed > near; between equals the latest bin), or null when none has a state. */
function strongest(group: Tracked): [string, BinRow] | null {
  let best: [string, BinRow] | null = null;
  for (const [bin, r] of group.bins) {
    if (!r.state) continue;
    if (!best || RANK[r.state] > RANK[best[1].state as State] || (RANK[r.state] === RANK[best[1].state as State] && bin > best[0])) best = [bin, r];
  }
  return best;
}

/** The histogram's largest bars, by delta: `{delta: count}` or `[[delta, count]]`. */
function histogramOf(h: unknown, max: number): [number, number][] {
  const pairs: [number, number][] = [];
  const add = (d: unknown, c: unknown) => {
    const delta = num(d);
    const count = num(c);
    if (delta !== null && count !== null) pairs.push([delta, count]);
  };
  if (Array.isArray(h)) for (const p of h) add(Array.isArray(p) ? p[0] : null, Array.isArray(p) ? p[1] : null);
  else if (h && typeof h === 'object') for (const d of Object.keys(h)) add(d, (h as Record<string, unknown>)[d]);
  // the tallest `max` bars, then by delta (bars of one delta, tallest first, as the two stable sorts left them)
  if (pairs.length > max) pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]).length = max;
  return pairs.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
}
