/**
 * Where a UDP input with parsing on parses: in a parse thread beside the
 * reader thread, or on the flow's thread (the reader thread then only drains
 * the socket and hands lines over). A parse thread takes the parse off the
 * flow's thread but adds a third busy thread and the cost of handing records
 * across as columns; with fewer CPUs than busy threads that extra CPU is taken
 * from the flow: on 2 CPUs the flow's thread held the lossless rate as well or
 * better (overloaded, the parse thread delivered more).
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
 * CPUs from which auto picks the parse thread: the reader, the parse thread
 * and the flow's thread each busy, and one more for V8's collector and the
 * kernel's receive path (not measured: the 2-CPU machine gave the lossless rate
 * to the flow's thread, by a little).
 */
export const PARSE_THREAD_MIN_CORES = 4;

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
