/**
 * The evaluation's hard suite: 72 hours of a network with the
 * evasions real implants use, among traffic that fools other detectors.
 * Seeded, so every run sees the same records. Every class has its own
 * address block, so the table can count per class.
 */
import { LogRecord } from '../core/common/records';
import { BeaconSpec, DEFAULT_OPTIONS, generateRecords } from '../tools/traffic-generator';

/** A pair and what it is: a beacon (of a class), a benign or popular service, a random poller, an inbound scanner. */
export interface Expected {
  pair: string;
  kind: 'beacon' | 'strobe' | 'benign' | 'inbound' | 'random' | 'popular';
  note: string;
  /** the beacon's class in the hard suite */
  cls?: string;
}

export interface Dataset {
  name: string;
  wiredata: LogRecord[];
  /** the networks that are "ours" here (the hunt's direction check) */
  internal: string;
  expected: Expected[];
  /** a pair → label map (Stratosphere labels), for naming what other alerts hit */
  labels?: Map<string, string>;
  /** the site's DNS servers (their queries are not a client's) */
  dnsServers?: string;
  /** records with names (dns, ssl): only the profiles keyed by name read its expected pairs */
  names?: boolean;
}

export const pairOf = (src: unknown, dst: unknown, port: unknown) => `${String(src)} → ${String(dst)}:${String(port)}`;

const MONDAY = Date.UTC(2024, 4, 6) / 1000;
const HOURS = 72;
const DMZ_SERVER = '81.2.69.161';

type Spec = BeaconSpec & { note: string; kind: Expected['kind']; cls?: string; expectedDst?: string };

/** The beacon classes: each its members as [period in seconds, how it differs from a plain beacon, note]. */
const BEACON_CLASSES: Array<[string, Array<[number, Partial<Spec>, string]>]> = [
  [
    'dropped 30 %',
    [
      [60, { jitter: 0.1, dropShare: 0.3 }, '60 s, 10 % jitter, 30 % dropped'],
      [300, { jitter: 0.2, dropShare: 0.3 }, '300 s, 20 % jitter, 30 % dropped'],
      [900, { jitter: 0.1, jitterMode: 'symmetric', dropShare: 0.3 }, '900 s ±10 %, 30 % dropped'],
    ],
  ],
  [
    'dropped 50 %',
    [
      [60, { jitter: 0.1, dropShare: 0.5 }, '60 s, 10 % jitter, 50 % dropped'],
      [300, { jitter: 0.2, dropShare: 0.5 }, '300 s, 20 % jitter, 50 % dropped'],
      [900, { jitter: 0.1, jitterMode: 'symmetric', dropShare: 0.5 }, '900 s ±10 %, 50 % dropped'],
    ],
  ],
  [
    'working hours',
    [
      [60, { jitter: 0.2, workingHours: [9, 17] }, '60 s, 20 % jitter, 09-17 h weekdays'],
      [300, { jitter: 0.1, workingHours: [9, 17] }, '300 s, 10 % jitter, 09-17 h weekdays'],
      [900, { workingHours: [9, 17] }, '900 s, 09-17 h weekdays'],
    ],
  ],
  [
    'long sleeps',
    [
      [7200, { jitter: 0.1 }, '2 h, 10 % jitter, 3 days'],
      [14400, { jitter: 0.1 }, '4 h, 10 % jitter, 3 days'],
      [21600, { jitter: 0.1 }, '6 h, 10 % jitter, 3 days'],
    ],
  ],
  [
    '/24 rotation',
    [
      [300, { jitter: 0.1 }, '300 s, 10 % jitter, 8 addresses of one /24'],
      [60, { jitter: 0.2 }, '60 s, 20 % jitter, 8 addresses of one /24'],
    ],
  ],
  [
    'upward absolute jitter',
    [
      [30, { jitterSeconds: 10 }, '30 s + U[0, 10) s'],
      [60, { jitterSeconds: 30 }, '60 s + U[0, 30) s'],
      [300, { jitterSeconds: 120 }, '300 s + U[0, 120) s'],
    ],
  ],
  [
    'one-sided jitter to 80 %',
    [
      [60, { jitter: 0.8 }, '60 s, 80 % one-sided'],
      [300, { jitter: 0.65 }, '300 s, 65 % one-sided'],
      [900, { jitter: 0.8 }, '900 s, 80 % one-sided'],
    ],
  ],
  [
    'alternating retries',
    [
      [10, { alternate: [9, 14], durationSeconds: 6 * 3600 }, '9 s / 14 s retries for 6 h'],
      [60, { alternate: [60, 90] }, '60 s / 90 s'],
      [300, { alternate: [300, 600] }, '300 s / 600 s'],
    ],
  ],
  [
    'shared destination',
    [
      [300, { jitter: 0.05 }, '300 s, 5 % jitter, plus random traffic (mean 600 s)'],
      [60, { jitter: 0.05 }, '60 s, 5 % jitter, plus random traffic (mean 300 s)'],
    ],
  ],
];

