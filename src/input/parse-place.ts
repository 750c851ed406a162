/**
 * Where a UDP input with parsing on parses: in a parse thread beside the
 * reader thread, or on the flow's thread (the reader thread then only drains
 * the socket and hands lines over). A parse thread takes the parse off the
 * flow's thread but adds a third busy thread and the cost of handing records
 * across as columns. With one CPU that extra CPU is taken from the flow (pinned
 * to one CPU the flow's thread moved more records); on 2 CPUs, measured quiet,
 * both held 50,000 lines/s without loss and the parse thread left the flow's
 * thread 35-40 % more headroom and shorter event-loop blocks.
 */
import * as os from 'os';

export type ParseIn = 'auto' | 'thread' | 'flow';

export interface ParsePlace {
  /** true: a parse thread; false: the flow's thread */
  thread: boolean;
  /** the setting that decided */
  setting: ParseIn;
  /** the CPUs counted when the setting is auto */
  cores: number;
  /** one sentence for the log and the counters */
  why: string;
}

/**
 * CPUs from which auto picks the parse thread: with two, the reader and the
 * parse thread share one while the flow's thread keeps the other (measured on
 * 2 and, pinned, 1 CPU; more CPUs only give each thread its own).
 */
export const PARSE_THREAD_MIN_CORES = 2;

/** The CPUs this process may run on (its affinity where Node knows it). */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Where to parse, for the setting and the CPUs counted (an absent or unknown setting reads as auto). */
export function parsePlace(setting: ParseIn | undefined, cores: number): ParsePlace {
  if (setting === 'thread') return { thread: true, setting, cores, why: 'a parse thread, as set' };
  if (setting === 'flow') return { thread: false, setting, cores, why: "the flow's thread, as set" };
  const thread = cores >= PARSE_THREAD_MIN_CORES;
  const why = thread
    ? `a parse thread (auto: ${cores} CPUs, at least ${PARSE_THREAD_MIN_CORES})`
    : `the flow's thread (auto: ${cores} CPUs, a parse thread needs ${PARSE_THREAD_MIN_CORES})`;
  return { thread, setting: 'auto', cores, why };
}
