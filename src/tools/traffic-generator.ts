import { Random } from './random';

/**
 * A deterministic (seeded) generator of network traffic with known beacons,
 * rendered as WireData or CommonSecurityLog (Palo Alto TRAFFIC) records.
 * It feeds the tests, the bundled sample data and `npm start`.
 */

export type Schema = 'wiredata' | 'csl';
export type JitterMode = 'one-sided' | 'symmetric';

export interface BeaconSpec {
  src: string;
  dst: string;
  port: number;
  periodSeconds: number;
  /** 0 … 1: a fraction of the period */
  jitter: number;
  /** one-sided subtracts up to jitter × period (Cobalt Strike); symmetric adds ± */
  jitterMode: JitterMode;
  /** seconds after the scenario start */
  startOffsetSeconds: number;
  durationSeconds: number;
  sentBytes: number;
  receivedBytes: number;
  user?: string;
  /** hard cases (each consumes random numbers only when set, so older seeds give the same traffic) */
  /** share of callbacks dropped at random (the sleep still passes) */
  dropShare?: number;
  /** active only in these UTC hours [from, to) of weekdays */
  workingHours?: [number, number];
  /** seconds added to each sleep, uniform in [0, n) (Sliver's absolute jitter) */
  jitterSeconds?: number;
  /** sleeps taken in turn instead of periodSeconds (retry schedules) */
  alternate?: number[];
  /** each callback goes to one of these addresses at random (CDN rotation) */
  rotate?: string[];
  /** random (Poisson) arrivals with mean periodSeconds instead of a sleep */
  poisson?: boolean;
}

export interface TrafficOptions {
  seed: number;
  schema: Schema;
  /** epoch seconds of the first possible event */
  startSeconds: number;
  hours: number;
  beacons: BeaconSpec[];
  /** hosts browsing many public destinations */
  noiseHosts: number;
  /** mean connections per noise host per hour */
  noisePerHour: number;
  /** a host polling NTP (UDP 123) every 64 s */
  ntp: boolean;
  /** private-to-private traffic */
  internal: boolean;
  /** IPv6 remotes, invalid and missing addresses, port 0, missing ports */
  quirks: boolean;
  /** report times rounded down to this many seconds (WireData's ~15 s reports tie many rows); 0 = exact */
  quantizeSeconds: number;
  /** records arrive up to this many seconds after their event time (Zeek logs a connection at its end) */
  disorderSeconds: number;
  /** share of sub-second timestamps written with 7 fractional digits (else whole seconds) */
  subSecondShare: number;
}

/** One connection, schema-neutral. */
export interface Connection {
  t: number;
  src: string;
  srcPort: number | null;
  dst: string | null | undefined;
  dstPort: number | null;
  sent: number | null;
  received: number | null;
  proto: 'tcp' | 'udp';
  user: string;
  device: string;
  vendor: string;
  activity: string;
  subtype: string;
}

export const DEFAULT_OPTIONS: TrafficOptions = {
  seed: 1,
  schema: 'wiredata',
  startSeconds: Date.UTC(2024, 4, 8, 0, 0, 0) / 1000,
  hours: 4,
  beacons: [],
  noiseHosts: 5,
  noisePerHour: 40,
  ntp: true,
  internal: true,
  quirks: true,
  quantizeSeconds: 0,
  disorderSeconds: 0,
  subSecondShare: 0.5,
};

/** One generation: its options, its seeded random numbers, its end and the connections so far. */
interface Run {
  o: TrafficOptions;
  rnd: Random;
  /** epoch seconds past the last possible event */
  end: number;
  out: Connection[];
}

/**
 * A connection's common fields; the random ones are drawn in this order for
 * every connection, so a seed gives the same traffic.
 */
function baseConnection(rnd: Random, t: number, src: string): Connection {
  return {
    t,
    src,
    srcPort: rnd.int(1024, 65535),
    dst: null,
    dstPort: 443,
    sent: rnd.int(200, 4000),
    received: rnd.int(200, 90000),
    proto: 'tcp',
    user: rnd.pick(['', 'corp\\alice', 'corp\\bob']),
    device: rnd.pick(['PA-220', 'PA-VM']),
    vendor: 'Palo Alto Networks',
    activity: 'TRAFFIC',
    subtype: 'end',
  };
}