/** The beacons of every class, and the random traffic on the shared-destination ones. */
function beaconSpecs(): Spec[] {
  const specs: Spec[] = [];
  const counters = new Map<string, number>();
  /** a beacon of a class: source 10.<class>.<n>.10, destination in its own /24 */
  const beacon = (cls: string, classIndex: number, periodSeconds: number, over: Partial<Spec>, note: string) => {
    const n = (counters.get(cls) ?? 0) + 1;
    counters.set(cls, n);
    specs.push({
      src: `10.${100 + classIndex}.${n}.10`,
      dst: `45.${100 + classIndex}.${n}.20`,
      port: 443,
      periodSeconds,
      jitter: 0,
      jitterMode: 'one-sided',
      startOffsetSeconds: 37 * n,
      durationSeconds: HOURS * 3600,
      sentBytes: 400 + n,
      receivedBytes: 1500,
      note,
      kind: 'beacon',
      cls,
      ...over,
    });
  };
  BEACON_CLASSES.forEach(([cls, members], i) => {
    for (const [period, over, note] of members) beacon(cls, i, period, over, note);
  });
  for (const s of specs) {
    if (s.cls === '/24 rotation') {
      const net = s.dst.split('.').slice(0, 3).join('.');
      s.rotate = [20, 21, 33, 47, 58, 101, 140, 201].map((h) => `${net}.${h}`);
      s.expectedDst = `${net}.0/24`;
    }
  }
  // random traffic on the shared-destination beacons' pairs
  for (const s of specs.filter((x) => x.cls === 'shared destination')) {
    specs.push({
      ...s,
      periodSeconds: s.periodSeconds === 300 ? 600 : 300,
      poisson: true,
      sentBytes: s.sentBytes,
      startOffsetSeconds: 11,
      kind: 'beacon',
      note: 'random part',
      cls: 'shared (random part)',
    });
  }
  return specs;
}

/** Random (Poisson) pollers with a constant request size, at several mean rates: RITA scores them 0.73-0.85. */
function randomPollers(): Spec[] {
  const specs: Spec[] = [];
  [30, 60, 120, 300, 600, 1800].forEach((mean, i) => {
    for (let k = 1; k <= 4; k++) {
      specs.push({
        src: `10.150.${i}.${k}`,
        dst: `46.${10 + i}.${k}.9`,
        port: 443,
        periodSeconds: mean,
        jitter: 0,
        jitterMode: 'one-sided',
        poisson: true,
        startOffsetSeconds: 0,
        durationSeconds: HOURS * 3600,
        sentBytes: 512,
        receivedBytes: 2048,
        note: `random polling, mean ${mean} s, constant size`,
        kind: 'random',
      });
    }
  });
  return specs;
}

/** Three popular services polled by 40 hosts each (update checks, telemetry): periodic, benign by prevalence. */
function popularServices(): Spec[] {
  const specs: Spec[] = [];
  for (const [i, period] of [300, 900, 3600].entries()) {
    for (let h = 0; h < 40; h++) {
      specs.push({
        src: `10.160.${i}.${10 + h}`,
        dst: `52.${20 + i}.7.7`,
        port: 443,
        periodSeconds: period,
        jitter: 0.05,
        jitterMode: 'symmetric',
        startOffsetSeconds: 23 * h,
        durationSeconds: HOURS * 3600,
        sentBytes: 700,
        receivedBytes: 3000,
        note: `service polled by 40 hosts every ${period} s`,
        kind: 'popular',
      });
    }
  }
  return specs;
}

/** Inbound: a scanner and an SSH brute-forcer hitting our public server. */
function inboundSpecs(): Spec[] {
  const specs: Spec[] = [];
  specs.push({
    src: '120.245.134.197',
    dst: DMZ_SERVER,
    port: 30003,
    periodSeconds: 26,
    jitter: 0,
    jitterMode: 'symmetric',
    startOffsetSeconds: 3600,
    durationSeconds: 6 * 3600,
    sentBytes: 60,
    receivedBytes: 0,
    note: 'inbound scanner every 26 s',
    kind: 'inbound',
  });
  specs.push({
    src: '218.92.0.112',
    dst: DMZ_SERVER,
    port: 22,
    periodSeconds: 90,
    jitter: 0.3,
    jitterMode: 'symmetric',
    startOffsetSeconds: 0,
    durationSeconds: HOURS * 3600,
    sentBytes: 2100,
    receivedBytes: 2600,
    note: 'inbound SSH brute force every ~90 s',
    kind: 'inbound',
  });
  return specs;
}

export function hardSuite(): Dataset {
  const specs: Spec[] = [...beaconSpecs(), ...randomPollers(), ...popularServices(), ...inboundSpecs()];
  const base = {
    ...DEFAULT_OPTIONS,
    seed: 1212,
    schema: 'wiredata' as const,
    startSeconds: MONDAY,
    hours: HOURS,
    quirks: false,
    quantizeSeconds: 0,
    disorderSeconds: 0,
    subSecondShare: 0.3,
  };
  // 60 browsing hosts
  const wiredata = generateRecords({ ...base, beacons: specs, noiseHosts: 60, noisePerHour: 8, ntp: false, internal: true }) as LogRecord[];
  const expected: Expected[] = [];
  const seen = new Set<string>();
  for (const s of specs) {
    const pair = pairOf(s.src, s.expectedDst ?? s.dst, s.port);
    if (seen.has(pair)) continue;
    seen.add(pair);
    expected.push({ pair, kind: s.kind, note: s.note, cls: s.cls });
  }
  return { name: `hard (seed 1212, ${HOURS} h)`, wiredata, internal: `10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, ${DMZ_SERVER}/32`, expected };
}
