import * as fs from 'fs';
import * as path from 'path';
import { alertSubject } from '../core/alert/text';

/** One readable line per alert row written by the example flows: the same text as the e-mail subject. */
export function describeAlert(file: string, row: Record<string, unknown>): string {
  const name = path.basename(file);
  const rule = name.includes('paloalto')
    ? 'Palo Alto'
    : name.includes('zeek') || name.includes('scaleout')
      ? 'Zeek WireData'
      : name.includes('hunt')
        ? 'hunt'
        : 'WireData';
  const early = row.Final === false ? ` (early, as of ${String(row.AsOf)})` : '';
  return `ALERT [${rule}]${early} ${alertSubject(row)}`;
}

/**
 * Follows alert files (JSON lines, appended by the flows' file nodes) and
 * prints each new row; `label` names a row's source (e.g. a worker).
 */
export class AlertFollower {
  private readonly offsets = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  total = 0;

  constructor(
    private readonly files: string[],
    private readonly label: (file: string) => string = () => '',
  ) {}

  /** Polls every 250 ms; `after` gets the running total after each poll. */
  start(after: (total: number) => void = () => undefined): void {
    this.timer = setInterval(() => {
      this.poll();
      after(this.total);
    }, 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Starts after what the files hold now (kept from an earlier run), without printing it. */
  skipWritten(): void {
    for (const file of this.files) {
      if (fs.existsSync(file)) this.offsets.set(file, fs.readFileSync(file, 'utf8').lastIndexOf('\n') + 1);
    }
  }

  poll(): void {
    for (const file of this.files) {
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      const start = this.offsets.get(file) ?? 0;
      const end = text.lastIndexOf('\n') + 1;
      if (end <= start) continue;
      this.offsets.set(file, end);
      const prefix = this.label(file) ? `${this.label(file)}: ` : '';
      for (const line of text
        .slice(start, end)
        .split('\n')
        .filter((l) => l.trim())) {
        let rows: unknown[];
        try {
          rows = [].concat(JSON.parse(line));
        } catch {
          process.stdout.write(`${prefix}ALERT ${line.slice(0, 200)}\n`);
          this.total++;
          continue;
        }
        for (const row of rows) {
          if ((row as { Notify?: unknown }).Notify === false) continue; // the final row of a cell alerted early: printed once, when first alerted
          this.total++;
          process.stdout.write(prefix + describeAlert(file, row as Record<string, unknown>) + '\n');
        }
      }
    }
  }
}
