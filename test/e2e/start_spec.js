'use strict';
/**
 * End to end: `tools/start.js` (what `npm start` runs) starts a real
 * Node-RED process from this project's dependencies on 127.0.0.1, with the
 * package linked into a fresh user directory and both example flows
 * deployed; the flows read the generated sample files. The alert rows the
 * flows write must equal the oracle's rows for the same sample records, and
 * Node-RED must load the package and flows without warnings.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const oracle = require('../oracle/kql-batch');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');
const { freePort } = require('./support/node-red-process');
const { VERSION: NODE_RED_VERSION } = require('../support/node-red');

const ROOT = path.join(__dirname, '..', '..');


const allRows = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
/** The final rows (what the KQL query gives), without the streaming marks; early alerts (Final: false) left out. */
const readRows = (file) => allRows(file).filter((r) => r.Final !== false).map(({ Final, Notify, ...row }) => row);
const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

describe('npm start (real Node-RED process)', function () {
  let child;
  let userDir;
  let output = '';

  after(function () {
    // the launcher and its Node-RED child form one process group: end both even when the test failed
    if (child && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('deploys the example flows and writes exactly the oracle alerts for the sample traffic', async function () {
    const expected = {
      wiredata: oracle.wireDataRule(gen.generateRecords(gen.sampleScenario('wiredata'))),
      paloalto: oracle.paloAltoRule(gen.generateRecords(gen.sampleScenario('csl'))),
      zeek: oracle.wireDataRule(generateLines(gen.sampleScenario('wiredata'), 'zeek-tsv').map((l) => l.record).filter(Boolean)),
    };
    const total = expected.wiredata.length + expected.paloalto.length + expected.zeek.length;
    total.should.be.above(10);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-e2e-'));
    const port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'dist', 'run', 'start.js'), '--port', String(port), '--user-dir', userDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const files = { wiredata: 'beacon-alerts-wiredata.jsonl', paloalto: 'beacon-alerts-paloalto.jsonl', zeek: 'beacon-alerts-zeek.jsonl' };
    // the final rows written (a half-written last line reads as not yet): a cell alerted early is printed
    // once, early, and its final row (not printed) comes when the window closes, later under load
    const finalRowsIn = () => Object.entries(files).every(([rule, file]) => {
      try {
        return readRows(path.join(userDir, file)).length >= expected[rule].length;
      } catch {
        return false;
      }
    });
    // wait (event-driven, no sleeps) until every expected alert was printed and every final row written
    const watcher = fs.watch(userDir);
    try {
      await new Promise((resolve, reject) => {
        const check = () => {
          // the Sentinel-rule flows' alerts are counted against the oracle; the hunt flow's are checked below
          if ((output.match(/^ALERT \[(?!hunt)/gm) || []).length >= total && /^ALERT \[hunt\]/m.test(output) && finalRowsIn()) resolve();
        };
        child.stdout.on('data', (d) => {
          output += d;
          check();
        });
        child.stderr.on('data', (d) => (output += d));
        watcher.on('change', check);
        exited.then(() => reject(new Error(`Node-RED exited early:\n${output.slice(-3000)}`)));
      });
    } finally {
      watcher.close();
    }

    // the editor serves both flows under Import ▸ Examples, and every node type of package.json is loaded
    const base = `http://127.0.0.1:${port}`;
    const examples = await (await fetch(`${base}/library/examples/flows/@netbeacon/node-red-beaconing/`)).json();
    const shipped = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    shipped.length.should.equal(11);
    examples.map((e) => e.fn).sort().should.eql(shipped);
    const nodes = await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json();
    nodes.filter((n) => n.module === '@netbeacon/node-red-beaconing' && n.enabled).flatMap((n) => n.types).sort()
      .should.eql(Object.keys(require(path.join(ROOT, 'package.json'))['node-red'].nodes).sort());

    child.kill('SIGTERM');
    (await exited).should.equal(0);
    output.should.match(new RegExp(`Server now running at http://127\\.0\\.0\\.1:${port}/`));
    // the Node-RED the tests were pointed at (NODE_RED_DIR: the Node-RED 5 matrix step) is the one that ran
    output.should.containEql(`Node-RED version: v${NODE_RED_VERSION}`);
    const warnings = output.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials/.test(l));
    warnings.should.eql([]);
    (output.match(/^ALERT \[(?!hunt)/gm) || []).length.should.equal(total);
    // the hunt flow reports the sample's beacon (10.0.0.4 → 52.239.1.10, every 60 s) once per day, with the pattern's length
    const hunt = readRows(path.join(userDir, 'beacon-alerts-hunt.jsonl'));
    hunt.filter((r) => r.LocalIP === '10.0.0.4' && r.RemoteNetwork === '52.239.1.0/24').length.should.be.above(0); // the hunt groups destinations by network
    hunt.every((r) => typeof r.PatternHours === 'number').should.be.true();

    const wire = readRows(path.join(userDir, files.wiredata));
    const pan = readRows(path.join(userDir, files.paloalto));
    should(canonical(wire)).deepEqual(canonical(expected.wiredata));
    should(canonical(pan)).deepEqual(canonical(expected.paloalto));
    should(canonical(readRows(path.join(userDir, files.zeek)))).deepEqual(canonical(expected.zeek));
    // the Sentinel flows alerted early on the sample's beacon hours, and each cell was notified (printed) once
    const early = allRows(path.join(userDir, 'beacon-alerts-wiredata.jsonl')).filter((r) => r.Final === false);
    early.length.should.be.above(0);
    (output.match(/^ALERT \[WireData\] \(early/gm) || []).length.should.equal(early.length);
  });
});
