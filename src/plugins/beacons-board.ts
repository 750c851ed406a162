/**
 * What the "Beacons" sidebar shows, kept by the runtime: the newest groups
 * scored by any deployed beacon-scorer, alerting or near the threshold, each
 * with its latest row (histogram included) and a short time line of events
 * per bin. Bounded: at most `maxGroups` groups (the least recently updated
 * go first), `maxBins` bins per time line, `maxDeltas` histogram bars. No
 * Node-RED here (the plugin wires it to the runtime), so it tests directly.
 */

import { alertSubject } from '../core/alert/text';

export type ScorerRow = Record<string, unknown>;

export interface BoardGroup {
  /** scorer id + group fields: one line in the sidebar */
  key: string;
  scorer: string;
  /** the group's fields (pair, port …) in the row's order, as text */
  fields: [string, string][];
  state: 'alert' | 'near' | 'suppressed';
  /** the latest row's figures */
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
  /** delta seconds → count, the largest counts */
  histogram: [number, number][];
  /** bin start → events, oldest first */
  timeline: [string, number][];
  /** update order, for "newest" */
  seq: number;
  /** the latest row in the one alert text (e-mail subject, console) */
  summary: string;
}

/** Columns of a scorer row that are figures, not the group's identity (KQL column order puts the group first). */
const NOT_GROUP = /^(TimeGenerated|timestamp|MostFrequent|TotalEvents|Total\w+Bytes|BeaconPercent|Score|\w+Score|Median|AlertClass|ConnectionsPerHour|FailedThresholds|Suppressed|PatternSince|PatternHours|Final|histogram|SubBinCounts|ByteCounts|PValue|Period\w*|\w+CustomEntity)/;

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
function stateOf(row: ScorerRow, alertPort: boolean): BoardGroup['state'] | null {
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

export class BeaconsBoard {
  private readonly groups = new Map<string, BoardGroup>();
  private seq = 0;

  constructor(readonly maxGroups = 200, readonly maxBins = 48, readonly maxDeltas = 60) {}

  /** One row from a scorer's output (port 0: alerts, port 1: below threshold); true when the board changed. */
  offer(scorer: string, row: ScorerRow, alertPort: boolean): boolean {
    if (!row || typeof row !== 'object' || Array.isArray(row)) return false;
    const state = stateOf(row, alertPort);
    const fields: [string, string][] = Object.keys(row).filter((k) => !NOT_GROUP.test(k)).slice(0, 8).map((k) => [k, text(row[k])]);
    const key = `${scorer}\u0000${fields.map(([k, v]) => `${k}=${v}`).join('\u0000')}`;
    const known = this.groups.get(key);
    if (!state && !known) return false;
    const bin = text(row.TimeGenerated);
    const events = num(row.TotalEvents) ?? 0;
    const group: BoardGroup = known || {
      key, scorer, fields, state: 'near', period: null, share: null, score: null, events: 0,
      firstSeen: bin, lastSeen: bin, suppressed: '', failed: '', final: null, histogram: [], timeline: [], seq: 0, summary: '',
    };
    group.state = state || group.state;
    group.period = num(row.MostFrequentTimeDeltainSeconds) ?? num(row.MedianIntervalSeconds);
    group.share = num(row.BeaconPercent);
    group.score = num(row.Score);
    group.events = events;
    group.suppressed = text(row.Suppressed);
    group.failed = Array.isArray(row.FailedThresholds) ? row.FailedThresholds.map(text).join(', ') : text(row.FailedThresholds);
    group.final = typeof row.Final === 'boolean' ? row.Final : null;
    group.histogram = histogramOf(row.histogram, this.maxDeltas);
    group.summary = alertSubject(row);
    if (bin && (!group.firstSeen || bin < group.firstSeen)) group.firstSeen = bin;
    if (bin && bin > group.lastSeen) group.lastSeen = bin;
    const at = group.timeline.findIndex(([b]) => b === bin);
    if (at >= 0) group.timeline[at][1] = events;
    else group.timeline.push([bin, events]);
    group.timeline.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (group.timeline.length > this.maxBins) group.timeline.splice(0, group.timeline.length - this.maxBins);
    group.seq = ++this.seq;
    this.groups.delete(key);
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
    return [...this.groups.values()].reverse();
  }
}

/** The histogram's largest bars, by delta: `{delta: count}` or `[[delta, count]]`. */
function histogramOf(h: unknown, max: number): [number, number][] {
  let pairs: [number, number][] = [];
  if (Array.isArray(h)) pairs = h.map((p) => (Array.isArray(p) ? [num(p[0]), num(p[1])] : [null, null])).filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
  else if (h && typeof h === 'object') pairs = Object.entries(h).map(([d, c]) => [num(d), num(c)]).filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
  return pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, max).sort((a, b) => a[0] - b[0]);
}
