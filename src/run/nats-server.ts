import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * A local nats-server with JetStream for `npm run cluster`, the scale-out
 * tests and the cluster benchmark: 127.0.0.1 only, file storage in a
 * folder of ours (streams and key-value buckets survive a restart).
 */

/** Where Debian puts the server (/usr/sbin is often not on a user's PATH). */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

export function findNatsServer(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const file = path.join(dir, 'nats-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

export const NATS_MISSING =
  'nats-server (NATS with JetStream) was not found on PATH nor in /usr/sbin. Install it: ' +
  '`sudo apt-get install nats-server` (Debian 12 / Ubuntu), `brew install nats-server` (macOS), or use a server you run with `--server nats://host:4222`.';

export class NatsServerProcess {
  log = '';
  private child: ChildProcess | null = null;

  constructor(
    readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server; resolves once it accepts clients (its log says so). */
  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const mark = this.log.length;
    const child = spawn(this.bin, ['-js', '-sd', this.dir, '-a', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const take = (d: Buffer) => {
      this.log += d.toString();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const deadline = Date.now() + 30_000;
    while (!/Server is ready/.test(this.log.slice(mark))) {
      if (!this.running) throw new Error(`nats-server exited:\n${this.log.slice(-1500)}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start within 30 s:\n${this.log.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM (a clean shutdown: the stores are flushed); resolves once it has exited. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(sig);
    await exited;
  }
}

export async function startNatsServer(dir: string, port: number): Promise<NatsServerProcess> {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_MISSING);
  const server = new NatsServerProcess(bin, dir, port);
  await server.start();
  return server;
}
