'use strict';
/**
 * The syslog ingest (src/input/syslog-ingest) on its own, without Node-RED:
 * lines over TCP come out in batches, parsed per connection when asked,
 * unparsed lines counted per sender and reported once per batch, a reset
 * forgets the counts.
 */
const net = require('net');
require('should');
const { SyslogIngest } = require('../../dist/input/syslog-ingest');
const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');

const SETTINGS = {
  transport: 'tcp',
  host: '127.0.0.1',
  port: 0,
  framing: 'auto',
  maxConnections: 10,
  maxPerSender: 10,
  handshakeTimeoutSeconds: 10,
  progressTimeoutSeconds: 0,
  maxFrameBytes: 65536,
  idleTimeoutSeconds: 0,
  receiveBufferBytes: 0,
  queueBytes: 64 * 1024 * 1024,
  batchLines: 3,
  batchMs: 5,
  parser: null,
};

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
});
