import type { Node } from 'node-red';

/**
 * Reports cap evictions with node.warn at most once per minute of event time
 * (never once per record): how many since the last report, and the cap.
 */
export class EvictionReporter {
  private reported = 0;
  private lastMinute = -Infinity;

  constructor(
    private readonly node: Node,
    private readonly what: string,
  ) {}

  check(total: number, eventSeconds: number | null, cap: number | string): void {
    if (total <= this.reported) return;
    const minute = eventSeconds === null ? this.lastMinute + 1 : Math.floor(eventSeconds / 60);
    if (minute <= this.lastMinute) return;
    this.node.warn(`${total - this.reported} ${this.what} (cap ${cap}) since the last report; raise the cap or narrow the input`);
    this.reported = total;
    this.lastMinute = minute;
  }

  reset(): void {
    this.reported = 0;
    this.lastMinute = -Infinity;
  }
}
