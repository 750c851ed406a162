'use strict';
/**
 * The syslog ingest (src/input/syslog-ingest) on its own, without Node-RED:
 * lines over TCP come out in batches, parsed per connection when asked,
 * unparsed lines counted per sender and reported once per batch, a reset
 * forgets the counts.
 */
const dgram = require('dgram');
const net = require('net');
require('should');
const { SyslogIngest } = require('../../dist/input/syslog-ingest');
const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { INGEST_SETTINGS: SETTINGS } = require('../support/ingest-settings');

/** An ingest started on a free port, recording what it hands on. */
async function started(settings) {
  const got = { batches: [], unparsed: [], parseErrors: [], failed: [] };
  const ingest = new SyslogIngest(
    { ...SETTINGS, ...settings },
    {
      batch: (payload, sender) => got.batches.push({ payload, sender }),
      unparsed: (line, reason, sender) => got.unparsed.push({ line, reason, sender }),
      parseErrors: (text) => got.parseErrors.push(text),
      failed: (err) => got.failed.push(err),
    },
  );
  const info = await ingest.start();
  return { ingest, info, got };
}

/** Sends the lines on one connection and waits until the ingest has read them all. */
function send(port, lines, ingest, expected) {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1' }, () => c.end(lines.map((l) => `${l}\n`).join('')));
    c.on('error', reject);
    const poll = () => (ingest.counters.total.lines >= expected ? resolve() : setImmediate(poll));
    c.on('close', poll);
  });
}

describe('input/SyslogIngest', function () {
  it('hands on lines in batches of the size asked, in order', async function () {
    const { ingest, info, got } = await started({});
    try {
      await send(info.port, ['a', 'b', 'c', 'd'], ingest, 4);
      ingest.drain();
      got.batches.map((b) => b.payload).should.eql([['a', 'b', 'c'], ['d']]);
      ingest.stats().should.containDeep({ transport: 'tcp', listening: true, total: { lines: 4 } });
    } finally {
      await ingest.close();
    }
  });

  it('parses when asked: records out, unparsed lines with their sender, counted and reported once per batch', async function () {
    const { ingest, info, got } = await started({ parser: { ...DEFAULT_PARSER_OPTIONS, format: 'json' }, batchLines: 10 });
    try {
      await send(
        info.port,
        ['{"LocalIP":"10.0.0.1","TimeGenerated":"2024-05-08T08:00:00Z"}', 'not json', '{"LocalIP":"10.0.0.2","TimeGenerated":"2024-05-08T08:00:01Z"}'],
        ingest,
        3,
      );
      ingest.drain();
      got.batches.map((b) => b.payload.map((r) => r.LocalIP)).should.eql([['10.0.0.1', '10.0.0.2']]);
      got.unparsed.map((u) => [u.line, u.sender]).should.eql([['not json', '127.0.0.1']]);
      ingest.counters.total.parseErrors.should.equal(1);
      got.parseErrors.should.eql(['1 of 3 lines not parsed; first from 127.0.0.1: ' + got.unparsed[0].reason + ': "not json"']);
      ingest.reset();
      ingest.counters.total.should.containDeep({ lines: 0, parseErrors: 0 });
    } finally {
      await ingest.close();
    }
  });

  for (const parseIn of ['thread', 'flow']) {
    it(`UDP parsed ${parseIn === 'thread' ? 'off the flow thread (reader and parse threads)' : "on the flow's thread (the reader thread only receives)"}: the same records, unparsed lines and counts as a stream parsed here; a Zeek header holds per sender until a reset`, async function () {
      const { ingest, info, got } = await started({ transport: 'udp', parser: { ...DEFAULT_PARSER_OPTIONS, format: 'auto' }, batchLines: 10, parseIn });
      ingest.stats().parseIn.should.equal(parseIn);
      const socket = dgram.createSocket('udp4');
      const sendAll = async (lines, expected) => {
        for (const l of lines) await new Promise((r) => socket.send(l, info.port, '127.0.0.1', r));
        while (ingest.counters.total.lines < expected || got.batches.length + got.unparsed.length === 0) await new Promise((r) => setTimeout(r, 5));
      };
      const records = () => got.batches.flatMap((b) => b.payload);
      try {
        await sendAll(
          [
            '{"LocalIP":"10.0.0.1","TimeGenerated":"2024-05-08T08:00:00Z"}',
            'not a log line',
            '#fields\tts\tid.orig_h\tid.resp_h',
            '1715155200.0\t10.0.0.3\t1.2.3.4',
            '{"LocalIP":"10.0.0.2","TimeGenerated":"2024-05-08T08:00:01Z"}',
          ],
          5,
        );
        while (records().length < 3) await new Promise((r) => setTimeout(r, 5));
        records()
          .map((r) => r.LocalIP ?? r.SourceIP ?? r['id.orig_h'])
          .should.eql(['10.0.0.1', '10.0.0.3', '10.0.0.2']);
        got.unparsed.map((u) => [u.line, u.sender]).should.eql([['not a log line', '127.0.0.1']]);
        ingest.counters.total.should.containDeep({ lines: 5, parseErrors: 1, headers: 1 });
        got.parseErrors.should.have.length(1);
        // the count is of the chunk or batch that held the bad line: all 4 parsed lines (5 with the header, in a batch) when the 5 datagrams share one (5 ms), fewer when a busy machine spaced them out
        got.parseErrors[0].should.match(
          parseIn === 'thread' ? /^1 of [1-4] lines not parsed; first from 127\.0\.0\.1: / : /^1 of [1-5] lines not parsed; first from 127\.0\.0\.1: /,
        );
        // the reset reaches the thread's parsers: the Zeek header is forgotten, so the same TSV line is no longer read
        // (the reset crosses to the thread as a message: the line is sent again until one arrives after it)
        ingest.reset();
        // (sent again every 20 polls, each poll a turn of the timers, so a batch waiting for its time goes out meanwhile)
        for (let poll = 0; got.unparsed.length < 2; poll++) {
          if (poll % 20 === 0) await sendAll(['1715155201.0\t10.0.0.3\t1.2.3.4'], 1);
          await new Promise((r) => setTimeout(r, 5));
        }
        got.unparsed[1].line.should.equal('1715155201.0\t10.0.0.3\t1.2.3.4');
        got.unparsed[1].reason.should.match(/not a recognised log format/);
      } finally {
        socket.close();
        await ingest.close();
      }
    });
  }
});
