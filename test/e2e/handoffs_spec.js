'use strict';
/**
 * The last mile, for real: each replay example runs in a real Node-RED
 * process with its shipped hand-offs enabled and pointed at real receivers
 * on 127.0.0.1 — node-red-node-email's e-mail node sending to an SMTP server
 * (smtp-server, mails parsed back), the chat webhook posting to an HTTP
 * server, the SIEM branch's tcp out node writing to Debian's rsyslog run as a
 * user process. What they received is counted against the alerting cells:
 * one mail, one chat message and one SIEM line per cell, none empty, every
 * subject within 120 characters, and every SIEM line read back (by our own
 * parser and by a plain reading of its structured data) to its alert.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { NodeRedProcess, freePort, ROOT } = require('./support/node-red-process');
const { startReceivers, closeReceivers, until } = require('./support/receivers');
const { writeSampleFiles } = require('../../dist/tools/sample-files');
const { enableHandoffs, installEmailNode, receiverCounts, receivedSince, expectOnePerCell, markFlushes, flushCount, alertRows } = require('./support/handoffs');

const EXAMPLES = [
  { file: 'WireData beaconing (Sentinel rule).json', prefix: 'wd', inject: 'wd_inject' },
  { file: 'Palo Alto beaconing (Sentinel rule).json', prefix: 'pa', inject: 'pa_inject' },
  { file: 'Beacon hunt (per pair, 7-day history).json', prefix: 'hu', inject: 'hu_inject' },
  { file: 'WireData beaconing from Zeek conn.log.json', prefix: 'zk', inject: 'zk_inject' },
];

/**
 * The example with its hand-offs switched on and aimed at the receivers, an
 * e-mail node behind the e-mail hand-off, the alert file in `dir`, and a
 * marker written into each scorer's alert file once the flush has left it.
 */
function wired(example, receivers, dir) {
  const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', example.file), 'utf8'));
  const scorers = flow.filter((n) => n.type === 'beacon-scorer');
  for (const n of flow) if (n.type === 'file') n.filename = path.join(dir, path.basename(n.filename));
  enableHandoffs(flow, example.prefix, receivers);
  markFlushes(flow, example.prefix);
  return { flow, scorers: scorers.length };
}

describe('hand-offs: a real SMTP server, webhook and rsyslog receive each alerting cell once (real Node-RED)', function () {
  this.timeout(300000);
  const receivers = {};
  let red;
  let userDir;
  let samples;

  before(async function () {
    await startReceivers(this, receivers);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-handoffs-'));
    samples = writeSampleFiles(path.join(userDir, 'samples'));
    Object.assign(process.env, { NETBEACON_WIREDATA_FILE: samples.wiredata, NETBEACON_CSL_FILE: samples.csl, NETBEACON_ZEEK_FILE: samples.zeek });
    red = new NodeRedProcess(userDir, await freePort());
    installEmailNode(userDir);
    await red.start();
  });

  after(async function () {
    await red?.stop();
    red?.kill();
    await closeReceivers(receivers);
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('WireData with its state in a context store: a reset and a second replay, then a SIGTERM, a restart and a third replay notify nobody again', async function () {
    const example = EXAMPLES[0];
    const dir = fs.mkdtempSync(path.join(userDir, 'again-'));
    const { flow } = wired(example, receivers, dir);
    // the scorer keeps the AlertIds it notified in the file store, so they outlive the process
    for (const n of flow) if (n.type === 'beacon-scorer' || n.type === 'beacon-delta' || n.type === 'beacon-histogram') Object.assign(n, { store: 'file' });
    await red.stop();
    red = new NodeRedProcess(userDir, red.port, { contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await red.start();
    await red.deploy(flow);
    const flushes = () => flushCount(dir);
    const counts = () => receiverCounts(receivers);
    const replay = async () => {
      const before = flushes();
      await red.post(`/inject/${example.inject}`, {});
      await red.until('the replay to end', () => flushes() > before, 240);
      await receivers.smtp.settled();
    };
    const start = counts();
    await replay();
    const cells = new Set(alertRows(dir).map((r) => r.AlertId)).size;
    cells.should.be.above(0);
    await until("the first replay's notifications", async () => {
      await receivers.smtp.settled();
      const c = counts();
      return c.mails - start.mails >= cells && c.posts - start.posts >= cells && c.lines - start.lines >= cells;
    });
    const first = counts();
    const rowsFirst = alertRows(dir).length;
    ({ mails: first.mails - start.mails, posts: first.posts - start.posts, lines: first.lines - start.lines }).should.eql({
      mails: cells,
      posts: cells,
      lines: cells,
    });

    await red.post('/inject/wd_reset', {});
    await replay();
    await red.post('/inject/wd_reset', {}); // also checkpoints nothing new: the ledger is saved with the state
    await red.stop();
    await red.start();
    await replay();
    // the same cells came out of the scorer again (AlertIds equal), marked not to notify: nothing passed notify once
    const rows = alertRows(dir);
    rows.length.should.be.above(rowsFirst);
    new Set(rows.map((r) => r.AlertId)).size.should.equal(cells);
    rows
      .slice(rowsFirst)
      .filter((r) => r.Notify !== false)
      .should.eql([]);
    counts().should.eql(first);
    // removed from the flows, the scorer deletes its saved state: the tests below start with no cell notified
    await red.deploy([]);
  });

  for (const example of EXAMPLES) {
    it(`${example.file.replace(/\.json$/, '')}: one mail, one chat message and one SIEM line per alerting cell, none empty, subjects ≤ 120 characters`, async function () {
      const dir = fs.mkdtempSync(path.join(userDir, `${example.prefix}-`));
      const before = receiverCounts(receivers);
      const { flow, scorers } = wired(example, receivers, dir);
      await red.deploy(flow);
      await red.post(`/inject/${example.inject}`, {});
      await red.until('the flush to leave every scorer', () => flushCount(dir) >= scorers, 240);

      // the cells that alerted: the file node writes every alert row, early and final
      const rows = alertRows(dir);
      const cells = new Set(rows.map((r) => r.AlertId));
      should(cells.has(undefined)).be.false('every alert row carries an AlertId');
      cells.size.should.be.above(0);
      if (example.prefix === 'hu') {
        // the hunt tells a person once per pair per re-arm period (a day; the sample spans hours): one cell per pair
        const pairs = new Set(rows.map((r) => `${r.LocalIP} ${r.RemoteNetwork ?? r.RemoteIP} ${r.RemotePortNumber}`));
        cells.size.should.equal(pairs.size);
      }

      await until('a mail, a chat message and a SIEM line per cell', async () => {
        await receivers.smtp.settled();
        return (
          receivers.smtp.mails.length - before.mails >= cells.size &&
          receivers.webhook.posts.length - before.posts >= cells.size &&
          receivers.rsyslog.lines().length - before.lines >= cells.size
        );
      });
      const got = receivedSince(receivers, before);
      const warnings = red.warnings().filter((l) => /e-mail|email|tcp|http request/i.test(l));
      warnings.should.eql([], 'no hand-off node warned (empty payload, no subject, refused connection)');
      // one mail (subject ≤ 120, text and HTML), one chat post, one SIEM line read back, per cell
      expectOnePerCell(got, cells, rows);
    });
  }
});
