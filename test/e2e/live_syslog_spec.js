'use strict';
/**
 * End to end from raw syslog to alert: a real Node-RED process runs the three
 * live syslog example flows; real clients send generated PAN-OS CEF over UDP
 * (netbeacon-replay), PAN-OS CSV over TCP with octet counting (util-linux
 * logger) and Zeek JSON over TCP (netbeacon-replay). The alerts must equal the
 * KQL oracle's rows for the records those lines mean. Everything runs in a
 * private network namespace holding only loopback (the core udp/tcp in nodes
 * listen on all interfaces), so nothing is reachable from outside 127.0.0.1.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const oracle = require('../oracle/kql-batch');
const gen = require('../../tools/traffic-generator');
const { generateLines } = require('../../tools/log-lines');
const zeek = require('../support/zeek');

const ROOT = path.join(__dirname, '..', '..');
const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

function namespaceAvailable() {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && command -v logger'], { encoding: 'utf8' });
  return probe.status === 0 ? null : (probe.stderr || probe.error?.message || 'unshare/ip/logger unavailable').trim();
}

/** Runs the driver in a private network namespace; resolves with what the flows produced. */
async function runInNamespace(dir, job, track) {
  job.out = path.join(dir, `result-${job.uiPort}.json`);
  job.userDir = path.join(dir, `userdir-${job.uiPort}`);
  job.root = ROOT;
  fs.mkdirSync(job.userDir);
  const jobFile = path.join(dir, `job-${job.uiPort}.json`);
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const driver = path.join(__dirname, 'support', 'live-syslog-driver.js');
  const child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${driver}" "${jobFile}"`], { stdio: 'inherit', detached: true });
  track(child);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  code.should.equal(0);
  const result = JSON.parse(fs.readFileSync(job.out, 'utf8'));
  should(result.error).equal(null, `${result.error}\n${result.log.slice(-3000)}`);
  const warnings = result.log.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials/.test(l));
  warnings.should.eql([]);
  result.parsed.should.eql(job.counts);
  return result;
}

describe('live syslog examples, end to end over UDP and TCP (real Node-RED, replay tool, logger)', function () {
  let dir;
  const children = [];
  const track = (c) => children.push(c);
  before(function () {
    const why = namespaceAvailable();
    if (why) {
      console.log(`      skipped: no private network namespace with loopback and logger (${why})`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-live-'));
  });
  after(() => {
    // the namespace's processes form one group: end them even when a test failed or timed out
    for (const c of children) if (c.exitCode === null) process.kill(-c.pid, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns CEF/UDP, CSV/TCP (octet-counted) and Zeek JSON/TCP lines into exactly the oracle alerts', async function () {
    const scenario = {
      ...gen.DEFAULT_OPTIONS, seed: 77, hours: 2, noiseHosts: 3, noisePerHour: 20,
      beacons: [{ src: '10.0.0.4', dst: '52.239.1.10', port: 443, periodSeconds: 60, jitter: 0, jitterMode: 'one-sided',
        startOffsetSeconds: 120, durationSeconds: 7000, sentBytes: 500, receivedBytes: 900, user: 'corp\\svc' }],
    };
    const cef = generateLines(scenario, 'panos-cef');
    const csv = generateLines(scenario, 'panos-csv');
    const zeek = generateLines({ ...scenario, disorderSeconds: 120 }, 'zeek-json');
    // logger sends bodies under its own RFC 5424 header: the syslog host (DeviceName for CSV) is this machine
    const host = os.hostname();
    const body = (line) => line.replace(/^<\d+>(?:1 \S+ \S+ - - - - |[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ )/, '');
    const write = (name, lines) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, lines.join('\n') + '\n');
      return f;
    };
    const expected = {
      pu: oracle.paloAltoRule(cef.map((l) => l.record)),
      pt: oracle.paloAltoRule(csv.map((l) => ({ ...l.record, DeviceName: host }))),
      zt: oracle.wireDataRule(zeek.map((l) => l.record)),
    };
    for (const p of Object.keys(expected)) expected[p].length.should.be.above(0, `scenario yields ${p} alerts`);
    const result = await runInNamespace(dir, {
      uiPort: 18930,
      sends: [
        { flow: 'pu', client: 'replay', proto: 'udp', port: 5514, file: write('cef.log', cef.map((l) => l.line)) },
        { flow: 'pt', client: 'logger', proto: 'tcp', port: 5515, file: write('csv.log', csv.map((l) => body(l.line))) },
        { flow: 'zt', client: 'replay', proto: 'tcp', port: 5516, file: write('zeek.json', zeek.map((l) => l.line)) },
      ],
      counts: { pu: cef.length, pt: csv.length, zt: zeek.length },
      expectedAlerts: { pu: expected.pu.length, pt: expected.pt.length, zt: expected.zt.length },
    }, track);
    should(canonical(result.alerts.pu)).deepEqual(canonical(expected.pu));
    should(canonical(result.alerts.pt)).deepEqual(canonical(expected.pt));
    should(canonical(result.alerts.zt)).deepEqual(canonical(expected.zt));
    console.log(`      alerts: CEF/UDP ${expected.pu.length}, CSV/TCP ${expected.pt.length}, Zeek JSON/TCP ${expected.zt.length}`);
  });

  it('reads a real Zeek conn.log (../shared/datasets) sent over TCP as a shipper would (tail | nc), and alerts as the oracle does', async function () {
    const datasets = path.join(ROOT, '..', 'shared', 'datasets');
    if (!fs.existsSync(datasets)) {
      console.log(`      skipped: ${datasets} is absent`);
      return this.skip();
    }
    const d = zeek.listDatasets().find((x) => x.name === 'rita-missing-host');
    const lines = d.files.flatMap(zeek.readLines);
    const recs = zeek.loadDataset(d).map(zeek.toWireData);
    // the shipped lateness (6 h) covers this capture's disorder (3,900 s)
    zeek.maxLagSeconds(recs).should.be.below(21600);
    const expected = oracle.wireDataRule(recs);
    const all = oracle.wireDataRule(recs, { allRows: true });
    all.length.should.be.above(1000);
    const file = path.join(dir, 'missing-host.conn.log');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const result = await runInNamespace(dir, {
      uiPort: 18931,
      sends: [{ flow: 'zt', client: 'replay', proto: 'tcp', port: 5516, file }],
      counts: { zt: recs.length },
      expectedAlerts: { zt: expected.length },
    }, track);
    should(canonical(result.alerts.zt)).deepEqual(canonical(expected));
    console.log(`      rita-missing-host: ${lines.length} lines over TCP, ${recs.length} records parsed, ${expected.length} alerts (oracle ${expected.length})`);
  });
});
