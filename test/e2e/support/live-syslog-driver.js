'use strict';
/**
 * Runs inside a fresh network namespace (unshare -n) where only loopback
 * exists, so the core udp/tcp in nodes, which listen on all interfaces, are
 * reachable from 127.0.0.1 alone. Starts Node-RED with this package linked
 * into its user directory, deploys the live syslog example flows through the
 * Admin HTTP API, sends lines with real clients (netbeacon-replay over UDP or
 * TCP, util-linux logger over TCP with octet counting), waits until every
 * line has been parsed, flushes through each flow's inject, waits for the
 * expected alert rows, and writes what the flows produced to a file.
 *
 * argv[2]: a JSON job file: { root, userDir, uiPort, out,
 *   sends: [{ flow, file, client: 'replay'|'logger', proto, port, octetCount }],
 *   counts: { flow: records expected from the parse node },
 *   expectedAlerts: { flow: rows } }
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { root, userDir, uiPort } = job;
const { replay } = require(path.join(root, 'tools', 'replay-cli.js'));
const { NodeRedProcess } = require('./node-red-process');

const FLOWS = {
  pu: { file: 'Palo Alto beaconing from CEF over UDP syslog.json', alerts: 'beacon-alerts-paloalto-cef.jsonl' },
  pt: { file: 'Palo Alto beaconing from PAN-OS CSV over TCP syslog.json', alerts: 'beacon-alerts-paloalto-csv.jsonl' },
  zt: { file: 'WireData beaconing from Zeek JSON over TCP.json', alerts: 'beacon-alerts-zeek-json.jsonl' },
};

/** The flows to deploy, each with a probe: every parsed record is also appended to a file, to know when all lines went through. */
function flowsFor(names) {
  const flows = [];
  for (const p of names) {
    const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', FLOWS[p].file), 'utf8'));
    nodes.find((n) => n.type === 'beacon-parse').wires[0].push(`${p}_probe`);
    nodes.push({ id: `${p}_probe`, type: 'file', z: `${p}_tab`, name: 'test probe', filename: `parsed-${p}.jsonl`, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', x: 600, y: 200, wires: [] });
    flows.push(...nodes);
  }
  return flows;
}

const records = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')) : []);

async function main() {
  const red = new NodeRedProcess(userDir, uiPort);
  const result = { log: '', parsed: {}, alerts: {}, error: null };
  const names = Object.keys(job.counts);
  try {
    await red.start();
    const base = red.base;
    await red.deploy(flowsFor(names));

    for (const s of job.sends) {
      if (s.client === 'logger') {
        execFileSync('logger', ['--tcp', '--octet-count', '--server', '127.0.0.1', '--port', String(s.port), '--rfc5424', '-t', 'PAN-OS', '-f', s.file]);
      } else {
        const lines = fs.readFileSync(s.file, 'utf8').split('\n').filter(Boolean);
        await replay({ lines, host: '127.0.0.1', port: s.port, proto: s.proto, rate: s.proto === 'udp' ? 2000 : 0, octetCount: Boolean(s.octetCount) });
      }
    }
    for (const p of names) {
      await red.until(`${job.counts[p]} parsed records in ${p}`, () => records(path.join(userDir, `parsed-${p}.jsonl`)).length >= job.counts[p]);
      result.parsed[p] = records(path.join(userDir, `parsed-${p}.jsonl`)).length;
      const res = await fetch(`${base}/inject/${p}_flush`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`inject ${p}_flush answered ${res.status}`);
    }
    for (const p of names) {
      const f = path.join(userDir, FLOWS[p].alerts);
      await red.until(`${job.expectedAlerts[p]} alerts from ${p}`, () => records(f).length >= job.expectedAlerts[p], 30);
      result.alerts[p] = records(f).map((l) => JSON.parse(l));
    }
  } catch (err) {
    result.error = err.message;
  } finally {
    await red.stop();
    result.log = red.log;
    fs.writeFileSync(job.out, JSON.stringify(result));
  }
}

main();
