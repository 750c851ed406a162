import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * A local Mosquitto broker with a configuration of ours, for `npm run
 * cluster`, the scale-out tests and the cluster benchmark: 127.0.0.1 only,
 * persistence on (queued QoS 1 messages and persistent sessions survive a
 * broker restart), queues large enough for a worker restart.
 */

/** Where Debian puts the broker (/usr/sbin is often not on a user's PATH). */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/opt/homebrew/sbin', '/usr/local/opt/mosquitto/sbin'];

/** The mosquitto executable, or null when it is not installed. */
export function findMosquitto(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, 'mosquitto');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

export const MOSQUITTO_MISSING =
  'mosquitto (the MQTT broker) was not found on PATH nor in /usr/sbin. Install it: ' +
  '`sudo apt-get install mosquitto` (Debian/Ubuntu), `brew install mosquitto` (macOS), or point NETBEACON_MQTT_URL at a broker you run.';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface BrokerOptions {
  dir: string;
  port: number;
  /**
   * Messages (not records: the ingest publishes one message per partition
   * per batch) queued per stopped worker. A worker down for R seconds while
   * the ingest publishes M messages/s to it needs R × M.
   */
  maxQueuedMessages?: number;
  /** seconds between saves of the in-memory database to disk (and on a clean stop) */
  autosaveSeconds?: number;
}

/** The configuration file's text. */
export function mosquittoConf(o: BrokerOptions): string {
  const user = os.userInfo().username;
  return [
    '# written by netbeacon (npm run cluster); rewritten on each start',
    `listener ${o.port} 127.0.0.1`,
    'allow_anonymous true',
    // started as root, mosquitto would switch to user "mosquitto", who cannot write our directory
    `user ${user}`,
    'persistence true',
    `persistence_location ${o.dir}${path.sep}`,
    'persistence_file mosquitto.db',
    `autosave_interval ${o.autosaveSeconds ?? 5}`,
    // persistent sessions of stopped workers keep their QoS 1 messages; this bounds each queue
    `max_queued_messages ${o.maxQueuedMessages ?? 1000000}`,
    'max_queued_bytes 0',
    'max_inflight_messages 100',
    'persistent_client_expiration 14d',
    'queue_qos0_messages false',
    'log_dest stderr', // unbuffered: the launcher reads it as it comes
    'log_type error',
    'log_type warning',
    'log_type notice',
    // the launcher waits for each worker's subscription before the ingest publishes
    'log_type subscribe',
    'connection_messages true',
    '',
  ].join('\n');
}

/** A running broker; `start()` again after `stop()` restarts it on the same port with the same database. */
export class Broker {
  readonly url: string;
  log = '';
  private child: ChildProcess | null = null;
  private readonly conf: string;

  constructor(
    readonly options: BrokerOptions,
    private readonly executable: string,
  ) {
    this.url = `mqtt://127.0.0.1:${options.port}`;
    fs.mkdirSync(options.dir, { recursive: true });
    this.conf = path.join(options.dir, 'mosquitto.conf');
    fs.writeFileSync(this.conf, mosquittoConf(options));
  }

  /** Starts mosquitto and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(this.executable, ['-c', this.conf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout?.on('data', (d) => (this.log += d));
    child.stderr?.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${this.log.slice(-2000)}`);
      if (await this.accepts()) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on 127.0.0.1:${this.options.port}:\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(this.options.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }

  /** SIGTERM: mosquitto writes its database and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Last resort (a failed test, an interrupted launcher). */
  kill(): void {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Starts a broker in `dir` on a free port; throws MOSQUITTO_MISSING when not installed. */
export async function startBroker(dir: string, options: Partial<BrokerOptions> = {}): Promise<Broker> {
  const executable = findMosquitto();
  if (!executable) throw new Error(MOSQUITTO_MISSING);
  const broker = new Broker({ dir, port: options.port ?? (await freePort()), ...options }, executable);
  await broker.start();
  return broker;
}
