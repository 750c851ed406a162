#!/usr/bin/env node
/**
 * The main job (`npm start`): Node-RED 4.1 from this project's own
 * dependencies, with a local user directory that loads this package from the
 * checkout (settings.js `nodesDir`). The first run seeds the directory (the
 * example flows, settings.js, package.json) and replays the generated sample
 * traffic through the examples; later runs keep everything the user changed
 * there: flows, settings.js, installed palette modules, alert files. Alerts
 * are printed here as they are written; the editor stays up at
 * http://127.0.0.1:1880.
 *
 * Options: --port N (or $PORT; else settings.js's uiPort, 1880 when seeded), --user-dir
 * DIR (default .node-red-data in the project), --reset (empty the user
 * directory first, saying what goes, and seed it afresh), --exit-after-alerts
 * N (stop once N alert lines were seen: for tests and CI), --live (seed the
 * live syslog examples too, whose syslog in nodes listen on 127.0.0.1 ports
 * 5514-5517; off by default so that those fixed ports stay free).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AlertFollower } from './alert-follower';
import { writeSampleFiles } from '../tools/sample-files';
import { detachPackageLink, nodeRedArgs, PACKAGE_NAME, ROOT, seedManifest, USER_DIR_MARKER } from './user-dir';

const ALERT_FILES = ['beacon-alerts-wiredata.jsonl', 'beacon-alerts-paloalto.jsonl', 'beacon-alerts-zeek.jsonl', 'beacon-alerts-hunt.jsonl'];
const REPLAY_INJECTS = ['replay sample file', 'replay conn.log'];

interface Options {
  port: number;
  /** --port or $PORT given: it overrides a kept settings.js's uiPort */
  portGiven: boolean;
  userDir: string;
  exitAfterAlerts: number;
  live: boolean;
  reset: boolean;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    port: Number(get('port') ?? process.env.PORT ?? 1880),
    portGiven: get('port') !== undefined || process.env.PORT !== undefined,
    userDir: path.resolve(get('user-dir') ?? path.join(ROOT, '.node-red-data')),
    exitAfterAlerts: Number(get('exit-after-alerts') ?? 0),
    live: argv.includes('--live'),
    reset: argv.includes('--reset'),
  };
}

/** The first line of the settings.js the earlier npm start rewrote on every start. */
const OLD_SETTINGS_HEADER = "// written by netbeacon's npm start; safe to edit, rewritten on each start";

function writeSettings(userDir: string, port: number): string {
  const file = path.join(userDir, 'settings.js');
  const settings = `// written once by netbeacon's npm start; yours to edit, kept on later starts (npm start -- --reset writes it afresh)
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: ${port},
    // the netbeacon package, loaded from its checkout (not installed here: npm install in this folder leaves the checkout alone)
    nodesDir: [${JSON.stringify(ROOT)}],
    flowFile: 'flows.json',
    credentialSecret: false,
    fileWorkingDirectory: ${JSON.stringify(userDir)},
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    // the examples' scorers keep their state in 'file' (the cells already notified with it), so a restart notifies nobody twice
    contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },
};
`;
  fs.writeFileSync(file, settings);
  return file;
}

