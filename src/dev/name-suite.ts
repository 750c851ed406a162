/**
 * The evaluation's names suite: 72 hours of Zeek conn, dns and ssl logs (JSON
 * lines, merged in time order, read by the package's parser) from a seeded
 * network, for the hunt keyed by name:
 *
 * - C2 behind rotating addresses: each DNS answer (TTL 60 s) gives another
 *   address, from 9 or more unrelated networks (two of them a CDN's, shared
 *   with browsing), under one name; a /24 key never sees the whole beacon;
 * - DNS beacons: a query every 120 s (600 s) for a fresh random subdomain of
 *   one domain, answered NXDOMAIN, forwarded upstream by the site's resolver
 *   (whose own queries must not count);
 * - benign services the benign pack names (Windows telemetry and update,
 *   ESET, Dropbox), periodic from one host each: they alert unless allowed;
 * - a name polled by 12 hosts (more than the prevalence limit): a service;
 * - every periodic service's DNS look-ups (when its TTL runs out): keyed by
 *   domain, a C2's are a beacon, a listed service's allowed by its entry;
 * - browsing: 30 hosts visiting 150 names on 60 domains at random, some of
 *   them on shared CDN addresses, each visit resolved (TTLs) then connected.
 *
 * Every expected pair is keyed as the hunt by name keys it: (source, host
 * name or, for DNS queries, registrable domain, port).
 */
import { LogRecord } from '../core/common/records';
import { registrableDomain } from '../core/names/domain';
import { DEFAULT_PARSER_OPTIONS, LogParser } from '../core/parse/parser';
import { Dataset, Expected, pairOf } from './hard-suite';
import { random } from './name-lines';

const START = Date.UTC(2024, 4, 13) / 1000;
const RESOLVER = '10.1.0.2';
const UPSTREAM = '9.9.9.9';

/** A CDN's addresses, shared by many names (browsing and one C2 alike). */
const CDN = ['104.16.85.20', '104.16.86.20', '104.16.87.20', '104.16.88.20'];
/** unrelated networks (different /16s, owners and countries), two of them the CDN's */
const ROTATION_A = ['45.77.12.5', '185.199.110.3', '34.120.55.6', '151.101.1.9', '23.45.6.7', '52.84.3.3', '95.216.4.4', '139.59.8.8', CDN[0], CDN[2]];
const ROTATION_B = ['66.42.7.7', '207.148.9.9', '5.161.2.2', '37.187.3.3', '80.240.1.1', '149.28.6.6', '178.128.5.5', '13.248.7.7', '3.33.1.1'];
/** the /24s the two rotating C2s answer from, together */
export const ROTATING_NETWORKS = new Set([...ROTATION_A, ...ROTATION_B].map((a) => a.split('.').slice(0, 3).join('.'))).size;

interface Service {
  src: string[];
  name: string;
  port: number;
  period: number;
  /** one-sided share of the period added at random */
  jitter: number;
  addresses: string[];
  ttl: number;
  kind: Expected['kind'];
  cls?: string;
  note: string;
}

/** The suite's size: 72 h and 30 browsing hosts for the evaluation; smaller for a live run. */
export interface NamesSuiteSize {
  hours: number;
  browsers: number;
}

