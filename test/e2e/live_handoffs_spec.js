'use strict';
/**
 * The hand-offs of the three live syslog examples, for real: a real Node-RED
 * process runs the Palo Alto CEF over UDP, PAN-OS CSV over TCP and Zeek JSON
 * over TCP examples with their e-mail, chat and SIEM hand-offs enabled and
 * aimed at real receivers on 127.0.0.1 (smtp-server behind
 * node-red-node-email, an HTTP webhook, Debian's rsyslog as a user process);
 * util-linux logger feeds each example's syslog port (each its own beaconing
 * host, so no two examples share a cell). While traffic still
 * flows, the cells alerted early have reached a person; after the flush each
 * alerting cell has one mail, one chat message and one SIEM line — early and
 * final rows of a cell never notify twice — none empty, subjects within 120
 * characters, every SIEM line read back to its alert.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { generateLines } = require('../../dist/tools/log-lines');
const { beaconScenario } = require('../support/scenarios');
const { NodeRedProcess, freePort } = require('./support/node-red-process');
const { startReceivers, closeReceivers, until } = require('./support/receivers');
const { EXAMPLES, body, jsonLines, recordCount, loggerAvailable, liveFlow, flushed, runLogger } = require('./support/live-feed');
const { enableHandoffs, installEmailNode, receiverCounts, receivedSince, receivedFor, expectOnePerCell, mailAlertId } = require('./support/handoffs');

describe('live syslog examples: their hand-offs reach a real SMTP server, webhook and rsyslog once per alerting cell (real Node-RED, logger)', function () {
  this.timeout(300000);
  const receivers = {};
  let red;
  let userDir;

  before(async function () {
    const why = loggerAvailable();
    if (why) {
      console.log(`      skipped: util-linux logger is not available (${why})`);
      this.skip();
    }
    await startReceivers(this, receivers);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-live-handoffs-'));
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

  it('CEF/UDP, CSV/TCP and Zeek JSON/TCP fed by logger: early alerts reach a person while traffic flows; after the flush one mail, chat message and SIEM line per cell', async function () {
    const feeds = {
      pu: { lines: generateLines(beaconScenario(81, '10.0.0.4'), 'panos-cef').map((l) => body(l.line)), args: ['--udp', '--rfc5424'] },
      pt: { lines: generateLines(beaconScenario(82, '10.0.0.5'), 'panos-csv').map((l) => body(l.line)), args: ['--tcp', '--octet-count', '--rfc3164'] },
      zt: {
        lines: generateLines({ ...beaconScenario(83, '10.0.0.6'), disorderSeconds: 120 }, 'zeek-json').map((l) => l.line),
        args: ['--tcp', '--octet-count', '--rfc5424'],
      },
    };
    const flows = [];
    for (const p of Object.keys(feeds)) {
      feeds[p].port = await freePort();
      flows.push(...enableHandoffs(liveFlow(EXAMPLES[p], p, feeds[p].port), p, receivers));
    }
    const before = receiverCounts(receivers);
    await red.deploy(flows);
    for (const p of Object.keys(feeds)) {
      const transport = feeds[p].args[0].slice(2);
      await red.until(`listening on ${transport} ${feeds[p].port}`, () => red.log.includes(`listening on ${transport} 127.0.0.1:${feeds[p].port}`));
    }
    const send = (part, pick) =>
      Promise.all(
        Object.entries(feeds).map(([p, f]) => {
          const file = path.join(userDir, `${p}-${part}.log`);
          fs.writeFileSync(file, `${pick(f.lines).join('\n')}\n`);
          return runLogger([...f.args, '--port', String(f.port)], file);
        }),
      );
    const cut = (lines) => Math.floor((lines.length * 2) / 3);
    const rows = (p) => jsonLines(path.join(userDir, `alerts-${p}.jsonl`)).flatMap((batch) => [].concat(batch));

    // two thirds of each capture, then the rest sent while the early alerts are checked
    await send('a', (lines) => lines.slice(0, cut(lines)));
    const flowing = send('b', (lines) => lines.slice(cut(lines)));
    // the Palo Alto flows decide a cell 300 s after its hour: its early alert is notified before any flush
    for (const p of ['pu', 'pt']) {
      await red.until(`early alerts from ${p}`, () => rows(p).some((r) => r.Final === false), 120);
      const early = new Set(
        rows(p)
          .filter((r) => r.Final === false && r.Notify !== false)
          .map((r) => r.AlertId),
      );
      early.size.should.be.above(0);
      await until(`mails for ${p}'s early alerts while traffic flows`, async () => {
        await receivers.smtp.settled();
        const mailed = new Set(receivedSince(receivers, before).mails.map(mailAlertId));
        return [...early].every((id) => mailed.has(id));
      });
    }
    await flowing;

    for (const p of Object.keys(feeds)) {
      await red.until(`every line of ${p} parsed`, () => recordCount(path.join(userDir, `records-${p}.jsonl`)) >= feeds[p].lines.length, 120);
      await red.post(`/inject/${p}_flush`, {});
      await red.until(`the flush to leave ${p}'s scorer`, () => flushed(userDir, p), 60);
    }
    const cells = {};
    for (const p of Object.keys(feeds)) {
      const all = rows(p);
      cells[p] = new Set(all.map((r) => r.AlertId));
      should(cells[p].has(undefined)).be.false(`${p}: every alert row carries an AlertId`);
      cells[p].size.should.be.above(0, `${p} alerted`);
      all.filter((r) => r.Final !== false).length.should.be.above(0, `${p}: final rows`);
    }
    // a cell alerted early and final: the case that used to notify twice
    for (const p of ['pu', 'pt']) {
      const early = new Set(
        rows(p)
          .filter((r) => r.Final === false)
          .map((r) => r.AlertId),
      );
      rows(p)
        .filter((r) => r.Final === true && early.has(r.AlertId))
        .length.should.be.above(0, `${p}: a cell with both an early and a final row`);
    }
    const total = Object.values(cells).reduce((n, c) => n + c.size, 0);
    await until('a mail, a chat message and a SIEM line per cell', async () => {
      await receivers.smtp.settled();
      const now = receiverCounts(receivers);
      return now.mails - before.mails >= total && now.posts - before.posts >= total && now.lines - before.lines >= total;
    });
    const got = receivedSince(receivers, before);
    ({ mails: got.mails.length, posts: got.posts.length, lines: got.lines.length }).should.eql({ mails: total, posts: total, lines: total });
    for (const p of Object.keys(feeds)) expectOnePerCell(receivedFor(got, cells[p]), cells[p], rows(p));
    red.warnings().should.eql([]);
    console.log(`      alerting cells notified once each: CEF/UDP ${cells.pu.size}, CSV/TCP ${cells.pt.size}, Zeek JSON/TCP ${cells.zt.size}`);
  });
});