/** The example flows (without the live syslog ones unless asked); returns the replay injects' ids. */
function writeFlows(userDir: string, live: boolean): string[] {
  const flows: Array<Record<string, unknown>> = [];
  // the scale-out flows need a broker and their environment: `npm run cluster` runs them
  for (const name of fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.json') && !f.startsWith('Scale-out'))
    .sort()) {
    const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8')) as Array<Record<string, unknown>>;
    if (!live && nodes.some((n) => n.type === 'udp in' || n.type === 'tcp in' || n.type === 'beacon-syslog-in')) continue;
    flows.push(...nodes);
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  return flows.filter((n) => n.type === 'inject' && REPLAY_INJECTS.includes(String(n.name))).map((n) => String(n.id));
}

/**
 * --reset: empties a user directory this tool seeded, naming each entry it
 * removes. A directory without the marker is left alone (--user-dir may
 * point anywhere).
 */
function resetUserDir(userDir: string): void {
  if (!fs.existsSync(userDir)) return;
  const entries = fs.readdirSync(userDir).sort();
  const ours =
    entries.includes(USER_DIR_MARKER) ||
    (fs.existsSync(path.join(userDir, 'settings.js')) && fs.readFileSync(path.join(userDir, 'settings.js'), 'utf8').startsWith(OLD_SETTINGS_HEADER));
  if (!ours && entries.length > 0) {
    process.stderr.write(`netbeacon: --reset: ${userDir} was not made by npm start (no ${USER_DIR_MARKER}); nothing removed, remove it yourself\n`);
    process.exit(2);
  }
  for (const entry of entries) {
    process.stdout.write(`netbeacon: --reset: removing ${path.join(userDir, entry)}\n`);
    fs.rmSync(path.join(userDir, entry), { recursive: true, force: true });
  }
}

/**
 * Seeds what is missing in the user directory and keeps what is there.
 * Returns the replay injects to fire once Node-RED runs (only when the
 * flows were seeded now: kept flows are the user's to replay).
 */
function prepareUserDir(options: Options): { settings: string; replays: string[] } {
  const dir = options.userDir;
  fs.mkdirSync(dir, { recursive: true });
  const kept: string[] = [];
  const settings = path.join(dir, 'settings.js');
  // the earlier npm start rewrote its settings.js on every start: no user edit survived in it, and it lacks nodesDir
  const oldSettings = fs.existsSync(settings) && fs.readFileSync(settings, 'utf8').startsWith(OLD_SETTINGS_HEADER);
  if (!fs.existsSync(settings) || oldSettings) writeSettings(dir, options.port);
  else {
    kept.push('settings.js');
    // the user's uiPort stands unless a port was asked for (read for the messages and the replay clicks)
    const port = /^\s*uiPort\s*:\s*(\d{1,5})\s*,/m.exec(fs.readFileSync(settings, 'utf8'));
    if (!options.portGiven && port) options.port = Number(port[1]);
  }
  for (const note of detachPackageLink(dir)) process.stdout.write(`netbeacon: ${note}\n`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) seedManifest(dir);
  else kept.push('package.json');
  let replays: string[] = [];
  if (!fs.existsSync(path.join(dir, 'flows.json'))) replays = writeFlows(dir, options.live);
  else kept.push('flows.json');
  if (fs.existsSync(path.join(dir, 'node_modules'))) kept.push('node_modules');
  kept.push(...ALERT_FILES.filter((f) => fs.existsSync(path.join(dir, f))));
  fs.writeFileSync(path.join(dir, USER_DIR_MARKER), `${JSON.stringify({ seededBy: PACKAGE_NAME, checkout: ROOT }, null, 2)}\n`);
  if (kept.length) process.stdout.write(`netbeacon: keeping ${kept.join(', ')} in ${dir} (npm start -- --reset starts afresh)\n`);
  if (kept.includes('flows.json') && options.live)
    process.stdout.write('netbeacon: --live seeds the live examples only into new flows: add them with Import ▸ Examples, or --reset\n');
  return { settings, replays };
}

/** Clicks the replay injects through the editor's admin API, as a user would. */
async function replay(port: number, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await fetch(`http://127.0.0.1:${port}/inject/${id}`, { method: 'POST' }).catch((err: Error) => err);
    if (res instanceof Error || !res.ok)
      process.stderr.write(`netbeacon: could not start the replay ${id}: ${res instanceof Error ? res.message : res.status}\n`);
  }
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  if (options.reset) resetUserDir(options.userDir);
  const { settings, replays } = prepareUserDir(options);
  const samples = writeSampleFiles(path.join(options.userDir, 'samples'));

  const portArgs = options.portGiven ? ['--port', String(options.port)] : [];
  const child = spawn(process.execPath, nodeRedArgs(options.userDir, settings, portArgs), {
    env: {
      // glibc: blocks of 64 KiB and more (the pair store's 160 KiB row pages, its index) mapped and unmapped one by
      // one, so those an eviction frees leave the process instead of staying in malloc's arenas (10,000 hosts: RSS
      // 1.75 -> 1.43 x the retained heap, BENCHMARKS.md); a value the user set is kept, other C libraries ignore it
      MALLOC_MMAP_THRESHOLD_: '65536',
      ...process.env,
      NETBEACON_WIREDATA_FILE: samples.wiredata,
      NETBEACON_CSL_FILE: samples.csl,
      NETBEACON_ZEEK_FILE: samples.zeek,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Node-RED's log passes through; its "Started flows" line is when the seeded replays can be clicked
  let started = false;
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (started) return;
    pending = (pending + chunk.toString('utf8')).slice(-4096);
    if (/\] Started flows/.test(pending)) {
      started = true;
      void replay(options.port, replays);
    }
  });
  process.stdout.write(
    `netbeacon: Node-RED starting with ${PACKAGE_NAME} and the example flows; editor at http://127.0.0.1:${options.port}\n` +
      (replays.length
        ? `netbeacon: replaying ${samples.wiredata}, ${samples.csl} and ${samples.zeek}; alerts follow (also in ${options.userDir}/beacon-alerts-*.jsonl)\n`
        : `netbeacon: click a flow's *replay* inject to replay the samples again; new alerts follow (also in ${options.userDir}/beacon-alerts-*.jsonl)\n`),
  );

  // follow the alert files the flows write, from their current end: alerts of earlier runs were printed then
  const follower = new AlertFollower(ALERT_FILES.map((f) => path.join(options.userDir, f)));
  follower.skipWritten();
  follower.start((alerts) => {
    if (options.exitAfterAlerts > 0 && alerts >= options.exitAfterAlerts) stop('enough alerts seen', 0);
  });

  function stop(reason: string, code: number): void {
    follower.stop();
    process.stdout.write(`netbeacon: stopping (${reason})\n`);
    if (child.exitCode === null) child.kill('SIGTERM');
    child.once('exit', () => process.exit(code));
    setTimeout(() => process.exit(code), 10000).unref();
  }
  child.on('exit', (code) => {
    follower.stop();
    process.exit(code ?? 1);
  });
  process.on('SIGINT', () => stop('interrupted', 0));
  process.on('SIGTERM', () => stop('terminated', 0));
}

main();