/** A beacon's callbacks, from its start to its end, each sleep jittered as its spec says. */
function addBeacon({ o, rnd, end, out }: Run, b: BeaconSpec): void {
  let t = o.startSeconds + b.startOffsetSeconds + rnd.next();
  const stop = Math.min(end, t + b.durationSeconds);
  const device = rnd.pick(['PA-220', 'PA-VM']);
  let turn = 0;
  while (t < stop) {
    if (!(b.dropShare && rnd.chance(b.dropShare)) && (!b.workingHours || inWorkingHours(t, b.workingHours))) {
      const c = baseConnection(rnd, t, b.src);
      Object.assign(c, { dst: b.rotate ? rnd.pick(b.rotate) : b.dst, dstPort: b.port, sent: b.sentBytes, received: b.receivedBytes, device });
      c.user = b.user ?? '';
      out.push(c);
    }
    if (b.poisson) {
      t += rnd.exponential(b.periodSeconds);
      continue;
    }
    const u = rnd.next();
    const factor = b.jitterMode === 'one-sided' ? 1 - b.jitter * u : 1 + b.jitter * (2 * u - 1);
    const sleep = b.alternate ? b.alternate[turn++ % b.alternate.length] : b.periodSeconds;
    t += Math.max(1, sleep * factor) + (b.jitterSeconds ? rnd.next() * b.jitterSeconds : 0);
  }
}

/** Hosts browsing many public destinations at random (Poisson) times. */
function addNoise({ o, rnd, end, out }: Run): void {
  for (let h = 0; h < o.noiseHosts; h++) {
    const src = `10.1.${h >> 8}.${(h & 255) + 10}`;
    let t = o.startSeconds + rnd.exponential(3600 / o.noisePerHour);
    while (t < end) {
      const c = baseConnection(rnd, t, src);
      c.dst = randomPublicIPv4(rnd);
      c.dstPort = rnd.pick([80, 443, 443, 443, 8080]);
      out.push(c);
      // bursts: a page load opens several connections within a second or two
      if (rnd.chance(0.3)) {
        for (let k = rnd.int(1, 4); k > 0; k--) {
          const b = baseConnection(rnd, t + rnd.next() * 2, src);
          b.dst = rnd.chance(0.5) ? c.dst : randomPublicIPv4(rnd);
          out.push(b);
        }
      }
      t += rnd.exponential(3600 / o.noisePerHour);
    }
  }
}

/** A host polling NTP every 64 s: perfectly periodic, and benign. */
function addNtp({ o, rnd, end, out }: Run): void {
  for (let t = o.startSeconds + rnd.int(0, 63); t < end; t += 64) {
    const c = baseConnection(rnd, t, '10.2.0.5');
    Object.assign(c, { dst: '17.253.4.125', dstPort: 123, proto: 'udp', sent: 48, received: 48 });
    out.push(c);
  }
}

/** Private-to-private traffic (DNS, SMB, LDAP). */
function addInternal({ o, rnd, end, out }: Run): void {
  for (let t = o.startSeconds + rnd.exponential(60); t < end; t += rnd.exponential(60)) {
    const c = baseConnection(rnd, t, `10.1.0.${rnd.int(10, 20)}`);
    c.dst = rnd.pick(['10.0.0.53', '192.168.1.20', '172.16.5.4', '172.31.255.1']);
    c.dstPort = rnd.pick([53, 445, 389]);
    out.push(c);
  }
}

/** The odd values a quirky record carries in place of the usual ones. */
const QUIRKS: ReadonlyArray<Partial<Connection>> = [
  { dst: '2606:4700:4700::1111' },
  { dst: 'fe80::1' },
  { dst: 'not-an-ip' },
  { dst: '' },
  { dst: undefined },
  { dst: '010.1.2.3' },
  { dst: '172.15.255.255' },
  { dst: '172.32.0.1' },
  { dst: '127.0.0.1' },
  { dst: '100.64.0.1' },
  { dst: '203.0.113.9/24' },
  { dstPort: 0 },
  { dstPort: null },
  { sent: null, received: null },
];

