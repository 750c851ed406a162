/**
 * Allow-list entries by name, for the services whose addresses cannot be
 * listed (update, telemetry and agent back-ends in shared cloud space):
 *
 *   name *.windowsupdate.com          # the domain and every name under it
 *   name time.windows.com             # this name only
 *   domain eset.com                   # the same as name *.eset.com
 *   pair 10.20.0.0/16 *.veeam.com     # these sources to these names only
 *
 * A wildcard `*.x` matches x itself and any name ending in `.x`, compared by
 * whole labels: `*.windowsupdate.com` never matches `evilwindowsupdate.com`.
 * Only a leading `*.` is a wildcard, and not over a public suffix (`*.com`,
 * `*.azurewebsites.net`: anyone can hold a name there); names compare in
 * lower case without a trailing dot. Lines of the address kinds the alert gate reads (dst, src,
 * port, and pair with two addresses) are left to parseAllowList, so one
 * text can hold both: splitAllowListText separates them.
 *
 * The gate asks `match(source, name)` with the alert's source and the
 * destination's name as the resolver chose it. Only that name is tested,
 * not every name an address carries: a C2 on a CDN address shared with an
 * update service must not pass because of its neighbour.
 */
import { CidrSet } from '../common/address';
import { registrableDomain } from '../names/domain';
import { allowListLines } from './alert-gate';

export interface NamePattern {
  /** the name, or the domain after `*.` */
  name: string;
  wildcard: boolean;
}

