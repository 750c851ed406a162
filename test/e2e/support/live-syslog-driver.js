'use strict';
/**
 * Runs inside a fresh network namespace (unshare -n) where only loopback
 * exists, so the core udp/tcp in nodes, which listen on all interfaces, are
 * reachable from 127.0.0.1 alone. Starts Node-RED with the three live syslog
 * example flows, sends the lines with real clients (netbeacon-replay over
 * UDP and TCP, util-linux logger over TCP with octet counting), waits until
 * every line has been parsed, flushes through each flow's inject, waits for
 * the expected alert rows, and writes what the flows produced to a file.
 *
 * argv[2]: a JSON job file (see live_syslog_spec.js).
 */
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { root, userDir, uiPort } = job;
const { replay } = require(path.join(root, 'tools', 'replay-cli.js'));

const FLOWS = {
  pu: 'Palo Alto beaconing from CEF over UDP syslog.json',
  pt: 'Palo Alto beaconing from PAN-OS CSV over TCP syslog.json',
  zt: 'WireData beaconing from Zeek JSON over TCP.json',
};

function setUp() {
  fs.mkdirSync(path.join(userDir, 'node_modules', '@netbeacon'), { recursive: true });
  fs.symlinkSync(root, path.join(userDir, 'node_modules', '@netbeacon', 'node-red-beaconing'), 'dir');
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify({
    uiHost: '127.0.0.1', uiPort, flowFile: 'flows.json', credentialSecret: false, fileWorkingDirectory: userDir,
    editorTheme: { tours: false, projects: { enabled: false } }, telemetry: { enabled: false }, logging: { console: { level: 'info' } },
  })};\n`);
  const flows = [];
  for (const [p, file] of Object.entries(FLOWS)) {
    const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
    const parse = nodes.find((n) => n.type === 'beacon-parse');
    // a probe: every parsed record is also appended to a file, to know when all lines went through
    parse.wires[0].push(`${p}_probe`);
    nodes.push({ id: `${p}_probe`, type: 'file', z: `${p}_tab`, name: 'test probe', filename: `parsed-${p}.jsonl`, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', x: 600, y: 200, wires: [] });
    flows.push(...nodes);
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
}

const lineCount = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && l.trim() !== '""').length : 0);

/** Polls a condition on the file system (event-driven completion, bounded by a deadline). */
async function until(what, test, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  setUp();
  let log = '';
  const red = spawn(process.execPath, [require.resolve('node-red/red.js', { paths: [root] }), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  red.stdout.on('data', (d) => (log += d));
  red.stderr.on('data', (d) => (log += d));
  const result = { log: '', parsed: {}, alerts: {}, error: null };
  try {
    await until('Node-RED to start', () => /Server now running/.test(log) || red.exitCode !== null, 60);
    if (red.exitCode !== null) throw new Error('Node-RED exited');
    const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean);
    // PAN-OS CEF over UDP with the replay tool, paced
    await replay({ lines: lines(job.files.cef), host: '127.0.0.1', port: 5514, proto: 'udp', rate: 2000, octetCount: false });
    // PAN-OS CSV bodies over TCP with util-linux logger, RFC 6587 octet counting, RFC 5424 header
    execFileSync('logger', ['--tcp', '--octet-count', '--server', '127.0.0.1', '--port', '5515', '--rfc5424', '-t', 'PAN-OS', '-f', job.files.csv]);
    // Zeek JSON over TCP, newline-delimited, with the replay tool
    await replay({ lines: lines(job.files.zeek), host: '127.0.0.1', port: 5516, proto: 'tcp', rate: 0, octetCount: false });

    for (const p of Object.keys(FLOWS)) {
      await until(`${job.counts[p]} parsed records in ${p}`, () => lineCount(path.join(userDir, `parsed-${p}.jsonl`)) >= job.counts[p]);
      result.parsed[p] = lineCount(path.join(userDir, `parsed-${p}.jsonl`));
      const res = await fetch(`http://127.0.0.1:${uiPort}/inject/${p}_flush`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`inject ${p}_flush answered ${res.status}`);
    }
    const alertFiles = { pu: 'beacon-alerts-paloalto-cef.jsonl', pt: 'beacon-alerts-paloalto-csv.jsonl', zt: 'beacon-alerts-zeek-json.jsonl' };
    for (const [p, file] of Object.entries(alertFiles)) {
      const f = path.join(userDir, file);
      await until(`${job.expectedAlerts[p]} alerts from ${p}`, () => lineCount(f) >= job.expectedAlerts[p], 30);
      result.alerts[p] = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
    }
  } catch (err) {
    result.error = err.message;
  } finally {
    red.kill('SIGTERM');
    await new Promise((r) => (red.exitCode !== null ? r() : red.once('exit', r)));
    result.log = log;
    fs.writeFileSync(job.out, JSON.stringify(result));
  }
}

main();
