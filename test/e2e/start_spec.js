'use strict';
/**
 * End to end: `dist/run/start.js` (what `npm start` runs) starts a real
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

const allRows = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
/** The final rows (what the KQL query gives), without the streaming marks and AlertId; early alerts (Final: false) left out. */
const readRows = (file) =>
  allRows(file)
    .filter((r) => r.Final !== false)
    .map(({ Final, Notify, AlertId, ...row }) => row);
const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

/** The environments of a process group's members other than its leader (npm start's Node-RED), read from /proc. */
function childEnvironments(pgid) {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== pgid)
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map((d) =>
      Object.fromEntries(
        fs
          .readFileSync(`/proc/${d}/environ`, 'latin1')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
    );
}

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
      zeek: oracle.wireDataRule(
        generateLines(gen.sampleScenario('wiredata'), 'zeek-tsv')
          .map((l) => l.record)
          .filter(Boolean),
      ),
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
    const finalRowsIn = () =>
      Object.entries(files).every(([rule, file]) => {
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
    const shipped = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
    // the flows whose alerts are checked here are among them (the menu must list whatever else ships)
    shipped.should.containDeep([
      'Beacon hunt (per pair, 7-day history)',
      'Palo Alto beaconing (Sentinel rule)',
      'WireData beaconing (Sentinel rule)',
      'WireData beaconing from Zeek conn.log',
    ]);
    examples
      .map((e) => e.fn)
      .sort()
      .should.eql(shipped);
    const nodes = await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json();
    nodes
      .filter((n) => n.module === '@netbeacon/node-red-beaconing' && n.enabled)
      .flatMap((n) => n.types)
      .sort()
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

describe('npm start keeps what the user did (real processes)', function () {
  const { execFileSync } = require('child_process');
  let dir;
  let child = null;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-keep-'));
  });
  afterEach(function () {
    if (child && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    child = null;
  });
  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs dist/run/start.js until the editor answers with its flows, then stops it with SIGTERM; resolves
   * with its output and the deployed flows. `port`: the one settings.js names (no --port given).
   */
  async function startAndStop(userDir, extra = [], port = null, ownEnv = {}) {
    const portArgs = port ? [] : ['--port', String((port = await freePort()))];
    const { PORT, MALLOC_MMAP_THRESHOLD_, ...rest } = process.env;
    const env = { ...rest, ...ownEnv };
    let output = '';
    child = spawn(process.execPath, [path.join(ROOT, 'dist', 'run', 'start.js'), ...portArgs, '--user-dir', userDir, ...extra], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // the editor answers once its log says the flows started (an event, not a delay)
    await new Promise((resolve, reject) => {
      const check = () => /\] Started flows/.test(output) && resolve();
      child.stdout.on('data', (d) => {
        output += d;
        check();
      });
      child.stderr.on('data', (d) => (output += d));
      exited.then(() => reject(new Error(`npm start exited early:\n${output.slice(-3000)}`)));
    });
    const flows = await (await fetch(`http://127.0.0.1:${port}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).json();
    const nodes = await (await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { Accept: 'application/json' } })).json();
    // the launcher leads the group; its one child is Node-RED
    const redEnv = childEnvironments(child.pid);
    redEnv.length.should.equal(1);
    child.kill('SIGTERM');
    (await exited).should.equal(0);
    child = null;
    return { output, flows, nodes, redEnv: redEnv[0] };
  }

  /** A tiny palette-style module packed into a tarball, for `npm install <tarball>` without the network. */
  function packModule() {
    const src = path.join(dir, 'tiny-module');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(
      path.join(src, 'package.json'),
      JSON.stringify({ name: 'netbeacon-test-tiny-module', version: '1.0.0', main: 'index.js', license: 'MIT' }),
    );
    fs.writeFileSync(path.join(src, 'index.js'), 'module.exports = 42;\n');
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: src, encoding: 'utf8' }).trim().split('\n').pop();
    return path.join(dir, name);
  }

  /** Modification times of every compiled file of the checkout: a rebuild (the package's prepare script) rewrites them. */
  const builtFiles = () =>
    ['core', 'nodes', 'tools'].flatMap((d) =>
      fs
        .readdirSync(path.join(ROOT, 'dist', d), { recursive: true })
        .filter((f) => f.endsWith('.js'))
        .map((f) => path.join(ROOT, 'dist', d, f)),
    );
  const mtimes = () => Object.fromEntries(builtFiles().map((f) => [f, fs.statSync(f).mtimeMs]));

  it('a second start keeps edited flows, a settings.js line, an installed module and the alert files; npm install there leaves the checkout alone; --reset starts afresh', async function () {
    const userDir = path.join(dir, 'user');
    const first = await startAndStop(userDir);
    // glibc's mmap threshold for the pair store's pages (README: Sizing a site)
    first.redEnv.MALLOC_MMAP_THRESHOLD_.should.equal('65536');
    first.flows.flows.filter((n) => n.type === 'beacon-scorer').length.should.be.above(2);
    // the package loads from the checkout, not from the user directory
    first.nodes.filter((n) => n.module === '@netbeacon/node-red-beaconing' && n.enabled).length.should.be.above(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8'));
    should(manifest.dependencies || {}).not.have.property('@netbeacon/node-red-beaconing');
    fs.existsSync(path.join(userDir, 'node_modules', '@netbeacon', 'node-red-beaconing')).should.be.false();

    // what a user does between two starts
    const flowsFile = path.join(userDir, 'flows.json');
    const flows = JSON.parse(fs.readFileSync(flowsFile, 'utf8'));
    const tab = flows.find((n) => n.type === 'tab').id;
    flows.push({ id: 'user_note', type: 'comment', z: tab, name: 'my own note', info: '', x: 200, y: 900, wires: [] });
    fs.writeFileSync(flowsFile, JSON.stringify(flows, null, 2));
    const settingsFile = path.join(userDir, 'settings.js');
    const myPort = await freePort();
    fs.writeFileSync(
      settingsFile,
      fs
        .readFileSync(settingsFile, 'utf8')
        .replace(
          'module.exports = {',
          // the node flags Node-RED runs with, as settings.js (run inside it) sees them
          `require('fs').writeFileSync(${JSON.stringify(path.join(userDir, 'exec-argv.json'))}, JSON.stringify(process.execArgv));\nmodule.exports = {\n    // my own settings line\n    apiMaxLength: "6mb",`,
        )
        .replace(/uiPort: \d+,/, `uiPort: ${myPort},`),
    );
    const alertFile = path.join(userDir, 'beacon-alerts-wiredata.jsonl');
    fs.appendFileSync(alertFile, `${JSON.stringify({ mine: 'an alert row the user keeps' })}\n`);
    // installing a module there, as the palette manager does: the checkout must not be rebuilt
    const before = mtimes();
    Object.keys(before).length.should.be.above(20);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', packModule()], { cwd: userDir, encoding: 'utf8' });
    should(mtimes()).eql(before);
    JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8')).dependencies.should.have.property('netbeacon-test-tiny-module');

    // no --port: the editor answers on the port the user's settings.js names
    // a value the user set wins
    const second = await startAndStop(userDir, [], myPort, { MALLOC_MMAP_THRESHOLD_: '131072' });
    second.redEnv.MALLOC_MMAP_THRESHOLD_.should.equal('131072');
    // V8 compacting at every full GC (README: Sizing a site)
    JSON.parse(fs.readFileSync(path.join(userDir, 'exec-argv.json'), 'utf8')).should.containEql('--compact-on-every-full-gc');
    second.output.should.containEql(`editor at http://127.0.0.1:${myPort}`);
    // the flows Node-RED runs are the user's
    second.flows.flows.filter((n) => n.id === 'user_note').length.should.equal(1);
    second.output.should.match(/keeping settings\.js, package\.json, flows\.json, node_modules, beacon-alerts-wiredata\.jsonl/);
    fs.readFileSync(settingsFile, 'utf8').should.containEql('// my own settings line');
    JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8')).dependencies.should.have.property('netbeacon-test-tiny-module');
    require(path.join(userDir, 'node_modules', 'netbeacon-test-tiny-module')).should.equal(42);
    fs.readFileSync(alertFile, 'utf8').should.containEql('an alert row the user keeps');
    second.nodes.filter((n) => n.module === '@netbeacon/node-red-beaconing' && n.enabled).length.should.be.above(0);

    const third = await startAndStop(userDir, ['--reset']);
    for (const entry of ['flows.json', 'settings.js', 'package.json', 'node_modules', 'beacon-alerts-wiredata.jsonl']) {
      third.output.should.containEql(`--reset: removing ${path.join(userDir, entry)}\n`);
    }
    third.flows.flows.filter((n) => n.id === 'user_note').should.be.empty();
    fs.readFileSync(settingsFile, 'utf8').should.not.containEql('// my own settings line');
    should(JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8')).dependencies).eql({});
    fs.existsSync(path.join(userDir, 'node_modules', 'netbeacon-test-tiny-module')).should.be.false();
    (fs.existsSync(alertFile) ? fs.readFileSync(alertFile, 'utf8') : '').should.not.containEql('an alert row the user keeps');
  });

  it('--reset refuses a directory it did not make', async function () {
    const other = fs.mkdtempSync(path.join(dir, 'other-'));
    fs.writeFileSync(path.join(other, 'precious.txt'), 'keep me');
    const run = require('child_process').spawnSync(process.execPath, [path.join(ROOT, 'dist', 'run', 'start.js'), '--reset', '--user-dir', other], {
      encoding: 'utf8',
    });
    run.status.should.equal(2);
    run.stderr.should.match(/was not made by npm start/);
    fs.readFileSync(path.join(other, 'precious.txt'), 'utf8').should.equal('keep me');
  });
});
