import { DEFAULT_PERIODICITY, PeriodicityOptions, PeriodicityResult } from '../scorer/periodicity';

/** The pair history's settings, counters and verdicts, and the size codes of its rings. */

export interface PairHistoryOptions {
  /** the fields of a pair's key, e.g. LocalIP, RemoteNetwork, RemotePortNumber */
  keyFields: string[];
  timeField: string;
  /** a field of bytes per connection, kept log-quantised beside each interval; '' or null = not kept */
  bytesField?: string | null;
  /** intervals kept per pair (a power of two, 2 … 32,768) */
  ringSize: number;
  /** how far back in event time a pair's history reaches (seconds) */
  horizonSeconds: number;
  /** a cap on the store's bytes; null = none */
  maxBytes: number | null;
  /** connections in one UTC day at or above which a pair is a strobe (labelled, not scored) */
  strobePerDay: number;
  /** how often (event time, seconds) expired pairs and intervals are dropped */
  sweepSeconds: number;
  /**
   * expired rows, as a fraction of the rows, past which a sweep compacts
   * them away (default 1/8; 0: every sweep that expires a pair compacts).
   * Nothing observable depends on it, only the time a sweep takes.
   */
  compactDead?: number;
  /**
   * what an eviction pass leaves under a cap, as a fraction of it (default
   * 1/2; the hunt node takes 7/8): the store then sits between this and the
   * cap, and a pass frees only the difference, so a higher mark keeps the
   * process's memory near the cap and evicts less, in more passes. Which
   * pairs go first (and which never go) does not depend on it.
   */
  evictTo?: number;
}

export const DEFAULT_PAIR_HISTORY: PairHistoryOptions = {
  keyFields: ['LocalIP', 'RemoteNetwork', 'RemotePortNumber'],
  timeField: 'TimeGenerated',
  bytesField: null,
  ringSize: 256,
  horizonSeconds: 7 * 86400,
  maxBytes: null,
  strobePerDay: 86400,
  sweepSeconds: 3600,
};

/** The stored format of a pair history's state; older or newer formats are refused. */
export const PAIR_HISTORY_FORMAT = 1;

export interface PairCounters {
  /** events added */
  events: number;
  /** events older than the horizon behind the newest (dropped) */
  tooOld: number;
  /** events older than their pair's newest one (placed among its intervals) */
  late: number;
  /** intervals forgotten because a ring was full (the oldest go) */
  forgotten: number;
  /** pairs dropped because their last connection left the horizon */
  expired: number;
  /** pairs evicted under the byte cap: seen once, and seen more often (not periodic) */
  evictedOneShot: number;
  evictedRepeated: number;
  /** times the cap could not be met because everything left was protected */
  overCap: number;
}

export interface PairVerdict {
  /** the pair's key values, in keyFields order */
  key: unknown[];
  connections: number;
  /** intervals in the ring (what was scored) */
  intervals: number;
  /** intervals the ring no longer holds (count − 1 − intervals) */
  forgotten: number;
  firstSeconds: number;
  lastSeconds: number;
  strobe: boolean;
  /** null for a strobe (labelled, not scored) */
  periodicity: PeriodicityResult | null;
  periodic: boolean;
  /** distinct sources of the pair's destination among the pairs held (hunt only) */
  destinationSources?: number;
}

/** Distinct sources by destination code (a release's prevalence, counted once per release). */
export type SourceCounts = Map<number, number>;

export interface HuntOptions {
  /** intervals a pair needs in its ring to be scored (the hunt's TotalEvents > 10: 11) */
  minIntervals: number;
  periodicity: PeriodicityOptions;
  /** the prevalence count: which key fields are the source and the destination; null = not counted */
  prevalence: { source: string; destination: string } | null;
}

export const DEFAULT_HUNT: HuntOptions = {
  minIntervals: 11,
  periodicity: DEFAULT_PERIODICITY,
  prevalence: { source: 'LocalIP', destination: 'RemoteNetwork' },
};

/** 1 + log2(1 + bytes) in eighths of an octave (≈ 9 % steps), 1 … 255; 0 = unknown. */
export function sizeCode(bytes: number): number {
  if (!(bytes >= 0) || !Number.isFinite(bytes)) return 0;
  return Math.min(255, 1 + Math.round(Math.log2(1 + bytes) * 8));
}

/** The byte size a size code stands for (the centre of its step). */
export function sizeOfCode(code: number): number {
  return SIZE_OF_CODE[code] ?? NaN;
}

/** sizeOfCode for every code, worked out once: rows of pairs ask it for each interval they hold */
const SIZE_OF_CODE = Array.from({ length: 256 }, (_, code) => (code === 0 ? NaN : Math.round(2 ** ((code - 1) / 8) - 1)));

export function checkPairHistoryOptions(o: PairHistoryOptions): void {
  if (!Array.isArray(o.keyFields) || o.keyFields.length === 0)
    throw new Error('the pair history needs key fields (e.g. LocalIP, RemoteNetwork, RemotePortNumber)');
  const n = o.ringSize;
  if (!(Number.isInteger(n) && n >= 2 && n <= 32768 && (n & (n - 1)) === 0))
    throw new Error(`intervals per pair must be a power of two from 2 to 32768, not ${n}`);
  if (!(o.horizonSeconds > 0 && o.horizonSeconds + o.sweepSeconds <= 45 * 86400))
    throw new Error(`the horizon must be more than 0 s and at most 45 days (with the sweep), not ${o.horizonSeconds} s`);
  if (o.compactDead !== undefined && !(o.compactDead >= 0 && o.compactDead <= 1))
    throw new Error(`the fraction of expired rows that starts a compaction must be 0 … 1, not ${o.compactDead}`);
  if (o.evictTo !== undefined && !(o.evictTo > 0 && o.evictTo < 1))
    throw new Error(`an eviction pass must leave a fraction of the cap above 0 and below 1, not ${o.evictTo}`);
  if (!(o.sweepSeconds > 0 && o.sweepSeconds <= o.horizonSeconds))
    throw new Error(`the sweep interval must be more than 0 s and at most the horizon, not ${o.sweepSeconds} s`);
  if (o.maxBytes !== null && !(o.maxBytes >= 65536)) throw new Error(`the byte cap must be at least 65,536 bytes (or none), not ${o.maxBytes}`);
  if (!(o.strobePerDay >= 1)) throw new Error(`the strobe threshold must be at least 1 connection a day, not ${o.strobePerDay}`);
}
