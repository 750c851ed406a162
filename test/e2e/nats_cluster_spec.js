'use strict';
/**
 * Scale-out on NATS JetStream end to end: a real nats-server (file
 * storage, 127.0.0.1) and real Node-RED processes — one ingest running
 * examples/Scale-out on NATS ingest.json and two workers running
 * examples/Scale-out on NATS worker.json (12 partitions, checkpoints in one
 * shared folder, leases of 2 s so takeovers come quickly). The test feeds
 * the ingest over HTTP (raw Zeek conn.log lines into its stream ingest, published unparsed) and
 * waits on conditions (the flush of every partition out of the workers,
 * their published status), never on sleeps.
 *
 * The union of the rows the workers write (alerts and rows below the
 * thresholds) is held against one detection chain fed every record — after
 * a SIGKILL with takeover, a SIGTERM, a NATS restart, a worker that joins
 * late, and a worker frozen with SIGSTOP past its lease.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');
const { StreamCluster } = require('../../dist/run/stream-cluster');
const { findNatsServer, NATS_MISSING } = require('../../dist/run/nats-server');
const { DetectionChain } = require('../../dist/stream/detection-chain');
const { EXAMPLE_CHAIN } = require('../stream/support/example-chain');
const { freePort } = require('../stream/support/nats-server');
const oracle = require('../oracle/kql-batch');
const zeek = require('../support/zeek');
const { canonical } = require('../support/example-flows');

const PARTITIONS = 12;

/** The ingest example plus a feed: POST /records (Zeek lines) and POST /control ({flush|checkpoint: true}) into its stream ingest. */
function withFeed(flows) {
  const z = 'nso_in_tab';
  return [
    ...flows,
    { id: 't_records', z, type: 'http in', url: '/records', method: 'post', upload: false, swaggerDoc: '', wires: [['nso_in_publish', 't_ok']] },
    { id: 't_control', z, type: 'http in', url: '/control', method: 'post', upload: false, swaggerDoc: '', wires: [['t_flags', 't_ok']] },
    {
      id: 't_flags',
      z,
      type: 'change',
      rules: [
        { t: 'set', p: 'flush', pt: 'msg', to: 'payload.flush = true', tot: 'jsonata' },
        { t: 'set', p: 'checkpoint', pt: 'msg', to: 'payload.checkpoint = true', tot: 'jsonata' },
        { t: 'delete', p: 'payload', pt: 'msg' },
      ],
      wires: [['nso_in_publish']],
    },
    { id: 't_ok', z, type: 'http response', statusCode: '', headers: {}, wires: [] },
  ];
}

/**
 * The worker example plus probes: rows below the thresholds to below.jsonl,
 * control messages (with their partition) to control.jsonl and also into both
 * row files, after the rows sent before them (a file node writes in order), so
 * a flush line in a row file means every row before it is on disk.
 */
function withProbes(flows) {
  const z = 'nso_wk_tab';
  const nodes = JSON.parse(JSON.stringify(flows));
  const worker = nodes.find((n) => n.id === 'nso_wk_worker');
  worker.wires[1].push('t_below');
  worker.wires[2].push('t_flags');
  const file = (id, filename) => ({
    id,
    z,
    type: 'file',
    filename,
    filenameType: 'str',
    appendNewline: true,
    createDir: true,
    overwriteFile: 'false',
    encoding: 'utf8',
    wires: [],
  });
  return [
    ...nodes,
    file('t_below', 'below.jsonl'),
    {
      id: 't_flags',
      z,
      type: 'change',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"flush": flush = true, "checkpoint": checkpoint = true, "partition": partition}', tot: 'jsonata' }],
      wires: [['t_control', 't_below', 'nso_wk_file']],
    },
    file('t_control', 'control.jsonl'),
  ];
}

