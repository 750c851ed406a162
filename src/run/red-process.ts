import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { linkPackage, nodeRedScript } from './user-dir';

/**
 * One Node-RED process of a cluster: its own user directory with this
 * package linked in, a settings file, a flows file written before start, its
 * environment (the flows read NETBEACON_* through ${…} properties), on
 * 127.0.0.1. Stopped with SIGTERM as a service manager does, or killed.
 */
export interface RedProcessOptions {
  name: string;
  userDir: string;
  port: number;
  flows: object[];
  env: Record<string, string>;
  /** a context store "file" (localfilesystem, written through on each save: a checkpoint is on disk when it passes on) */
  fileStore?: boolean;
  /** copy the log to this process's stdout, each line prefixed with the name */
  echo?: boolean;
  /** what the log shows once the process is ready (default: flows started and MQTT connected) */
  ready?: RegExp;
}

export class RedProcess {
  log = '';
  private child: ChildProcess | null = null;

  constructor(readonly o: RedProcessOptions) {
    fs.mkdirSync(o.userDir, { recursive: true });
    linkPackage(o.userDir);
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: o.port,
      flowFile: 'flows.json',
      credentialSecret: false,
      fileWorkingDirectory: o.userDir,
      editorTheme: { tours: false, projects: { enabled: false } },
      telemetry: { enabled: false },
      diagnostics: { enabled: false },
      mqttReconnectTime: 500,
      logging: { console: { level: 'info', metrics: false, audit: false } },
      ...(o.fileStore ? { contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem', config: { cache: false } } } } : {}),
    };
    fs.writeFileSync(
      path.join(o.userDir, 'settings.js'),
      `// written by netbeacon's cluster launcher; rewritten on each start\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`,
    );
    fs.writeFileSync(path.join(o.userDir, 'flows.json'), JSON.stringify(o.flows, null, 2));
  }

  get base(): string {
    return `http://127.0.0.1:${this.o.port}`;
  }

  /** the current process id (benchmarks read its CPU time) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts Node-RED; resolves once its flows run and every MQTT broker node has connected. */
  async start(): Promise<void> {
    const mark = this.log.length;
    const red = nodeRedScript();
    const child = spawn(process.execPath, [red, '--userDir', this.o.userDir, '--settings', path.join(this.o.userDir, 'settings.js')], {
      env: { ...process.env, ...this.o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const take = (d: Buffer) => {
      const text = d.toString();
      this.log += text;
      if (this.o.echo)
        process.stdout.write(
          text
            .split('\n')
            .filter(Boolean)
            .map((l) => `[${this.o.name}] ${l}\n`)
            .join(''),
        );
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    await this.until('Node-RED to start its flows and be ready', () => {
      const since = this.log.slice(mark);
      return /Started flows/.test(since) && (this.o.ready ?? /Connected to broker/).test(since);
    });
  }

  /** Calls back once when the current process exits. */
  onExit(listener: () => void): void {
    this.child?.once('exit', listener);
  }

  /** SIGTERM; resolves when the process has exited (its nodes saved their state). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** SIGKILL: no close handlers, no final save; what the broker had delivered since the last checkpoint is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGSTOP / SIGCONT: a process frozen as by a long GC pause or a hung VM, then thawed. */
  pause(): void {
    if (this.running) process.kill(-(this.child?.pid as number), 'SIGSTOP');
  }

  resume(): void {
    if (this.running) process.kill(-(this.child?.pid as number), 'SIGCONT');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(sig === 'SIGKILL' ? -(child.pid as number) : (child.pid as number), sig);
    } catch {
      // already gone
    }
    await exited;
  }

  /** Polls a condition (completion bounded by a deadline, never a timing assertion). */
  async until(what: string, test: () => boolean, seconds = 90): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!test()) {
      if (!this.running) throw new Error(`${this.o.name} exited while waiting for ${what}:\n${this.log.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${this.o.name}: timed out waiting for ${what}\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Log lines at warn or error level, less the ones every fresh user directory prints. */
  warnings(): string[] {
    return this.log.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials|Using default credential/.test(l));
  }
}