export interface NameAllowEntry {
  kind: 'name' | 'pair';
  pattern: NamePattern;
  /** pair: the sources it applies to */
  sources?: CidrSet;
  /** the entry as written (without its comment) */
  text: string;
  /** the comment after #, or the entry itself */
  reason: string;
  /** where the entry came from, e.g. the benign pack's source URL */
  source?: string;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower case without a trailing dot. */
export function normaliseName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Reads `*.example.com` or `host.example.com`; throws on other wildcards or text that is not a host name. */
export function parseNamePattern(text: string): NamePattern {
  const t = normaliseName(text);
  const wildcard = t.startsWith('*.');
  const name = wildcard ? t.slice(2) : t;
  const labels = name.split('.');
  if (name === '' || name.length > 253 || !labels.every((l) => LABEL.test(l))) {
    throw new Error(`"${text.slice(0, 80)}" is not a host name or *.domain (a wildcard only as the first label)`);
  }
  // *.com, *.co.uk, *.azurewebsites.net: anyone can hold a name under a public suffix, a C2 too
  if (wildcard && registrableDomain(name) === null) throw new Error(`"${text.slice(0, 80)}": ${name} is a public suffix, anyone can register names under it`);
  return { name, wildcard };
}

/** Whether the name matches the pattern: equal, or (wildcard) ending in "." + the domain. */
export function matchesName(pattern: NamePattern, name: string): boolean {
  const n = normaliseName(name);
  if (n === pattern.name) return true;
  return pattern.wildcard && n.length > pattern.name.length && n.endsWith(pattern.name) && n.charCodeAt(n.length - pattern.name.length - 1) === 46;
}

const looksLikeAddress = (s: string) => /^[0-9.]+(\/\d+)?$/.test(s) || s.includes(':');

/** Whether a line is one of the name kinds (name, domain, or pair whose destination is a name). */
function isNameLine(body: string): boolean {
  const [kind, ...args] = body.split(/\s+/);
  return kind === 'name' || kind === 'domain' || (kind === 'pair' && args.length === 2 && !looksLikeAddress(args[1]));
}

/** Splits allow-list text into the lines parseAllowList reads (addresses, ports) and those parseNameAllowList reads. */
export function splitAllowListText(text: unknown): { addressLines: string; nameLines: string } {
  const address: string[] = [];
  const names: string[] = [];
  for (const raw of String(text ?? '').split(/\r?\n/)) {
    const hash = raw.indexOf('#');
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    (body !== '' && isNameLine(body) ? names : address).push(raw);
  }
  return { addressLines: address.join('\n'), nameLines: names.join('\n') };
}

/** Parses the name kinds: `name PATTERN…`, `domain DOMAIN…`, `pair CIDR[,CIDR…] PATTERN`; `#` starts the reason. */
export function parseNameAllowList(text: unknown): NameAllowEntry[] {
  const entries: NameAllowEntry[] = [];
  for (const { kind, args, body, reason } of allowListLines(text)) {
    if (kind === 'name' || kind === 'domain') {
      if (args.length === 0) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs at least one name`);
      for (const arg of args) {
        const pattern = kind === 'domain' ? parseNamePattern(arg.startsWith('*.') ? arg : `*.${arg}`) : parseNamePattern(arg);
        entries.push({ kind: 'name', pattern, text: `name ${pattern.wildcard ? '*.' : ''}${pattern.name}`, reason });
      }
    } else if (kind === 'pair') {
      if (args.length !== 2) throw new Error(`allow-list rule "${body.slice(0, 60)}" needs a source (address or CIDR) and a name`);
      entries.push({ kind: 'pair', pattern: parseNamePattern(args[1]), sources: new CidrSet(args[0].split(',')), text: body, reason });
    } else {
      throw new Error(`allow-list rule "${body.slice(0, 60)}" must start with name, domain or pair`);
    }
  }
  return entries;
}

/**
 * Entries compiled for matching: exact names and wildcard domains in sets
 * (a name is checked against each of its label suffixes, so the cost is the
 * number of labels, whatever the list's length); pairs in order.
 */
export class NameAllowList {
  private readonly exact = new Map<string, NameAllowEntry>();
  private readonly wildcard = new Map<string, NameAllowEntry>();
  private readonly pairs: NameAllowEntry[] = [];
  /** registrable domain → the first entry under it (for DNS queries, keyed by domain) */
  private readonly domains = new Map<string, NameAllowEntry>();

  constructor(readonly entries: readonly NameAllowEntry[]) {
    for (const e of entries) {
      const domain = registrableDomain(e.pattern.name);
      if (domain !== null && !this.domains.has(domain)) this.domains.set(domain, e);
      if (e.kind === 'pair') this.pairs.push(e);
      else {
        const map = e.pattern.wildcard ? this.wildcard : this.exact;
        // the first entry for a pattern is the one reported
        if (!map.has(e.pattern.name)) map.set(e.pattern.name, e);
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** The entry that allows this source → name, or null. */
  match(source: unknown, name: unknown): NameAllowEntry | null {
    if (typeof name !== 'string' || name === '') return null;
    const n = normaliseName(name);
    const exact = this.exact.get(n) ?? this.wildcard.get(n);
    if (exact) return exact;
    for (let dot = n.indexOf('.'); dot >= 0; dot = n.indexOf('.', dot + 1)) {
      const hit = this.wildcard.get(n.slice(dot + 1));
      if (hit) return hit;
    }
    for (const pair of this.pairs) if (pair.sources!.contains(source) && matchesName(pair.pattern, n)) return pair;
    return null;
  }

  /**
   * The entry that allows DNS queries keyed by this registrable domain: any
   * entry for a name in it. Only the domain's owner answers its queries, so
   * a DNS channel needs the domain: the look-ups a listed service makes
   * (v10.events.data.microsoft.com, keyed microsoft.com) are its owner's.
   */
  matchQueries(source: unknown, domain: unknown): NameAllowEntry | null {
    if (typeof domain !== 'string' || domain === '') return null;
    const hit = this.domains.get(normaliseName(domain));
    if (!hit) return null;
    if (hit.kind === 'pair' && !hit.sources!.contains(source))
      return this.pairs.find((p) => registrableDomain(p.pattern.name) === domain && p.sources!.contains(source)) ?? null;
    return hit;
  }
}
