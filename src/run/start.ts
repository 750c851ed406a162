#!/usr/bin/env node
/**
 * The main job (`npm start`): Node-RED 4.1 from this project's own
 * dependencies, with a local user directory, this package installed there
 * the way a user installs it (a link in node_modules), both example flows
 * deployed and fed with the generated sample traffic. Alerts are printed
 * here as they are written; the editor stays up at http://127.0.0.1:1880.
 *
 * Options: --port N (default 1880, or $PORT), --user-dir DIR (default
 * .node-red-data in the project), --exit-after-alerts N (stop once N alert
 * lines were seen: for tests and CI), --live (also deploy the live syslog
 * examples, whose syslog in nodes listen on 127.0.0.1 ports 5514-5516;
 * off by default so that those fixed ports stay free).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AlertFollower } from './alert-follower';
import { writeSampleFiles } from '../tools/sample-files';
import { linkPackage, nodeRedScript, PACKAGE_NAME, ROOT } from './user-dir';

const ALERT_FILES = ['beacon-alerts-wiredata.jsonl', 'beacon-alerts-paloalto.jsonl', 'beacon-alerts-zeek.jsonl', 'beacon-alerts-hunt.jsonl'];
const REPLAY_INJECTS = ['replay sample file', 'replay conn.log'];

interface Options {
  port: number;
  userDir: string;
  exitAfterAlerts: number;
  live: boolean;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    port: Number(get('port') ?? process.env.PORT ?? 1880),
    userDir: path.resolve(get('user-dir') ?? path.join(ROOT, '.node-red-data')),
    exitAfterAlerts: Number(get('exit-after-alerts') ?? 0),
    live: argv.includes('--live'),
  };
}

function writeSettings(userDir: string, port: number): string {
  const file = path.join(userDir, 'settings.js');
  const settings = `// written by netbeacon's npm start; safe to edit, rewritten on each start
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: ${port},
    flowFile: 'flows.json',
    credentialSecret: false,
    fileWorkingDirectory: ${JSON.stringify(userDir)},
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
  fs.writeFileSync(file, settings);
  return file;
}

/** The example flows (without the live syslog ones unless asked), replay injects set to fire once at start. */
function writeFlows(userDir: string, live: boolean): void {
  const flows: Array<Record<string, unknown>> = [];
  // the scale-out flows need a broker and their environment: `npm run cluster` runs them
  for (const name of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json') && !f.startsWith('Scale-out')).sort()) {
    const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8')) as Array<Record<string, unknown>>;
    if (!live && nodes.some((n) => n.type === 'udp in' || n.type === 'tcp in' || n.type === 'beacon-syslog-in')) continue;
    for (const n of nodes) if (n.type === 'inject' && REPLAY_INJECTS.includes(String(n.name))) n.once = true;
    flows.push(...nodes);
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(options.userDir, { recursive: true });
  const samples = writeSampleFiles(path.join(options.userDir, 'samples'));
  linkPackage(options.userDir);
  const settings = writeSettings(options.userDir, options.port);
  writeFlows(options.userDir, options.live);
  for (const f of ALERT_FILES) fs.rmSync(path.join(options.userDir, f), { force: true });

  const red = nodeRedScript();
  const child = spawn(process.execPath, [red, '--userDir', options.userDir, '--settings', settings], {
    env: { ...process.env, NETBEACON_WIREDATA_FILE: samples.wiredata, NETBEACON_CSL_FILE: samples.csl, NETBEACON_ZEEK_FILE: samples.zeek },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  process.stdout.write(
    `netbeacon: Node-RED starting with ${PACKAGE_NAME} and the example flows; editor at http://127.0.0.1:${options.port}\n` +
      `netbeacon: replaying ${samples.wiredata}, ${samples.csl} and ${samples.zeek}; alerts follow (also in ${options.userDir}/beacon-alerts-*.jsonl)\n`,
  );

  // follow the alert files the flows write
  const follower = new AlertFollower(ALERT_FILES.map((f) => path.join(options.userDir, f)));
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
