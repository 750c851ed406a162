import { CidrSet } from '../common/address';
import { LogRecord } from '../common/records';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { isoFromSeconds, parseEventTime } from '../common/time';
import type { NameAllowList } from './name-allow-list';

/**
 * What stands between a scored candidate and an alert in the hunt profile:
 * an allow-list (known-benign destinations, sources, ports, pairs), a
 * prevalence limit (a destination many internal sources "beacon" to is a
 * service, not a C2), and repeat suppression (one alert per pair until it
 * re-arms, saying how long the pattern has lasted). Suppressed candidates
 * are not dropped: the caller sends them on with the reason.
 */
export interface AllowRule {
  kind: 'dst' | 'src' | 'port' | 'pair';
  cidrs?: CidrSet;
  port?: number;
  src?: string;
  dst?: string;
  /** the text after #, or the rule itself */
  reason: string;
  /** the rule as written, without its comment: what a suppressed row names (SuppressedBy) */
  text?: string;
}

export interface GateOptions {
  allow: AllowRule[];
  srcField: string;
  dstField: string;
  portField: string;
  /** suppress a destination once this many distinct sources alerted on it (0 = off) */
  maxSourcesPerDestination: number;
  /** an alert for a pair already reported is suppressed for this long (0 = every alert reported) */
  rearmSeconds: number;
  /** pairs and destinations remembered (least recently alerted forgotten first) */
  maxRemembered: number;
  /**
   * Entries by name (name, domain, pair of CIDR and name), the benign pack's
   * among them when it is on: tested against the destination when it is a
   * name (a key by name) and against the row's host name column, if any.
   */
  names?: NameAllowList | null;
}

/**
 * The default allow-list of the hunt example: services whose periodic
 * traffic is documented in RITA's and Flare's write-ups of prevalence (README: Hunt profile)
 * and whose address space belongs to the vendor alone. Cloud ranges shared
 * with customers (Azure, AWS, CDNs) are deliberately absent: C2 servers
 * live there too. Each line can be removed or extended.
 */
export const DEFAULT_ALLOW_LIST = [
  'port 123            # NTP: polls every 64-1024 s (ntpd/chrony), up to 2^15 s (w32time)',
  'dst 17.0.0.0/8      # Apple (its own /8): time.apple.com NTP and push keep-alives',
  'dst 91.228.164.0/22 # ESET anti-virus cloud (ESET AS50881): port 8883 about every 300 s',
  'dst 162.125.0.0/16  # Dropbox (AS19679): client sync polling about every 960 s',
].join('\n');

/** One line of allow-list text: its kind, arguments and reason (the text after `#`, else the rule itself). */
export interface AllowListLine {
  kind: string;
  args: string[];
  body: string;
  reason: string;
}

/** The rules of allow-list text, one per line, blank lines and comment-only lines skipped. */
export function* allowListLines(text: unknown): Generator<AllowListLine> {
  for (const raw of String(text ?? '').split(/\r?\n/)) {
    const hash = raw.indexOf('#');
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (!body) continue;
    const reason = hash < 0 ? body : raw.slice(hash + 1).trim() || body;
    const [kind, ...args] = body.split(/\s+/);
    yield { kind, args, body, reason };
  }
}

/** Parses allow-list text: one rule per line (`dst CIDR…`, `src CIDR…`, `port N`, `pair SRC DST`), `#` starts the reason. */
export function parseAllowList(text: unknown): AllowRule[] {
  const rules: AllowRule[] = [];
  for (const { kind, args, body, reason } of allowListLines(text)) {
    if (kind === 'dst' || kind === 'src') {
      if (args.length === 0) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs at least one address or CIDR`);
      rules.push({ kind, cidrs: new CidrSet(args), reason, text: body });
    } else if (kind === 'port') {
      const port = Number(args[0]);
      if (args.length !== 1 || !Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`allow-list rule "${body.slice(0, 60)}" needs one port number`);
      rules.push({ kind, port, reason, text: body });
    } else if (kind === 'pair') {
      if (args.length !== 2) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs a source and a destination`);
      rules.push({ kind, src: args[0], dst: args[1], reason, text: body });
    } else {
      throw new Error(`allow-list rule "${body.slice(0, 60)}" must start with dst, src, port or pair`);
    }
  }
  return rules;
}

