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

const ROOT = path.join(__dirname, '..', '..');
const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

function namespaceAvailable() {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && command -v logger'], { encoding: 'utf8' });
  return probe.status === 0 ? null : (probe.stderr || probe.error?.message || 'unshare/ip/logger unavailable').trim();
}

describe('live syslog examples, end to end over UDP and TCP (real Node-RED, replay tool, logger)', function () {
  let dir;
  let child;
  after(() => {
    // the namespace's processes form one group: end them even when the test failed or timed out
    if (child && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns CEF/UDP, CSV/TCP (octet-counted) and Zeek JSON/TCP lines into exactly the oracle alerts', async function () {
    const why = namespaceAvailable();
    if (why) {
      console.log(`      skipped: no private network namespace with loopback and logger (${why})`);
      return this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-live-'));
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
    const csvRecords = csv.map((l) => ({ ...l.record, DeviceName: host }));
    const write = (name, lines) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, lines.join('\n') + '\n');
      return f;
    };
    const expected = {
      pu: oracle.paloAltoRule(cef.map((l) => l.record)),
      pt: oracle.paloAltoRule(csvRecords),
      zt: oracle.wireDataRule(zeek.map((l) => l.record)),
    };
    for (const p of Object.keys(expected)) expected[p].length.should.be.above(0, `scenario yields ${p} alerts`);
    const job = {
      root: ROOT,
      userDir: path.join(dir, 'userdir'),
      uiPort: 18930,
      files: { cef: write('cef.log', cef.map((l) => l.line)), csv: write('csv.log', csv.map((l) => body(l.line))), zeek: write('zeek.json', zeek.map((l) => l.line)) },
      counts: { pu: cef.length, pt: csv.length, zt: zeek.length },
      expectedAlerts: { pu: expected.pu.length, pt: expected.pt.length, zt: expected.zt.length },
      out: path.join(dir, 'result.json'),
    };
    fs.mkdirSync(job.userDir);
    fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
    child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${path.join(__dirname, 'support', 'live-syslog-driver.js')}" "${path.join(dir, 'job.json')}"`], { stdio: 'inherit', detached: true });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    code.should.equal(0);
    const result = JSON.parse(fs.readFileSync(job.out, 'utf8'));
    should(result.error).equal(null, `${result.error}\n${result.log.slice(-3000)}`);
    result.parsed.should.eql(job.counts);
    should(canonical(result.alerts.pu)).deepEqual(canonical(expected.pu));
    should(canonical(result.alerts.pt)).deepEqual(canonical(expected.pt));
    should(canonical(result.alerts.zt)).deepEqual(canonical(expected.zt));
    const warnings = result.log.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials/.test(l));
    warnings.should.eql([]);
    console.log(`      alerts: CEF/UDP ${expected.pu.length}, CSV/TCP ${expected.pt.length}, Zeek JSON/TCP ${expected.zt.length}`);
  });
});
