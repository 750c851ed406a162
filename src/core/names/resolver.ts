/**
 * Names for connection records, learned from the stream itself.
 *
 * A record is one of three kinds, told apart by its columns:
 * - a DNS answer (DnsQuery and DnsAnswers, from Zeek dns.log): every answer
 *   that is an address is learned under the name the client asked for (not
 *   the CNAME targets in between: the client meant the name it queried),
 *   with its TTL; the record passes on unchanged (its address is the DNS
 *   server's);
 * - a record that carries its destination's name (Zeek ssl/http, Squid,
 *   PAN-OS URL): the name is learned for its address with `observedTtlSeconds`,
 *   the registrable domain is added when missing, nothing else changes;
 * - a connection: its destination address is looked up at the record's
 *   event time and it gets the name, the registrable domain, and, when
 *   several names are valid for the address, all of them.
 *
 * Several names on one address (CDNs, shared hosting): the record carries
 * the name this source was answered most recently before the record, else
 * the latest answer to anyone before it — the name a client connects to
 * is, almost always, the one it just resolved — and the full list in the
 * `names` column, so a reader sees the ambiguity.
 */
import { LogRecord } from '../common/records';
import { EventTime, readEventTime } from '../common/time';
import { isAddressLiteral, urlHost } from '../parse/host';
import { connectionKey, DEFAULT_KEY_OPTIONS, KeyOptions, queryKey } from './keys';
import { DEFAULT_NAME_TABLE_OPTIONS, NameTable, NameTableOptions } from './name-table';

export interface ResolverFields {
  time: string;
  source: string;
  address: string;
  /** where the name is read from and written to */
  name: string;
  /** all valid names when there are several */
  names: string;
  domain: string;
  /** a URL whose host names the destination when the name column is empty (PAN-OS CEF `request`), or null */
  url: string | null;
  /** the destination key written when keys by name are on (keys.ts) */
  key: string;
}

export const WIRE_DATA_NAME_FIELDS: ResolverFields = {
  time: 'TimeGenerated',
  source: 'LocalIP',
  address: 'RemoteIP',
  name: 'RemoteHostName',
  names: 'RemoteHostNames',
  domain: 'RemoteDomain',
  url: null,
  key: 'RemoteKey',
};
export const CSL_NAME_FIELDS: ResolverFields = {
  time: 'TimeGenerated',
  source: 'SourceIP',
  address: 'DestinationIP',
  name: 'DestinationHostName',
  names: 'DestinationHostNames',
  domain: 'DestinationDomain',
  url: 'RequestURL',
  key: 'DestinationKey',
};

export interface ResolverOptions extends NameTableOptions {
  /** the columns; 'auto' takes WireData's when the record has RemoteIP, else CommonSecurityLog's */
  fields: ResolverFields | 'auto';
  /** how long a name seen on a connection (SNI, Host, proxy) stands for its address */
  observedTtlSeconds: number;
  /** longer TTLs are cut to this: a week-long TTL should not pin a name the address may have lost */
  maxTtlSeconds: number;
  /** keys by name (keys.ts); off by default */
  keys?: KeyOptions;
}

export const DEFAULT_RESOLVER_OPTIONS: ResolverOptions = {
  ...DEFAULT_NAME_TABLE_OPTIONS,
  fields: 'auto',
  observedTtlSeconds: 3600,
  maxTtlSeconds: 86400,
};

/**
 * What a record was: a DNS answer learned from; with keys on, a DNS query
 * keyed by its domain (to score) or a Zeek ssl/http row that only taught
 * (conn.log carries the same connection, keyed); a named record; a
 * connection annotated or not found; a record with no time or address.
 */
export type Observation = 'answer' | 'query' | 'taught' | 'named' | 'annotated' | 'unknown' | 'skipped';

/** Whether the resolver sends the record on to be scored (output 1) rather than with what it only learned from. */
export const isScored = (o: Observation): boolean => o !== 'answer' && o !== 'taught';

const time: EventTime = { sec: 0, ticks: 0 };

export class NameResolver {
  readonly table: NameTable;
  readonly counts = { answer: 0, query: 0, taught: 0, named: 0, annotated: 0, unknown: 0, skipped: 0 };
  private readonly keys: KeyOptions;
  private readonly domainOf = (name: string) => this.table.domainOf(name);