interface PairState {
  /** first event of the current streak's alerting evidence (epoch seconds) */
  first: number;
  /** last event of the streak's latest alert, reported or not */
  last: number;
  /** last event of the latest reported alert's evidence */
  reported: number;
}

/**
 * The pairs alerted, by pair key: kept apart from the gate so that scorers
 * watching the same pairs (the hunt's windows and its hourly bursts) can
 * share it and notify a pair once per re-arm period between them.
 */
export type PairMemory = Map<string, PairState>;

/** What the gate reads besides the alert row: the window it summarises and the times of its events. */
export interface GateWindow {
  binSeconds?: unknown;
  hopSeconds?: unknown;
  /** the cell's first and last counted event (hunt histograms with sub-bins); else the window bounds stand in */
  firstSeen?: unknown;
  lastSeen?: unknown;
}

export interface GateVerdict {
  /** why the alert is held back, or null to send it */
  suppressed: string | null;
}

export interface GateState {
  pairs: Array<[string, PairState]>;
  destinations: Array<[string, string[]]>;
}

export class AlertGate {
  private readonly sourcesByDestination = new Map<string, Set<string>>();
  readonly counts = { passed: 0, allowListed: 0, prevalent: 0, repeats: 0 };

  constructor(
    readonly options: GateOptions,
    private readonly pairs: PairMemory = new Map(),
  ) {}

  /**
   * Decides on one alert row. Every clock here runs on the events the row
   * counted, not on its window: overlapping windows of the same traffic
   * are one piece of evidence. The row gets PatternSince (the first event
   * of the streak's alerts) and PatternHours (to the latest alert's last
   * event); a streak goes on while alerting events come at most two windows
   * apart; a pair is reported again once the evidence has moved on by the
   * re-arm time from the last report's, in either direction (rows of long
   * windows close after the short ones covering the same events).
   */
  check(row: LogRecord, window: GateWindow = {}): GateVerdict {
    const o = this.options;
    const src = row[o.srcField];
    const dst = row[o.dstField];
    const port = row[o.portField];
    for (const rule of o.allow) {
      const hit =
        (rule.kind === 'dst' && rule.cidrs!.contains(dst)) ||
        (rule.kind === 'src' && rule.cidrs!.contains(src)) ||
        (rule.kind === 'port' && Number(port) === rule.port && port !== null && port !== '') ||
        (rule.kind === 'pair' && String(src) === rule.src && String(dst) === rule.dst);
      if (hit) {
        this.counts.allowListed++;
        if (rule.text) row.SuppressedBy = rule.text;
        return { suppressed: `allow-list: ${rule.reason}` };
      }
    }
    const named = o.names ? this.nameEntry(o.names, src, dst, port, row) : null;
    if (named) {
      this.counts.allowListed++;
      row.SuppressedBy = named.text;
      return { suppressed: `allow-list: ${named.text}${named.reason === named.text ? '' : ` — ${named.reason}`}` };
    }
    if (o.maxSourcesPerDestination > 0 && typeof row.DestinationSources === 'number') {
      // decided over the window when it closed (histogram 'sources per destination'): the same for every source
      if (row.DestinationSources >= o.maxSourcesPerDestination) {
        this.counts.prevalent++;
        return { suppressed: `prevalent destination: ${row.DestinationSources} internal sources poll it in this window` };
      }
    } else if (o.maxSourcesPerDestination > 0) {
      const key = String(dst);
      let sources = this.sourcesByDestination.get(key);
      if (!sources) sources = new Set();
      this.sourcesByDestination.delete(key); // recency order
      this.sourcesByDestination.set(key, sources);
      sources.add(String(src));
      this.trim(this.sourcesByDestination);
      if (sources.size >= o.maxSourcesPerDestination) {
        this.counts.prevalent++;
        return { suppressed: `prevalent destination: ${sources.size} internal sources alert on it` };
      }
    }
    const bin = parseEventTime(row.TimeGenerated);
    // the window the row summarises (from the histogram row: the scorer's output keeps the rule's columns)
    const binSeconds = typeof window.binSeconds === 'number' ? window.binSeconds : typeof row.BinSeconds === 'number' ? row.BinSeconds : 3600;
    const hop = window.hopSeconds ?? row.HopSeconds;
    const step = typeof hop === 'number' && hop > 0 ? hop : binSeconds;
    if (!bin) {
      this.counts.passed++;
      return { suppressed: null };
    }
    const { first, last } = evidence(bin.sec, binSeconds, window);
    const key = `${String(src)}\u0000${String(dst)}\u0000${String(port)}`;
    const prev = this.pairs.get(key);
    const continues = prev !== undefined && first - prev.last <= 2 * step && prev.first - last <= 2 * step;
    const state: PairState = continues
      ? { first: Math.min(prev.first, first), last: Math.max(prev.last, last), reported: prev.reported }
      : { first, last, reported: prev?.reported ?? -Infinity };
    this.pairs.delete(key);
    this.pairs.set(key, state);
    this.trim(this.pairs);
    row.PatternSince = isoFromSeconds(state.first);
    row.PatternHours = Math.round(((state.last - state.first) / 3600) * 10) / 10;
    const since = Math.abs(last - state.reported);
    if (o.rearmSeconds > 0 && since < o.rearmSeconds) {
      this.counts.repeats++;
      return { suppressed: `repeat: pair reported ${Math.round(since / 360) / 10} h ago (re-arms after ${o.rearmSeconds / 3600} h)` };
    }
    state.reported = last;
    this.counts.passed++;
    return { suppressed: null };
  }