/** Records with odd addresses and ports, and records of another vendor or log type. */
function addQuirks({ o, rnd, out }: Run): void {
  const n = Math.max(4, Math.round(o.hours * 6));
  for (let i = 0; i < n; i++) {
    const c = baseConnection(rnd, o.startSeconds + rnd.next() * o.hours * 3600, `10.1.0.${rnd.int(10, 12)}`);
    c.dst = randomPublicIPv4(rnd);
    Object.assign(c, rnd.pick(QUIRKS));
    out.push(c);
  }
  // a second vendor and another log type, which the Palo Alto rule must ignore
  for (let i = 0; i < n; i++) {
    const c = baseConnection(rnd, o.startSeconds + rnd.next() * o.hours * 3600, '10.1.0.10');
    c.dst = randomPublicIPv4(rnd);
    if (rnd.chance(0.5)) c.vendor = 'Fortinet';
    else c.activity = 'THREAT';
    out.push(c);
  }
}

/** Times as the logs write them (rounded, or to the microsecond), in order, or in arrival order when records arrive late. */
function asLogged({ o, rnd, out }: Run): Connection[] {
  for (const c of out) {
    if (o.quantizeSeconds > 0) c.t = Math.floor(c.t / o.quantizeSeconds) * o.quantizeSeconds;
    else if (!rnd.chance(o.subSecondShare)) c.t = Math.floor(c.t);
    else c.t = Math.floor(c.t * 1e6) / 1e6;
  }
  out.sort((a, b) => a.t - b.t);
  if (o.disorderSeconds > 0) {
    const arrival = new Map(out.map((c) => [c, c.t + rnd.next() * o.disorderSeconds]));
    out.sort((a, b) => (arrival.get(a) as number) - (arrival.get(b) as number));
  }
  return out;
}

export function generateConnections(partial: Partial<TrafficOptions>): Connection[] {
  const o: TrafficOptions = { ...DEFAULT_OPTIONS, ...partial };
  const run: Run = { o, rnd: new Random(o.seed), end: o.startSeconds + o.hours * 3600, out: [] };
  // in this order: each part draws from the same random numbers
  for (const b of o.beacons) addBeacon(run, b);
  addNoise(run);
  if (o.ntp) addNtp(run);
  if (o.internal) addInternal(run);
  if (o.quirks) addQuirks(run);
  return asLogged(run);
}

/** Weekdays (UTC), from ≤ hour < to. */
function inWorkingHours(t: number, [from, to]: [number, number]): boolean {
  const d = new Date(t * 1000);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && hour >= from && hour < to;
}

function randomPublicIPv4(rnd: Random): string {
  for (;;) {
    const a = rnd.int(1, 223);
    if (a === 10 || a === 127 || a === 100 || a === 172 || a === 192 || a === 169) continue;
    return `${a}.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;
  }
}

/** ISO 8601 UTC with 7 fractional digits, as Sentinel exports datetimes. */
export function isoTicks(t: number): string {
  const total = Math.round(t * 1e6);
  const sec = Math.floor(total / 1e6);
  const micros = total - sec * 1e6;
  const whole = new Date(sec * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(micros).padStart(6, '0')}0Z`;
}

export function toWireData(c: Connection): Record<string, unknown> {
  const r: Record<string, unknown> = {
    TimeGenerated: isoTicks(c.t),
    Computer: `host-${c.src.split('.').slice(-1)[0]}`,
    LocalIP: c.src,
    LocalPortNumber: c.srcPort,
    RemoteIP: c.dst,
    RemotePortNumber: c.dstPort,
    SentBytes: c.sent,
    ReceivedBytes: c.received,
    Direction: 'Outbound',
    ProtocolName: c.proto.toUpperCase(),
    IPVersion: c.dst && c.dst.includes(':') ? 'IPv6' : 'IPv4',
  };
  return dropAbsent(r);
}

export function toCommonSecurityLog(c: Connection): Record<string, unknown> {
  const r: Record<string, unknown> = {
    TimeGenerated: isoTicks(c.t),
    DeviceVendor: c.vendor,
    DeviceProduct: c.vendor === 'Palo Alto Networks' ? 'PAN-OS' : 'FortiGate',
    DeviceEventClassID: c.subtype,
    Activity: c.activity,
    DeviceName: c.device,
    SourceUserID: c.user,
    SourceIP: c.src,
    SourcePort: c.srcPort,
    DestinationIP: c.dst,
    DestinationPort: c.dstPort,
    Protocol: c.proto,
    SentBytes: c.sent,
    ReceivedBytes: c.received,
  };
  return dropAbsent(r);
}

/** Absent values are left out, as a JSON export of a log would. */
function dropAbsent(r: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(r)) if (r[k] === null || r[k] === undefined) delete r[k];
  return r;
}

