import { constants, PerformanceObserver, performance } from 'perf_hooks';

/**
 * The main thread's GC pauses, as Node's performance timeline reports them
 * (`gc` entries: start, duration, kind), kept in typed arrays so a week of
 * scavenges costs the measured heap almost nothing. A bench marks each timed
 * part with `now()` before and after, and asks afterwards what fell inside.
 * Only the pauses on the main thread are seen: V8's concurrent marking and
 * sweeping on helper threads add CPU time that no entry names.
 */
export interface Pauses {
  /** full (mark-compact) collections */
  major: number;
  majorMs: number;
  /** scavenges of the young generation */
  minor: number;
  minorMs: number;
  /** incremental marking steps and weak callbacks */
  otherMs: number;
}

export class GcPauses {
  private start = new Float64Array(4096);
  private duration = new Float64Array(4096);
  private kind = new Uint8Array(4096);
  private n = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.add(e.startTime, e.duration, (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0);
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  now(): number {
    return performance.now();
  }

  /** The pauses that started between two `now()` readings (entries arrive a tick late: ask after an await). */
  between(from: number, to: number): Pauses {
    const p: Pauses = { major: 0, majorMs: 0, minor: 0, minorMs: 0, otherMs: 0 };
    for (let i = 0; i < this.n; i++) {
      const s = this.start[i];
      if (s < from || s >= to) continue;
      const k = this.kind[i];
      if (k === constants.NODE_PERFORMANCE_GC_MAJOR) {
        p.major++;
        p.majorMs += this.duration[i];
      } else if (k === constants.NODE_PERFORMANCE_GC_MINOR) {
        p.minor++;
        p.minorMs += this.duration[i];
      } else p.otherMs += this.duration[i];
    }
    return p;
  }

  stop(): void {
    this.observer.disconnect();
  }

  private add(start: number, duration: number, kind: number): void {
    if (this.n === this.start.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start, (k) => new Float64Array(k));
      this.duration = grow(this.duration, (k) => new Float64Array(k));
      this.kind = grow(this.kind, (k) => new Uint8Array(k));
    }
    this.start[this.n] = start;
    this.duration[this.n] = duration;
    this.kind[this.n++] = kind;
  }
}

/** The sum of several parts' pauses. */
export function addPauses(list: Pauses[]): Pauses {
  const p: Pauses = { major: 0, majorMs: 0, minor: 0, minorMs: 0, otherMs: 0 };
  for (const q of list) {
    p.major += q.major;
    p.majorMs += q.majorMs;
    p.minor += q.minor;
    p.minorMs += q.minorMs;
    p.otherMs += q.otherMs;
  }
  return p;
}

/** "2 full (310 ms), 140 scavenges (95 ms), 12 ms other" */
export function describePauses(p: Pauses): string {
  return `${p.major} full (${p.majorMs.toFixed(0)} ms), ${p.minor} scavenges (${p.minorMs.toFixed(0)} ms), ${p.otherMs.toFixed(0)} ms other`;
}
