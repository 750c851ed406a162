import { CidrSet } from '../common/address';
import { LogRecord } from '../common/records';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { isoFromSeconds, parseEventTime } from '../common/time';

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

/** Parses allow-list text: one rule per line (`dst CIDR…`, `src CIDR…`, `port N`, `pair SRC DST`), `#` starts the reason. */
export function parseAllowList(text: unknown): AllowRule[] {
  const rules: AllowRule[] = [];
  for (const raw of String(text ?? '').split(/\r?\n/)) {
    const hash = raw.indexOf('#');
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (!body) continue;
    const reason = hash < 0 ? body : raw.slice(hash + 1).trim() || body;
    const [kind, ...args] = body.split(/\s+/);
    if (kind === 'dst' || kind === 'src') {
      if (args.length === 0) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs at least one address or CIDR`);
      rules.push({ kind, cidrs: new CidrSet(args), reason });
    } else if (kind === 'port') {
      const port = Number(args[0]);
      if (args.length !== 1 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs one port number`);
      rules.push({ kind, port, reason });
    } else if (kind === 'pair') {
      if (args.length !== 2) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs a source and a destination`);
      rules.push({ kind, src: args[0], dst: args[1], reason });
    } else {
      throw new Error(`allow-list rule "${body.slice(0, 60)}" must start with dst, src, port or pair`);
    }
  }
  return rules;
}

interface PairState {
  /** bin start of the first alert of the current streak (epoch seconds) */
  first: number;
  /** bin start of the latest alert, reported or not */
  last: number;
  /** bin start of the latest reported alert */
  reported: number;
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
  private readonly pairs = new Map<string, PairState>();
  private readonly sourcesByDestination = new Map<string, Set<string>>();
  readonly counts = { passed: 0, allowListed: 0, prevalent: 0, repeats: 0 };

  constructor(readonly options: GateOptions) {}

  /**
   * Decides on one alert row (in bin order per pair). A reported row gets
   * PatternSince (first bin of the streak) and PatternHours; a streak
   * continues while alerts come at most two bins apart.
   */
  check(row: LogRecord, window: { binSeconds?: unknown; hopSeconds?: unknown } = {}): GateVerdict {
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
        return { suppressed: `allow-list: ${rule.reason}` };
      }
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
    const key = `${String(src)}\u0000${String(dst)}\u0000${String(port)}`;
    const prev = this.pairs.get(key);
    // a streak goes on while alerts come at most two windows apart; the re-arm clock runs across streaks
    const state: PairState =
      prev && bin.sec - prev.last <= 2 * step ? { ...prev, last: bin.sec } : { first: bin.sec, last: bin.sec, reported: prev?.reported ?? -Infinity };
    this.pairs.delete(key);
    this.pairs.set(key, state);
    this.trim(this.pairs);
    row.PatternSince = isoFromSeconds(state.first);
    row.PatternHours = Math.round(((bin.sec + binSeconds - state.first) / 3600) * 10) / 10;
    if (o.rearmSeconds > 0 && bin.sec - state.reported < o.rearmSeconds) {
      this.counts.repeats++;
      return { suppressed: `repeat: pair reported ${Math.round((bin.sec - state.reported) / 360) / 10} h ago (re-arms after ${o.rearmSeconds / 3600} h)` };
    }
    state.reported = bin.sec;
    this.counts.passed++;
    return { suppressed: null };
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

  restore(saved: unknown): void {
    this.reset();
    const state = openSnapshot<GateState>(saved, 'alert-gate', this.stateSettings());
    if (state instanceof Error) throw state;
    for (const [k, v] of state.pairs) this.pairs.set(k, { ...v, reported: v.reported ?? -Infinity });
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
