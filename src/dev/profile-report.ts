/**
 * V8's sampling profilers through node:inspector, for the development tools
 * that profile a part of a run (dev/profile-chain.js, bench --chain-only
 * --profile): start and stop around the part, as often as needed, then a
 * table of self time (or bytes allocated) per function and per file, per
 * record, and the profiles written for DevTools.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Session } from 'inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  selfSize?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapProfile {
  head: ProfileNode & { children: HeapProfile['head'][] };
}

/** "name file:line", the file relative to the package; built-ins (no file) by name alone. */
function frameName(cf: ProfileNode['callFrame'], root: string): string {
  const url = cf.url.startsWith('file://') ? cf.url.slice(7) : cf.url;
  const file = url.startsWith('/') ? path.relative(root, url) : url;
  return `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
}

function table(title: string, totals: Map<string, number>, unit: (v: number) => string, top: number): void {
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`\n${title}\n`);
  for (const [name, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${unit(v).padStart(10)} ${((100 * v) / all).toFixed(1).padStart(5)} %  ${name}\n`);
  }
}

export class PartProfiler {
  private readonly session = new Session();
  private readonly byFunction = new Map<string, number>();
  private readonly byFile = new Map<string, number>();
  private parts = 0;

  /** root: the package folder, for short file names; allocations: bytes allocated instead of CPU time. */
  constructor(
    private readonly root: string,
    readonly allocations = false,
  ) {
    this.session.connect();
  }

  async start(): Promise<void> {
    if (this.allocations) {
      await this.session.post('HeapProfiler.enable');
      await this.session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    } else {
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
      await this.session.post('Profiler.start');
    }
  }

  /** Stops, adds the part to the totals and writes its profile into `dir`. */
  async stop(dir: string, name: string): Promise<string> {
    fs.mkdirSync(dir, { recursive: true });
    const part = this.parts++ === 0 ? name : `${name}-${this.parts}`;
    if (this.allocations) {
      const { profile } = (await this.session.post('HeapProfiler.stopSampling')) as unknown as { profile: HeapProfile };
      const walk = (n: HeapProfile['head']) => {
        this.add(n, n.selfSize ?? 0);
        for (const c of n.children) walk(c);
      };
      walk(profile.head);
      const file = path.join(dir, `${part}.heapprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    }
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) this.add(nodes.get(profile.samples[i]) as ProfileNode, profile.timeDeltas[i] ?? 0);
    const file = path.join(dir, `${part}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  }

  /** The totals over every part so far, per record. */
  report(records: number, top = 25): void {
    const per = records * Math.max(1, this.parts);
    if (this.allocations) {
      const unit = (v: number) => `${(v / per).toFixed(0)} B`;
      table('bytes allocated per record, by function (sampled every 4 KB; freed objects included):', this.byFunction, unit, top);
      table('by file:', this.byFile, unit, 12);
    } else {
      const unit = (v: number) => `${((v * 1000) / per).toFixed(0)} ns`;
      table('self time per record, by function (sampled every 100 µs):', this.byFunction, unit, top);
      table('by file:', this.byFile, unit, 12);
    }
  }

  disconnect(): void {
    this.session.disconnect();
  }

  private add(node: ProfileNode, v: number): void {
    const cf = node.callFrame;
    // the profiler's own work (the inspector session answering) is not the measured part's
    if (cf.url.startsWith('node:inspector') || (cf.functionName === 'dispatch' && !cf.url)) return;
    const name = frameName(cf, this.root);
    this.byFunction.set(name, (this.byFunction.get(name) ?? 0) + v);
    const file = cf.url ? name.slice(name.lastIndexOf(' ') + 1).replace(/:\d+$/, '') : name.trim();
    this.byFile.set(file, (this.byFile.get(file) ?? 0) + v);
  }
}