export function namesSuite(seed = 2323, size: NamesSuiteSize = { hours: 72, browsers: 30 }): Dataset & { lines: string[] } {
  const HOURS = size.hours;
  const END = START + HOURS * 3600;
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const events: Array<[number, string]> = [];
  let uid = 0;
  const id = () => `C${(++uid).toString(36).padStart(8, '0')}`;
  const emit = (ts: number, o: Record<string, unknown>) => events.push([ts, JSON.stringify({ ts: Number(ts.toFixed(6)), uid: id(), ...o })]);
  const conn = (ts: number, src: string, dst: string, port: number, sent: number, received: number) =>
    emit(ts, {
      'id.orig_h': src,
      'id.orig_p': 1024 + Math.floor(rnd() * 60000),
      'id.resp_h': dst,
      'id.resp_p': port,
      proto: 'tcp',
      service: port === 443 ? 'ssl' : '-',
      duration: 0.2 + rnd(),
      orig_bytes: sent,
      resp_bytes: received,
      conn_state: 'SF',
    });
  const dns = (ts: number, src: string, server: string, query: string, answers: string[], ttl: number) =>
    emit(ts, {
      'id.orig_h': src,
      'id.orig_p': 1024 + Math.floor(rnd() * 60000),
      'id.resp_h': server,
      'id.resp_p': 53,
      proto: 'udp',
      trans_id: Math.floor(rnd() * 65535),
      query,
      qclass: 1,
      qclass_name: 'C_INTERNET',
      qtype: 1,
      qtype_name: 'A',
      rcode: answers.length ? 0 : 3,
      rcode_name: answers.length ? 'NOERROR' : 'NXDOMAIN',
      RD: true,
      RA: true,
      ...(answers.length ? { answers, TTLs: answers.map(() => ttl) } : {}),
    });
  const ssl = (ts: number, src: string, dst: string, port: number, sni: string) =>
    emit(ts, {
      'id.orig_h': src,
      'id.orig_p': 1024 + Math.floor(rnd() * 60000),
      'id.resp_h': dst,
      'id.resp_p': port,
      version: 'TLSv13',
      server_name: sni,
      established: true,
    });

  // a client resolves a name when its cached answer has expired, then connects (conn.log, and ssl.log with the SNI)
  const cache = new Map<string, { address: string; until: number }>();
  const visit = (ts: number, src: string, name: string, addresses: string[], ttl: number, port: number, sent: number) => {
    const key = `${src} ${name}`;
    let held = cache.get(key);
    if (!held || held.until <= ts) {
      held = { address: addresses.length > 1 ? pick(addresses) : addresses[0], until: ts + ttl };
      cache.set(key, held);
      dns(ts - 0.03 - rnd() * 0.02, src, RESOLVER, name, [held.address], ttl);
    }
    conn(ts, src, held.address, port, sent, 1500 + Math.floor(rnd() * 3000));
    if (port === 443) ssl(ts + 0.01, src, held.address, port, name);
  };

  const services: Service[] = [
    {
      src: ['10.200.1.10'],
      name: 'api.rotor-c2.net',
      port: 443,
      period: 300,
      jitter: 0.1,
      addresses: ROTATION_A,
      ttl: 60,
      kind: 'beacon',
      cls: 'rotating addresses',
      note: '300 s + 10 %, a new address from 10 networks at each answer (TTL 60 s)',
    },
    {
      src: ['10.200.1.11'],
      name: 'cdn.update-check-c2.com',
      port: 443,
      period: 900,
      jitter: 0.2,
      addresses: ROTATION_B,
      ttl: 60,
      kind: 'beacon',
      cls: 'rotating addresses',
      note: '900 s + 20 %, 9 networks',
    },
    {
      src: ['10.210.0.5'],
      name: 'v10.events.data.microsoft.com',
      port: 443,
      period: 900,
      jitter: 0.05,
      addresses: ['20.42.65.90', '20.189.173.1', '13.69.109.130'],
      ttl: 300,
      kind: 'benign',
      note: 'Windows diagnostic data every 900 s (benign pack: *.events.data.microsoft.com)',
    },
    {
      src: ['10.210.0.6'],
      name: 'edf.eset.com',
      port: 8883,
      period: 300,
      jitter: 0.01,
      addresses: ['91.228.167.133'],
      ttl: 3600,
      kind: 'benign',
      note: 'ESET push every 300 s on 8883 (benign pack: *.eset.com)',
    },
    {
      src: ['10.210.0.7'],
      name: 'client.dropbox.com',
      port: 443,
      period: 960,
      jitter: 0.02,
      addresses: ['162.125.19.131', '162.125.19.132'],
      ttl: 600,
      kind: 'benign',
      note: 'Dropbox sync every 960 s (benign pack: *.dropbox.com)',
    },
    {
      src: ['10.210.0.8'],
      name: 'slscr.update.microsoft.com',
      port: 443,
      period: 1800,
      jitter: 0.05,
      addresses: ['20.12.23.50', '52.152.110.14'],
      ttl: 300,
      kind: 'benign',
      note: 'Windows Update scan every 1800 s (benign pack: *.update.microsoft.com)',
    },
    {
      src: Array.from({ length: 12 }, (_, i) => `10.220.0.${10 + i}`),
      name: 'telemetry.saas-popular.com',
      port: 443,
      period: 600,
      jitter: 0.05,
      addresses: CDN,
      ttl: 300,
      kind: 'popular',
      note: 'a name polled every 600 s by 12 hosts (prevalence limit 5)',
    },
  ];
  for (const s of services) {
    s.src.forEach((src, i) => {
      let t = START + 41 * (i + 1) + rnd() * 60;
      while (t < END) {
        visit(t, src, s.name, s.addresses, s.ttl, s.port, 400 + Math.floor(rnd() * 40));
        t += s.period * (1 + s.jitter * rnd());
      }
    });
  }

  // DNS beacons: a fresh random subdomain per query, NXDOMAIN, forwarded upstream by the site's resolver
  const dnsBeacons: Array<[string, string, number, number, string]> = [
    ['10.200.2.10', 'dnsbeacon-c2.org', 120, 0.2, 'a query every 120 s ± 20 %, a fresh random subdomain each time'],
    ['10.200.2.11', 'tunnel-c2.info', 600, 0.1, 'a query every 600 s + 10 %, fresh random subdomains'],
  ];
  for (const [src, domain, period, jitter, note] of dnsBeacons) {
    let t = START + 77 + rnd() * 60;
    while (t < END) {
      const sub = `${Math.floor(rnd() * 2 ** 32)
        .toString(16)
        .padStart(8, '0')}${Math.floor(rnd() * 2 ** 20).toString(36)}`;
      const query = `${sub}.t.${domain}`;
      dns(t, src, RESOLVER, query, [], 0);
      dns(t + 0.002, RESOLVER, UPSTREAM, query, [], 0);
      t += period * (1 + jitter * (2 * rnd() - 1));
    }
    services.push({ src: [src], name: domain, port: 53, period, jitter, addresses: [], ttl: 0, kind: 'beacon', cls: 'DNS, unique subdomains', note });
  }

  // browsing: 150 names on 60 domains, a third of them on the shared CDN addresses
  const words = ['www', 'api', 'static', 'img', 'login', 'cdn', 'app', 'edge', 'mail', 'assets'];
  const sites = Array.from(
    { length: 60 },
    (_, i) => `site${i}-${pick(['news', 'shop', 'docs', 'media', 'cloud'])}.${pick(['com', 'net', 'org', 'io', 'co.uk'])}`,
  );
  const names = Array.from({ length: 150 }, (_, i) => {
    const name = `${words[i % words.length]}.${sites[i % sites.length]}`;
    const addresses = i % 3 === 0 ? CDN : [`${31 + (i % 60)}.${(i * 7) % 250}.${(i * 13) % 250}.${10 + (i % 200)}`];
    return { name, addresses, ttl: pick([60, 300, 300, 3600]) };
  });
  const browsers = Array.from({ length: size.browsers }, (_, i) => `10.230.0.${10 + i}`);
  for (const src of [...browsers, '10.200.1.10', '10.200.1.11', '10.200.2.10']) {
    let t = START + rnd() * 600;
    while (t < END) {
      const site = pick(names);
      visit(t, src, site.name, site.addresses, site.ttl, 443, 300 + Math.floor(rnd() * 2000));
      // Poisson visits, mean 3 min
      t += -Math.log(1 - rnd()) * 180;
    }
  }

  events.sort((a, b) => a[0] - b[0]);
  const lines = events.map((e) => e[1]);
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS, format: 'zeek-json' });
  const wiredata: LogRecord[] = [];
  for (const line of lines) {
    const r = parser.parseLine(line);
    if (r.kind === 'record') wiredata.push(r.record);
  }
  const expected: Expected[] = [];
  for (const s of services) {
    for (const src of s.src) {
      expected.push({ pair: pairOf(src, s.name, s.port), kind: s.kind, note: s.note, cls: s.cls });
      // its look-ups: periodic too, keyed by domain (a C2's are a finding of their own, a service's are its owner's)
      if (s.port !== 53)
        expected.push({
          pair: pairOf(src, registrableDomain(s.name), 53),
          kind: s.kind,
          note: `its DNS look-ups (TTL ${s.ttl} s)`,
          cls: s.kind === 'beacon' ? 'DNS look-ups of a rotating C2' : undefined,
        });
    }
  }
  // the site's resolver forwards the DNS beacons' queries: its own look-ups are not a client's
  for (const [, domain] of dnsBeacons)
    expected.push({ pair: pairOf(RESOLVER, domain, 53), kind: 'benign', note: "the site's resolver forwarding a DNS beacon's queries (not a client)" });
  return {
    name: `names (seed ${seed}, ${HOURS} h, conn + dns + ssl)`,
    wiredata,
    lines,
    internal: '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16',
    expected,
    dnsServers: RESOLVER,
    names: true,
  };
}