  /** The name entry that allows the row: its destination when that is a name (on port 53: DNS queries keyed by domain), else its host name column. */
  private nameEntry(names: NameAllowList, src: unknown, dst: unknown, port: unknown, row: LogRecord) {
    if (isName(dst)) {
      const hit = names.match(src, dst) ?? (Number(port) === 53 ? names.matchQueries(src, dst) : null);
      if (hit) return hit;
    }
    const host = row.RemoteHostName ?? row.DestinationHostName;
    return isName(host) && host !== dst ? names.match(src, host) : null;
  }

  reset(): void {
    this.pairs.clear();
    this.sourcesByDestination.clear();
  }

  snapshot(): Snapshot<GateState> {
    return makeSnapshot('alert-gate', this.stateSettings(), {
      pairs: [...this.pairs],
      destinations: [...this.sourcesByDestination].map(([d, s]) => [d, [...s]] as [string, string[]]),
    });
  }

  /** Loads a snapshot into a starting gate; pairs merge into what a sharing scorer restored already. */
  restore(saved: unknown): void {
    this.sourcesByDestination.clear();
    const state = openSnapshot<GateState>(saved, 'alert-gate', this.stateSettings());
    if (state instanceof Error) throw state;
    for (const [k, v] of state.pairs) {
      // a shared memory is restored by each scorer that shares it: the latest report wins
      const had = this.pairs.get(k);
      const reported = v.reported ?? -Infinity;
      if (!had || had.reported <= reported) this.pairs.set(k, { ...v, reported });
    }
    for (const [d, s] of state.destinations) this.sourcesByDestination.set(d, new Set(s));
  }

  private stateSettings(): unknown {
    const { srcField, dstField, portField } = this.options;
    return { srcField, dstField, portField };
  }

  private trim<V>(map: Map<string, V>): void {
    while (map.size > this.options.maxRemembered) map.delete(map.keys().next().value as string);
  }
}

/** A host name, not an address or a network (a key falls back to "45.61.1.0/24" when no name is known). */
function isName(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && !v.includes('/') && !v.includes(':') && !/^[0-9.]+$/.test(v);
}

/**
 * The event times a row stands for: its first and last counted event when
 * the histogram kept them, else its window (a short bin is its own bound).
 */
function evidence(start: number, binSeconds: number, window: GateWindow): { first: number; last: number } {
  const first = parseEventTime(window.firstSeen);
  const last = parseEventTime(window.lastSeen);
  if (first && last && first.sec <= last.sec) return { first: first.sec, last: last.sec };
  return { first: start, last: start + binSeconds };
}
