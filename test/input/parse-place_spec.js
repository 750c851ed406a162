'use strict';
/**
 * Where a UDP input parses (src/input/parse-place, the ingest's parseIn):
 * auto follows the CPUs counted (given here, never this machine's), the
 * setting overrides it, and both places hand on the same records from the
 * same datagrams sent by the project's replay sender over a real socket.
 */
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
require('should');
const { parsePlace, availableCores, PARSE_THREAD_MIN_CORES } = require('../../dist/input/parse-place');
const { SyslogIngest } = require('../../dist/input/syslog-ingest');
const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { generateLines } = require('../../dist/tools/log-lines');
const { sampleScenario } = require('../../dist/tools/traffic-generator');
const { INGEST_SETTINGS } = require('../support/ingest-settings');
const { parseEachLine } = require('../support/parse-each-line');

const REPLAY = path.join(__dirname, '..', '..', 'dist', 'tools', 'replay-cli.js');

const SETTINGS = { ...INGEST_SETTINGS, transport: 'udp', receiveBufferBytes: 8 << 20, batchLines: 1000, parser: DEFAULT_PARSER_OPTIONS };

const ingestOf = (settings) =>
  new SyslogIngest({ ...SETTINGS, ...settings }, { batch: () => undefined, unparsed: () => undefined, parseErrors: () => undefined, failed: () => undefined });

/** Polls until test() holds (completion, with a deadline: never a timing assertion). */
async function until(what, test, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** This process's thread ids (Linux). By id, not by count: a thread of an earlier test can outlive its 'exit' event briefly. */
const threadIds = () => new Set(fs.readdirSync('/proc/self/task'));

describe('input/parse place (UDP: a parse thread or the flow thread)', function () {
  it('auto takes the parse thread from the threshold of CPUs up, the flow thread below; an explicit setting wins whatever the count', function () {
    PARSE_THREAD_MIN_CORES.should.equal(2);
    parsePlace('auto', 1).should.containEql({ thread: false, setting: 'auto', cores: 1 });
    for (const cores of [2, 3, 4, 8, 64]) parsePlace('auto', cores).should.containEql({ thread: true, setting: 'auto', cores });
    parsePlace(undefined, 1).thread.should.be.false();
    parsePlace(undefined, 16).thread.should.be.true();
    for (const cores of [1, 2, 4, 64]) {
      parsePlace('thread', cores).thread.should.be.true();
      parsePlace('flow', cores).thread.should.be.false();
    }
    parsePlace('auto', 1).why.should.match(/flow's thread \(auto: 1 CPUs, a parse thread needs 2\)/);
    parsePlace('auto', 8).why.should.match(/parse thread \(auto: 8 CPUs/);
    availableCores().should.be.a.Number().and.be.above(0);
  });

  it("the ingest follows the count it is given: UDP with a parser parses on the flow's thread with 1 CPU, in a parse thread from 2; TCP and unparsed UDP have no place", function () {
    ingestOf({ cores: 1 }).parsePlace.should.containEql({ thread: false, setting: 'auto' });
    ingestOf({ cores: 1, parseIn: 'auto' }).stats().parseIn.should.equal('flow');
    ingestOf({ cores: 2 }).stats().parseIn.should.equal('thread');
    ingestOf({ cores: 1, parseIn: 'thread' }).stats().parseIn.should.equal('thread');
    ingestOf({ cores: 32, parseIn: 'flow' }).stats().parseIn.should.equal('flow');
    (ingestOf({ transport: 'tcp', cores: 32, parseIn: 'thread' }).parsePlace === null).should.be.true();
    (ingestOf({ parser: null, cores: 32 }).stats().parseIn === null).should.be.true();
  });

  describe('the same records from either place, over a real socket', function () {
    this.timeout(120000);
    const cef = generateLines({ ...sampleScenario('csl'), hours: 2 }, 'panos-cef')
      .slice(0, 3000)
      .map((l) => l.line);
    // bad input is normal input: garbage and a Zeek header among the firewall's lines
    const lines = cef.flatMap((l, i) => (i % 700 === 5 ? ['not a log line', l] : i === 1500 ? ['#fields\tts\tid.orig_h\tid.resp_h', l] : [l]));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-parse-place-'));
    const file = path.join(dir, 'lines.log');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const got = {};

    for (const [parseIn, extraThreads] of [
      ['thread', 2],
      ['flow', 1],
    ]) {
      it(`parseIn ${parseIn}: every line sent by netbeacon-replay is a record or an unparsed line, in order (${extraThreads} thread(s) beside the flow's)`, async function () {
        const out = { records: [], unparsed: [], errors: [] };
        const before = process.platform === 'linux' ? threadIds() : null;
        const ingest = new SyslogIngest(
          { ...SETTINGS, parseIn, cores: parseIn === 'thread' ? 2 : 64 },
          {
            batch: (payload) => out.records.push(...[].concat(payload)),
            unparsed: (line, reason, sender) => out.unparsed.push([line, reason, sender]),
            parseErrors: (text) => out.errors.push(text),
            failed: (err) => out.errors.push(err.message),
          },
        );
        const info = await ingest.start();
        const started = before ? [...threadIds()].filter((t) => !before.has(t)) : [];
        try {
          if (before) started.should.have.length(extraThreads, `threads the ${parseIn} place starts`);
          await new Promise((resolve, reject) =>
            execFile(process.execPath, [REPLAY, '--file', file, '--port', String(info.port), '--proto', 'udp', '--rate', '20000'], (err, _o, stderr) =>
              err ? reject(new Error(stderr || err.message)) : resolve(),
            ),
          );
          const stats = () => ingest.stats();
          // a datagram lost on the way would show here, not as a wrong record
          await until('every line received', () => stats().total.lines + stats().total.queueDropped + (stats().kernel.socketDrops ?? 0) >= lines.length);
          stats().should.containDeep({ parseIn, total: { lines: lines.length, queueDropped: 0 } });
          if (stats().kernel.socketDrops !== null) stats().kernel.socketDrops.should.equal(0);
          await until('every line handed on', () => {
            ingest.drain();
            return out.records.length + out.unparsed.length + stats().total.headers >= lines.length;
          });
          const reference = parseEachLine([['127.0.0.1', 0, lines]]);
          out.records.length.should.equal(reference.records.length);
          out.records.should.eql(reference.records);
          out.unparsed.should.eql(reference.unparsed);
          stats().total.should.containDeep({ parseErrors: reference.unparsed.length, headers: 1 });
          got[parseIn] = out.records;
        } finally {
          await ingest.close();
        }
        // and ends them: none left to run beside the next test
        if (before) await until('the threads it started gone', () => started.every((t) => !threadIds().has(t)));
      });
    }

    it('the two places agree record for record', function () {
      // both places' own tests above must have run to the end
      got.should.have.keys('thread', 'flow');
      got.thread.length.should.be.above(2900);
      got.thread.should.eql(got.flow);
    });
  });
});
