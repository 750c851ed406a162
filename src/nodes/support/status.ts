import type { Node, NodeStatus } from 'node-red';

/**
 * Node status, refreshed at most every half second (status goes to the
 * editor over a websocket; per-message updates would flood it) and at once
 * on control messages. Wall-clock time only paces the display here.
 */
export class StatusReporter {
  private timer: NodeJS.Timeout | null = null;
  private last = '';

  constructor(
    private readonly node: Node,
    private readonly render: () => NodeStatus,
  ) {}

  update(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.now();
    }, 500);
  }

  now(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const status = this.render();
    const text = JSON.stringify(status);
    if (text !== this.last) {
      this.last = text;
      this.node.status(status);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.last = '';
    this.node.status({});
  }
}

/** Short counts for status text: 950, 12.3k, 4.5M. */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return (n / 1e3).toFixed(n < 1e4 ? 1 : 0) + 'k';
  return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M';
}
