'use strict';
/**
 * What a user of `npm start` does, for real: the WireData example with its
 * e-mail, chat and SIEM hand-offs enabled (pointed at a real SMTP server
 * behind node-red-node-email, a webhook and Debian's rsyslog), started by
 * dist/run/start.js in its own user directory with the settings.js it
 * writes. The replay is stopped mid-stream with SIGTERM, npm start is run
 * again, the reset inject and the replay clicked: no cell reaches a person
 * twice, and the second replay notifies exactly the cells the first did not
 * — the scorers keep the cells they notified in the `file` context store
 * npm start's settings.js configures. Delivery is at most once: a mail the
 * e-mail node was still sending when SIGTERM came is lost, not repeated
 * (node-red-node-email does not wait for it on close).
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { freePort, ROOT } = require('./support/node-red-process');
const { startReceivers, closeReceivers, until } = require('./support/receivers');
const { enableHandoffs, installEmailNode, markFlushes, flushCount, alertRows, mailAlertId, postAlertIds, plainStructuredData } = require('./support/handoffs');

const EXAMPLE = 'WireData beaconing (Sentinel rule).json';

/** How often each AlertId was named in what a receiver got. */
function tally(ids) {
  const counts = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

describe('npm start with hand-offs: SIGTERM mid-replay, a restart, the reset inject and a second replay notify no cell twice (real processes)', function () {
  this.timeout(300000);
  const receivers = {};
  let userDir;
  let child = null;

  before(async function () {
    await startReceivers(this, receivers);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-start-handoffs-'));
  });
  afterEach(function () {
    if (child && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });
  after(async function () {
    await closeReceivers(receivers);
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Runs dist/run/start.js on the user directory; resolves once Node-RED has started its flows. */
  async function npmStart(port) {
    const { PORT, ...env } = process.env;
    const run = { output: '' };
    child = spawn(process.execPath, [path.join(ROOT, 'dist', 'run', 'start.js'), '--port', String(port), '--user-dir', userDir], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    run.exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdout.on('data', (d) => (run.output += d));
    child.stderr.on('data', (d) => (run.output += d));
    await until('Node-RED to start its flows', () => /\] Started flows/.test(run.output) || child.exitCode !== null, 120);
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${run.output.slice(-3000)}`);
    run.click = async (id) => {
      const res = await fetch(`http://127.0.0.1:${port}/inject/${id}`, { method: 'POST' });
      res.status.should.equal(200, `inject ${id}`);
    };
    run.stop = async () => {
      child.kill('SIGTERM');
      (await run.exited).should.equal(0);
    };
    return run;
  }

  it('no cell reaches the SMTP server, the webhook or rsyslog twice; after the restart exactly the cells not notified before arrive, once each', async function () {
    // the user's flows: the example imported, its hand-offs enabled, node-red-node-email installed
    const flow = markFlushes(enableHandoffs(JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8')), 'wd', receivers), 'wd');
    flow.find((n) => n.type === 'beacon-scorer').store.should.equal('file');
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
    installEmailNode(userDir);
    const port = await freePort();

    const first = await npmStart(port);
    fs.readFileSync(path.join(userDir, 'settings.js'), 'utf8').should.match(
      /contextStorage: \{ default: \{ module: 'memory' \}, file: \{ module: 'localfilesystem' \} \}/,
    );
    await first.click('wd_inject');
    // stopped as a service manager would, once a person was told of something and before the replay ended
    await until('a first mail', async () => {
      await receivers.smtp.settled();
      return receivers.smtp.mails.length > 0;
    });
    flushCount(userDir).should.equal(0, 'SIGTERM came before the replay ended');
    await first.stop();
    const beforeRestart = receivers.smtp.mails.map(mailAlertId);
    beforeRestart.length.should.be.above(0);

    const second = await npmStart(port);
    second.output.should.containEql('keeping settings.js, package.json, flows.json, node_modules');
    await until('the scorer to restore its state', () => /state restored from context store "file"/.test(second.output));
    const rowsBefore = alertRows(userDir).length;
    const sent = { mails: receivers.smtp.mails.length, posts: receivers.webhook.posts.length, lines: receivers.rsyslog.lines().length };
    await second.click('wd_reset');
    await second.click('wd_inject');
    await until('the second replay to end', () => flushCount(userDir) >= 1, 240);
    // the second replay's rows: every alerting cell again, the ones notified before the SIGTERM marked so
    const rows = alertRows(userDir).slice(rowsBefore);
    const cells = new Set(rows.map((r) => r.AlertId));
    should(cells.has(undefined)).be.false();
    const notifiedNow = new Set(rows.filter((r) => r.Notify !== false).map((r) => r.AlertId));
    const notifiedBefore = new Set([...cells].filter((id) => !notifiedNow.has(id)));
    notifiedBefore.size.should.be.above(0, 'cells notified before the SIGTERM');
    notifiedNow.size.should.be.above(0, 'cells the first run did not reach');
    await until(
      'a mail, a chat message and a SIEM line for each cell notified now',
      async () => {
        await receivers.smtp.settled();
        return (
          receivers.smtp.mails.length - sent.mails >= notifiedNow.size &&
          receivers.webhook.posts.length - sent.posts >= notifiedNow.size &&
          receivers.rsyslog.lines().length - sent.lines >= notifiedNow.size
        );
      },
      60,
    );
    await second.stop();

    // after the restart: exactly the cells not notified before, once each, on every hand-off
    const once = (ids) => Object.fromEntries([...ids].map((id) => [id, 1]));
    tally(receivers.smtp.mails.slice(sent.mails).map(mailAlertId)).should.eql(once(notifiedNow), 'mails after the restart');
    tally(receivers.webhook.posts.slice(sent.posts).flatMap(postAlertIds)).should.eql(once(notifiedNow), 'chat messages after the restart');
    tally(
      receivers.rsyslog
        .lines()
        .slice(sent.lines)
        .map((l) => plainStructuredData(l)?.alertId),
    ).should.eql(once(notifiedNow), 'SIEM lines after the restart');
    // before it: only cells the scorer had recorded as notified (one still being sent when SIGTERM came is lost, never repeated)
    for (const id of beforeRestart) notifiedBefore.has(id).should.be.true(`${id} mailed before the SIGTERM is recorded as notified`);
    new Set(beforeRestart).size.should.equal(beforeRestart.length);
    const warnings = (first.output + second.output)
      .split('\n')
      .filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials/.test(l));
    warnings.should.eql([]);
    console.log(
      `      ${cells.size} alerting cells: ${notifiedBefore.size} notified before the SIGTERM (${beforeRestart.length} mails had arrived), ${notifiedNow.size} after the restart, none twice`,
    );
  });
});