  constructor(readonly options: ResolverOptions = DEFAULT_RESOLVER_OPTIONS) {
    this.table = new NameTable(options);
    this.keys = options.keys ?? DEFAULT_KEY_OPTIONS;
  }

  /** Learns from or annotates one record (in place); says which it did. */
  observe(r: LogRecord): Observation {
    const f = this.options.fields === 'auto' ? ('RemoteIP' in r || 'DnsQuery' in r ? WIRE_DATA_NAME_FIELDS : CSL_NAME_FIELDS) : this.options.fields;
    if (!readEventTime(r[f.time], time)) return this.count('skipped');
    const ms = time.sec * 1000 + Math.floor(time.ticks / 10000);
    const source = typeof r[f.source] === 'string' ? (r[f.source] as string) : null;
    const query = r.DnsQuery;
    if (typeof query === 'string') {
      const answers = r.DnsAnswers;
      if (!Array.isArray(answers)) return this.keyQuery(r, f, query, source);
      const ttls = Array.isArray(r.DnsTTLs) ? r.DnsTTLs : [];
      for (let i = 0; i < answers.length; i++) {
        const answer = answers[i];
        if (typeof answer !== 'string' || !isAddressLiteral(answer)) continue;
        const ttl = typeof ttls[i] === 'number' && Number.isFinite(ttls[i]) ? (ttls[i] as number) : this.options.observedTtlSeconds;
        this.table.learn(answer.toLowerCase(), query, Math.min(ttl, this.options.maxTtlSeconds), ms, source);
      }
      return this.keyQuery(r, f, query, source);
    }
    const address = r[f.address];
    let written = r[f.name];
    if ((typeof written !== 'string' || written === '') && f.url !== null && typeof r[f.url] === 'string') {
      const host = urlHost(r[f.url] as string).host;
      if (host !== '' && !isAddressLiteral(host)) r[f.name] = written = host;
    }
    if (typeof written === 'string' && written !== '') {
      const name = written.toLowerCase();
      if (typeof address === 'string' && address !== '' && isAddressLiteral(address) && !isAddressLiteral(name)) {
        this.table.learn(address.toLowerCase(), name, this.options.observedTtlSeconds, ms, source);
      }
      if (r[f.domain] === undefined) {
        const domain = this.table.domainOf(name);
        if (domain !== null) r[f.domain] = domain;
      }
      if (this.keys.mode === 'off') return this.count('named');
      const domain = r[f.domain];
      r[f.key] = connectionKey(this.keys, name, typeof domain === 'string' ? domain : null, address);
      // a Zeek ssl or http row names a connection conn.log also carries: counted once, there
      return this.count('TlsServerName' in r || 'HttpHost' in r ? 'taught' : 'named');
    }
    if (typeof address !== 'string' || address === '') return this.count('skipped');
    const hit = this.table.lookup(address.toLowerCase(), ms, source);
    if (this.keys.mode !== 'off') {
      const key = connectionKey(this.keys, hit?.name ?? null, hit?.domain ?? null, address);
      if (key !== null) r[f.key] = key;
    }
    if (!hit) return this.count('unknown');
    r[f.name] = hit.name;
    if (hit.domain !== null) r[f.domain] = hit.domain;
    if (hit.all !== null) r[f.names] = hit.all;
    return this.count('annotated');
  }

  /** A DNS record: with keys on, keyed by the domain it asks for and scored; else (or excluded) only learned from. */
  private keyQuery(r: LogRecord, f: ResolverFields, query: string, source: string | null): Observation {
    if (this.keys.mode === 'off') return this.count('answer');
    const key = queryKey(this.keys, query, source, this.domainOf);
    if (key === null) return this.count('answer');
    r[f.key] = key;
    return this.count('query');
  }

  reset(): void {
    this.table.clear();
  }

  snapshot(): unknown {
    return this.table.snapshot();
  }

  restore(saved: unknown): void {
    this.table.restore(saved);
  }

  private count(kind: Observation): Observation {
    this.counts[kind]++;
    return kind;
  }
}