export function generateRecords(partial: Partial<TrafficOptions>): Record<string, unknown>[] {
  const schema = partial.schema ?? DEFAULT_OPTIONS.schema;
  const render = schema === 'csl' ? toCommonSecurityLog : toWireData;
  return generateConnections(partial).map(render);
}

/**
 * A random but reproducible scenario for property tests: beacons that the
 * rules catch and ones they miss, hour edges, ties, sub-second times,
 * several destinations per source, quirks.
 */
export function randomScenario(seed: number, schema: Schema): TrafficOptions {
  const rnd = new Random(seed * 7919 + 13);
  const hours = rnd.int(1, 3);
  // start a little before an hour boundary so beacons straddle it
  const startSeconds = DEFAULT_OPTIONS.startSeconds + rnd.int(0, 72) * 3600 - rnd.int(0, 1800);
  const beacons: BeaconSpec[] = [];
  const nBeacons = rnd.int(1, 4);
  for (let i = 0; i < nBeacons; i++) {
    // several beacons may share a source: per-source deltas then interleave
    const src = rnd.chance(0.3) && beacons.length > 0 ? beacons[0].src : `10.9.0.${10 + i}`;
    const dst = rnd.chance(0.15) && beacons.length > 0 ? beacons[0].dst : randomPublicIPv4(rnd);
    beacons.push({
      src,
      dst,
      port: rnd.chance(0.1) ? 0 : rnd.pick([443, 80, 8443, 53]),
      periodSeconds: rnd.pick([12, 20, 26, 30, 45, 60, 90, 120]),
      jitter: rnd.pick([0, 0, 0, 0.02, 0.1]),
      jitterMode: rnd.chance(0.5) ? 'one-sided' : 'symmetric',
      startOffsetSeconds: rnd.int(0, 1200),
      durationSeconds: rnd.int(900, hours * 3600),
      sentBytes: rnd.int(100, 2000),
      receivedBytes: rnd.int(100, 5000),
      user: rnd.pick(['', 'corp\\svc']),
    });
  }
  return {
    ...DEFAULT_OPTIONS,
    seed,
    schema,
    startSeconds,
    hours,
    beacons,
    noiseHosts: rnd.int(0, 3),
    noisePerHour: rnd.int(5, 60),
    ntp: rnd.chance(0.5),
    internal: rnd.chance(0.5),
    quirks: rnd.chance(0.7),
    quantizeSeconds: rnd.chance(0.25) ? rnd.pick([1, 5, 15]) : 0,
    disorderSeconds: 0,
    subSecondShare: rnd.next(),
  };
}

/** The sample that ships with the examples: a clear beacon among ordinary traffic. */
export function sampleScenario(schema: Schema): TrafficOptions {
  return {
    ...DEFAULT_OPTIONS,
    seed: 2024,
    schema,
    hours: 6,
    beacons: [
      {
        src: '10.0.0.4',
        dst: '52.239.1.10',
        port: 443,
        periodSeconds: 60,
        jitter: 0,
        jitterMode: 'one-sided',
        startOffsetSeconds: 300,
        durationSeconds: 5 * 3600,
        sentBytes: 512,
        receivedBytes: 1024,
        user: 'corp\\svc-backup',
      },
      {
        // jittered 20 %: the Sentinel rules miss it, the hunt example catches it (a routable address: the hunt's filter drops documentation ranges)
        src: '10.0.0.7',
        dst: '185.225.17.40',
        port: 8443,
        periodSeconds: 45,
        jitter: 0.2,
        jitterMode: 'one-sided',
        startOffsetSeconds: 0,
        durationSeconds: 6 * 3600,
        sentBytes: 300,
        receivedBytes: 200,
      },
    ],
    noiseHosts: 20,
    noisePerHour: 60,
    quantizeSeconds: 0,
  };
}
