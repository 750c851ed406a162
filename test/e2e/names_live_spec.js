'use strict';
/**
 * The hunt by name end to end: a real Node-RED process runs the example
 * "Beacon hunt by name (Zeek conn + dns + ssl over TCP)" on a free port of
 * 127.0.0.1; util-linux logger sends Zeek conn, dns and ssl JSON lines, in
 * time order, over TCP (octet-counted RFC 5424). A C2 whose address rotates
 * over ten unrelated networks under one name, and a DNS beacon asking for a
 * fresh random subdomain each time, must each be one alert keyed by name; a
 * service the benign pack names is held back with its entry; a name polled
 * by more hosts than the prevalence limit never alerts.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { namesSuite } = require('../../dist/dev/name-suite');
const { NodeRedProcess, freePort, ROOT } = require('./support/node-red-process');
const { fileProbe: probe, flushMarker, flushMarks, jsonLines } = require('./support/file-probe');
const { loggerAvailable, runLogger } = require('./support/live-feed');

const EXAMPLE = 'Beacon hunt by name (Zeek conn + dns + ssl over TCP).json';
const rows = (file) => jsonLines(file).flatMap((batch) => [].concat(batch));

/** The example on `port`, its alerts and held-back rows written to files, and a marker once the flush has left the scorers. */
function namesFlow(port) {
  const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8'));
  const input = nodes.find((n) => n.type === 'beacon-syslog-in');
  Object.assign(input, { port });
  const z = input.z;
  const resolve = nodes.find((n) => n.type === 'beacon-resolve');
  resolve.excludeQueriers = '10.1.0.2'; // the suite's DNS server
  nodes.find((n) => n.type === 'file').filename = 'alerts-names.jsonl';
  input.wires[0].push('t_records');
  const main = nodes.find((n) => n.id === 'hn_score');
  main.wires[1].push('t_below', 't_flushed');
  nodes.push(probe('t_records', z, 'records-names.jsonl'), probe('t_below', z, 'below-names.jsonl'), ...flushMarker('t', z, ['hn_file', 't_below'], 940));
  return nodes;
}

describe('hunt by name, end to end (real Node-RED, logger over TCP)', function () {
  let dir;
  let red = null;
  before(function () {
    const why = loggerAvailable();
    if (why) {
      console.log(`      skipped: util-linux logger is not available (${why})`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-names-'));
  });
  after(async () => {
    if (red) await red.stop().catch(() => red.kill());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the C2 behind rotating addresses and the DNS beacon by name; holds back the listed service and the shared name', async function () {
    const suite = namesSuite(2323, { hours: 24, browsers: 4 });
    // the scenario does what it claims: one name, answered from ten unrelated /16s
    const rotating = new Set(
      suite.lines
        .map((l) => JSON.parse(l))
        .filter((o) => o.query === 'api.rotor-c2.net' && o.answers)
        .map((o) => o.answers[0].split('.').slice(0, 2).join('.')),
    );
    rotating.size.should.be.aboveOrEqual(8);

    const port = await freePort();
    const userDir = fs.mkdtempSync(path.join(dir, 'userdir-'));
    red = new NodeRedProcess(userDir, await freePort());
    await red.start();
    await red.deploy(namesFlow(port));
    await red.until(`listening on tcp ${port}`, () => red.log.includes(`listening on tcp 127.0.0.1:${port}`));

    const file = path.join(dir, 'names.json');
    fs.writeFileSync(file, suite.lines.join('\n') + '\n');
    await runLogger(['--tcp', '--octet-count', '--rfc5424', '--port', String(port)], file, 'zeek');
    const records = () => jsonLines(path.join(userDir, 'records-names.jsonl')).reduce((n, b) => n + [].concat(b).length, 0);
    await red.until(`${suite.lines.length} records parsed`, () => records() >= suite.lines.length, 180);
    records().should.equal(suite.lines.length);
    (await fetch(`${red.base}/inject/hn_flush`, { method: 'POST' })).status.should.equal(200);
    // the mark follows every row in both files: the alerts and the held-back rows are complete
    const alertFile = path.join(userDir, 'alerts-names.jsonl');
    const belowFile = path.join(userDir, 'below-names.jsonl');
    await red.until('the flush to leave the scorer', () => flushMarks(alertFile) > 0 && flushMarks(belowFile) > 0, 120);

    const key = (r) => `${r.LocalIP} → ${r.RemoteKey}:${r.RemotePortNumber}`;
    const alerts = rows(alertFile);
    const alerted = new Set(alerts.map(key));
    should(alerted.has('10.200.1.10 → api.rotor-c2.net:443')).be.true(`the rotating C2 by name, among ${[...alerted].join(', ')}`);
    should(alerted.has('10.200.2.10 → dnsbeacon-c2.org:53')).be.true('the DNS beacon by domain');
    // the forwarding resolver is not a DNS client; the shared name never alerts; the listed services are held back
    [...alerted].filter((k) => k.startsWith('10.1.0.2 ') || k.includes('saas-popular.com') || k.startsWith('10.210.')).should.eql([]);
    const held = rows(belowFile).filter((r) => r.Suppressed);
    const eset = held.find((r) => r.RemoteKey === 'edf.eset.com');
    should(eset).not.be.undefined();
    eset.SuppressedBy.should.equal('name *.eset.com');
    eset.Suppressed.should.match(/benign pack/);
  });
});