const lines = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : []);
const rowsOf = (file) =>
  lines(file)
    .filter((l) => /^[[{]/.test(l))
    .flatMap((l) => [].concat(JSON.parse(l)))
    .filter((r) => r.TimeGenerated !== undefined);
const flushLines = (file) => lines(file).filter((l) => l.includes('"flush":true')).length;
const cellKey = (row) => JSON.stringify([row.TimeGenerated, row.LocalIP, row.RemoteIP, row.RemotePortNumber]);
const strip = ({ FailedThresholds, AlertId, Notify, ...row }) => row;

/** Beacons from many sources, so every partition has some; arrival up to 200 s out of order. */
function generated(seed) {
  const rnd = (k) => (seed * 31 + k * 17) % 97;
  const beacons = Array.from({ length: 16 }, (_, i) => ({
    src: `10.9.${i}.${10 + i}`,
    dst: `52.${10 + i}.${rnd(i)}.${20 + i}`,
    port: [443, 80, 8443][i % 3],
    periodSeconds: [30, 45, 60, 90, 120][i % 5],
    jitter: i % 4 === 3 ? 0.1 : 0,
    jitterMode: 'one-sided',
    startOffsetSeconds: rnd(i) * 10,
    durationSeconds: 2 * 3600,
    sentBytes: 300 + i,
    receivedBytes: 900 + i,
    user: '',
  }));
  const rendered = generateLines({ ...gen.DEFAULT_OPTIONS, seed, hours: 3, beacons, noiseHosts: 8, noisePerHour: 30, disorderSeconds: 200 }, 'zeek-tsv');
  return rendered;
}

describe('scale-out on NATS JetStream: 1 ingest + 2 workers (real nats-server, real Node-RED processes)', function () {
  this.timeout(240000);
  let cluster;
  let dir;

  before(function () {
    if (!findNatsServer()) {
      if (process.env.CI) throw new Error(NATS_MISSING);
      console.log(`      skipped: ${NATS_MISSING}`);
      this.skip();
    }
  });

  beforeEach(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-nats-cluster-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    cluster = new StreamCluster({
      dir,
      workers: 2,
      partitions: PARTITIONS,
      records: '',
      natsPort: await freePort(),
      ports,
      leaseSeconds: 2,
      ingestFlows: withFeed,
      workerFlows: withProbes,
    });
    await cluster.start();
  });

  afterEach(async function () {
    await cluster?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const workerFile = (i, name) => path.join(cluster.workers[i].o.userDir, name);
  const post = async (route, body, type) => {
    const res = await fetch(`${cluster.ingest.base}${route}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    if (res.status !== 200) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
  };
  /** Zeek lines, the header first in each post (the parser reads the #fields line of its stream). */
  const send = async (header, body) => {
    for (let i = 0; i < body.length; i += 300) await post('/records', [...header, ...body.slice(i, i + 300)].join('\n') + '\n', 'text/plain');
  };
  const controls = (i, flag) =>
    lines(workerFile(i, 'control.jsonl'))
      .filter((l) => l.includes(`"${flag}":true`))
      .map((l) => JSON.parse(l).partition);
  /** Partitions whose flush came out of some worker, with every row before it written to both row files. */
  const flushed = () => {
    const rowsWritten = cluster.workers.every((_, i) => {
      const n = controls(i, 'flush').length;
      return flushLines(workerFile(i, 'below.jsonl')) >= n && flushLines(workerFile(i, 'beacon-alerts-scaleout.jsonl')) >= n;
    });
    return rowsWritten ? new Set(cluster.workers.flatMap((_, i) => controls(i, 'flush'))) : new Set();
  };
  const held = (i) => cluster.held().get(cluster.workerId(i)) || [];
  const until = (what, test) => cluster.ingest.until(what, test, 180);
  const allRows = () => cluster.workers.flatMap((_, i) => [...rowsOf(workerFile(i, 'beacon-alerts-scaleout.jsonl')), ...rowsOf(workerFile(i, 'below.jsonl'))]);

  /** Every cell once (a cell written twice must be written the same), equal to one chain fed every record. */
  function sameAsSingleInstance(rows, records) {
    const single = new DetectionChain(EXAMPLE_CHAIN.chain).push(records, true);
    const expected = new Map([...single.alerts, ...single.rows].map((r) => [cellKey(r), strip(r)]));
    const got = new Map();
    for (const row of rows) {
      const key = cellKey(row);
      if (got.has(key)) should(strip(row)).eql(got.get(key), `${key} written twice with different counts`);
      got.set(key, strip(row));
    }
    single.alerts.length.should.be.above(5);
    [...got.keys()].sort().should.eql([...expected.keys()].sort());
    for (const [key, row] of expected) should(got.get(key)).eql(row, key);
    return single;
  }

  /** Each alert notified exactly once across the workers (msg.notify / Notify). */
  function notifiedOnce(single) {
    const alerts = cluster.workers.flatMap((_, i) => rowsOf(workerFile(i, 'beacon-alerts-scaleout.jsonl')));
    const notified = alerts
      .filter((r) => r.Notify === true)
      .map(cellKey)
      .sort();
    notified.should.eql(single.alerts.map(cellKey).sort());
  }

  /** The header lines, the body lines, every record, and how many records the first n body lines hold. */
  function split(seed) {
    const rendered = generated(seed);
    const header = rendered.filter((r) => r.line.startsWith('#')).map((r) => r.line);
    const bodyRows = rendered.filter((r) => !r.line.startsWith('#'));
    const recordsIn = (n) => bodyRows.slice(0, n).filter((r) => r.record).length;
    return { header, body: bodyRows.map((r) => r.line), records: rendered.map((r) => r.record).filter(Boolean), recordsIn };
  }

  /** Records the workers have absorbed, as their last status messages say. */
  const absorbed = () => [...cluster.statuses.values()].reduce((a, s) => a + s.counts.records, 0);

  it("a real capture (stratosphere-011, raw Zeek lines), uninterrupted: every row equals the KQL oracle's", async function () {
    zeek.datasetsOrSkip(this);
    const d = zeek.listDatasets().find((x) => x.name === 'stratosphere-011');
    if (!d) {
      console.log('      skipped: stratosphere-011 is not among ../shared/datasets');
      this.skip();
    }
    const input = d.files.flatMap(zeek.readLines);
    const header = input.filter((l) => l.startsWith('#'));
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    await send(
      header,
      input.filter((l) => !l.startsWith('#')),
    );
    await post('/control', JSON.stringify({ flush: true }), 'application/json');
    await until('every partition flushed', () => flushed().size === PARTITIONS);
    const expected = oracle.wireDataRule(zeek.loadDataset(d).map(zeek.toWireData), { allRows: true });
    expected.length.should.be.above(1000);
    // AlertId, Notify and FailedThresholds are no columns of the KQL query
    should(canonical(allRows().map(strip))).deepEqual(canonical(expected.map(strip)));
  });

  it('SIGKILL of a worker mid-stream: the other takes its partitions over; exact rows, each alert notified once', async function () {
    const { header, body, records, recordsIn } = split(21);
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    const third = Math.floor(body.length / 3);
    await send(header, body.slice(0, third));
    await post('/control', JSON.stringify({ checkpoint: true }), 'application/json');
    await until('every partition checkpointed', () => new Set([...controls(0, 'checkpoint'), ...controls(1, 'checkpoint')]).size === PARTITIONS);
    // records absorbed after that checkpoint, then the crash: they must be read again by the next owner
    await send(header, body.slice(third, 2 * third));
    await until('both workers to absorb the second third', () => absorbed() >= recordsIn(2 * third));
    await cluster.workers[0].kill();
    await until('worker 2 to take every partition', () => held(1).length === PARTITIONS);
    await send(header, body.slice(2 * third));
    await post('/control', JSON.stringify({ flush: true }), 'application/json');
    await until('every partition flushed', () => flushed().size === PARTITIONS);
    controls(1, 'flush').length.should.equal(PARTITIONS);
    cluster.statuses.get(cluster.workerId(1)).counts.restored.should.be.aboveOrEqual(6);
    notifiedOnce(sameAsSingleInstance(allRows(), records));
  });

  it('SIGTERM of a worker mid-stream (systemd, docker stop): its partitions move at once; restarted, it takes its share back; exact rows', async function () {
    const { header, body, records, recordsIn } = split(24);
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    const half = Math.floor(body.length / 2);
    await send(header, body.slice(0, half));
    await until('both workers to absorb the first half', () => absorbed() >= recordsIn(half));
    const stopping = cluster.workers[0].stop();
    await send(header, body.slice(half, half + 600));
    await stopping;
    // checkpointed and released on close, not left to expire
    cluster.workers[0].log.should.not.match(/partitions not released|checkpoint not saved/);
    await until('worker 2 to hold every partition', () => held(1).length === PARTITIONS);
    await until('worker 2 to report the 6 partitions it restored', () => cluster.statuses.get(cluster.workerId(1)).counts.restored >= 6);
    await cluster.startWorker(0);
    await until('a split of 6 and 6 again', () => held(0).length === 6 && held(1).length === 6);
    await send(header, body.slice(half + 600));
    await post('/control', JSON.stringify({ flush: true }), 'application/json');
    await until('every partition flushed', () => flushed().size === PARTITIONS);
    notifiedOnce(sameAsSingleInstance(allRows(), records));
  });

  it('a NATS restart mid-stream (file storage): the ingest retries, the workers resume from their checkpoints; exact rows', async function () {
    const { header, body, records, recordsIn } = split(25);
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    const half = Math.floor(body.length / 2);
    await send(header, body.slice(0, half));
    await until('both workers to absorb the first half', () => absorbed() >= recordsIn(half));
    await cluster.nats.stop();
    // parsed and handed to the ingest while the server is down: published when it is back
    await send(header, body.slice(half, half + 600));
    await cluster.nats.start();
    await send(header, body.slice(half + 600));
    await post('/control', JSON.stringify({ flush: true }), 'application/json');
    await until('every partition flushed', () => flushed().size === PARTITIONS);
    cluster.ingest.log.should.not.match(/given up after retrying/);
    // the restart was felt: leases lapsed and partitions were stopped, then taken again
    cluster.workers.some((w) => /partition \d+ stopped/.test(w.log)).should.be.true();
    notifiedOnce(sameAsSingleInstance(allRows(), records));
  });

  it('a worker that joins late (restarted after a SIGKILL) gets its share and the flush; exact rows', async function () {
    const { header, body, records } = split(22);
    await cluster.workers[1].kill();
    await until('worker 1 to hold every partition', () => held(0).length === PARTITIONS);
    const half = Math.floor(body.length / 2);
    await send(header, body.slice(0, half));
    await cluster.startWorker(1);
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    await send(header, body.slice(half));
    await post('/control', JSON.stringify({ flush: true }), 'application/json');
    await until('every partition flushed', () => flushed().size === PARTITIONS);
    controls(1, 'flush').length.should.equal(6);
    rowsOf(workerFile(1, 'below.jsonl')).length.should.be.above(0);
    notifiedOnce(sameAsSingleInstance(allRows(), records));
  });

  it('a worker frozen past its lease (SIGSTOP) loses its partitions and, thawed, writes nothing stale; exact rows', async function () {
    const { header, body, records } = split(23);
    await until('a split of 6 and 6', () => held(0).length === 6 && held(1).length === 6);
    const half = Math.floor(body.length / 2);
    await send(header, body.slice(0, half));
    cluster.workers[0].pause();
    try {
      await until('worker 2 to take every partition', () => held(1).length === PARTITIONS);
      await send(header, body.slice(half));
      await post('/control', JSON.stringify({ flush: true }), 'application/json');
      await until('every partition flushed by worker 2', () => controls(1, 'flush').length === PARTITIONS && flushed().size === PARTITIONS);
    } finally {
      cluster.workers[0].resume();
    }
    const frozenRows = rowsOf(workerFile(0, 'below.jsonl')).length + rowsOf(workerFile(0, 'beacon-alerts-scaleout.jsonl')).length;
    // thawed, it sees its lease gone, then takes its share back from worker 2's checkpoints
    await until('worker 1 to log the partitions it lost', () => /partition \d+ stopped/.test(cluster.workers[0].log));
    await until('a split of 6 and 6 again', () => held(0).length === 6 && held(1).length === 6);
    controls(0, 'flush').length.should.equal(0);
    (rowsOf(workerFile(0, 'below.jsonl')).length + rowsOf(workerFile(0, 'beacon-alerts-scaleout.jsonl')).length).should.equal(frozenRows);
    notifiedOnce(sameAsSingleInstance(allRows(), records));
  });
});

describe('npm run cluster (the NATS launcher, a real process)', function () {
  this.timeout(240000);
  let child;
  let dir;

  afterEach(async function () {
    // after a failure the launcher still runs: SIGTERM stops its nats-server and Node-REDs (each in a
    // process group of its own, out of reach of a kill of the launcher); SIGKILL only if it hangs
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const hung = setTimeout(() => child.kill('SIGKILL'), 60000);
      await exited;
      clearTimeout(hung);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    child = dir = undefined;
  });

  it('starts nats-server, the ingest and two workers, prints every alert of the sample, and stops cleanly', async function () {
    if (!findNatsServer()) this.skip();
    const { spawn } = require('child_process');
    const expected = require('../oracle/kql-batch').wireDataRule(
      generateLines(gen.sampleScenario('wiredata'), 'zeek-tsv')
        .map((r) => r.record)
        .filter(Boolean),
    );
    expected.length.should.be.above(5);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-nats-launcher-'));
    const [nats, port, control] = [await freePort(), await freePort(), await freePort()];
    const args = [
      '--workers',
      '2',
      '--dir',
      path.join(dir, 'run'),
      '--nats-port',
      String(nats),
      '--port',
      String(port),
      '--control-port',
      String(control),
      '--exit-after-alerts',
      String(expected.length),
    ];
    child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'run', 'stream-cluster.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    should(code).equal(0, output.slice(-2000));
    output.should.match(new RegExp(`nats-server at nats://127\\.0\\.0\\.1:${nats}`));
    output.should.match(new RegExp(`ingest replays .* editor at http://127\\.0\\.0\\.1:${port}`));
    (output.match(/^worker \d: ALERT \[Zeek WireData\]/gm) || []).length.should.equal(expected.length);
    const rows = [1, 2].flatMap((w) => rowsOf(path.join(dir, 'run', `worker-${w}`, 'beacon-alerts-scaleout.jsonl')));
    rows.map(cellKey).sort().should.eql(expected.map(cellKey).sort());
  });

  it('stop-worker 2 moves its partitions to worker 1, start-worker 2 gives it its share back, lag names each worker', async function () {
    if (!findNatsServer()) this.skip();
    const { spawn, execFile } = require('child_process');
    const script = path.join(__dirname, '..', '..', 'dist', 'run', 'stream-cluster.js');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-nats-control-'));
    const [nats, port, control] = [await freePort(), await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      [script, '--workers', '2', '--dir', path.join(dir, 'run'), '--nats-port', String(nats), '--port', String(port), '--control-port', String(control)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    /** The answer of `npm run cluster -- <verb> [n]` (a second process, as from another terminal). */
    const run = (...argv) =>
      new Promise((resolve, reject) =>
        execFile(process.execPath, [script, ...argv, '--control-port', String(control)], (err, stdout, stderr) =>
          err ? reject(new Error(`${argv.join(' ')}: ${stdout}${stderr}`)) : resolve(stdout),
        ),
      );
    /** Partitions per worker as `lag` prints them, e.g. [6, 6]; a stopped worker counts -1. */
    const held = async () =>
      (await run('lag'))
        .trim()
        .split('\n')
        .map((l) => (/stopped/.test(l) ? -1 : Number((/: (\d+) partition/.exec(l) || [])[1] ?? NaN)));
    const until = async (what, test) => {
      const deadline = Date.now() + 180000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the launcher exited: ${output.slice(-1500)}`);
        if (await test()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${output.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await until('the control port', () => /control on 127\.0\.0\.1/.test(output));
    await until('a split of 6 and 6', async () => String(await held()) === '6,6');
    (await run('stop-worker', '2')).should.match(/worker 2: stopped \(SIGTERM/);
    await until('worker 1 holding all 12', async () => String(await held()) === '12,-1');
    (await run('start-worker', '2')).should.match(/worker 2: started/);
    await until('6 and 6 again', async () => String(await held()) === '6,6');
    (await run('lag')).should.match(/^worker 1: 6 partition\(s\) \[[\d,]+\], \d+ message\(s\) behind\nworker 2: 6 partition/);
    await run('stop-worker', '3').should.be.rejectedWith(/no worker 3 \(1 to 2\)/);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    should(code).equal(0, output.slice(-2000));
    output.should.match(/netbeacon: lag: worker 1: /);
  });
});
