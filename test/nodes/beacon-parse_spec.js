'use strict';
const { helper, node, catchNode, flowWith, exchange, records } = require('./harness');
const parseNode = node('beacon-parse');

const CEF = (dst, t) =>
  `<14>1 2024-05-08T00:00:${t}Z fw1 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|rt=May 08 2024 00:00:${t} GMT src=10.0.0.1 dst=${dst} dpt=443 dvchost=fw1`;

describe('beacon-parse node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config = {}) =>
    helper.load(
      [parseNode, catchNode],
      flowWith('beacon-parse', { format: 'auto', timeSource: 'event', byteDirection: 'microsoft', input: 'messages', output: 'single', ...config }),
    );

  it('parses several lines of one message (string or Buffer) into one record per message', async function () {
    await load();
    const got = await exchange([{ payload: `${CEF('8.8.8.8', 10)}\n${CEF('9.9.9.9', 20)}\n`, topic: 'udp' }, { payload: Buffer.from(CEF('1.1.1.1', 30)) }]);
    records(got.o1)
      .map((r) => r.DestinationIP)
      .should.eql(['8.8.8.8', '9.9.9.9', '1.1.1.1']);
    got.o1[0].topic.should.equal('udp');
  });

  it('batches records of a message into an array when asked', async function () {
    await load({ output: 'batch' });
    const got = await exchange([{ payload: [CEF('8.8.8.8', 10), CEF('9.9.9.9', 20)] }]);
    got.o1[0].payload.should.have.length(2);
  });

  it('sends unparsable lines to output 2 with the reason, reports once to Catch, and goes on', async function () {
    await load();
    const got = await exchange([{ payload: `garbage\n${CEF('8.8.8.8', 10)}\nCEF:0|short` }]);
    records(got.o1).should.have.length(1);
    got.o2.map((m) => m.payload).should.eql(['garbage', 'CEF:0|short']);
    got.o2[0].error.message.should.match(/not a recognised log format/);
    got.c1.should.have.length(1);
    got.c1[0].error.message.should.match(/2 of 3 lines not parsed; first: not a recognised log format/);
    helper.getNode('n1').status.lastCall.args[0].should.eql({ fill: 'yellow', shape: 'dot', text: '1 parsed · 2 failed' });
  });

  it('reassembles octet-counted TCP frames per connection in stream mode', async function () {
    await load({ input: 'stream' });
    const a = CEF('8.8.8.8', 10);
    const b = CEF('9.9.9.9', 20);
    const wire = `${Buffer.byteLength(a)} ${a}${Buffer.byteLength(b)} ${b}`;
    const cut = 100;
    const got = await exchange([
      { payload: Buffer.from(wire.slice(0, cut)), _session: { type: 'tcp', id: 's1' } },
      { payload: Buffer.from(CEF('7.7.7.7', 15).slice(0, 50)), _session: { type: 'tcp', id: 's2' } },
      { payload: Buffer.from(wire.slice(cut)), _session: { type: 'tcp', id: 's1' } },
    ]);
    records(got.o1)
      .map((r) => r.DestinationIP)
      .should.eql(['8.8.8.8', '9.9.9.9']);
    // s2's unfinished line is parsed at the flush (and is too short to be a record)
    got.o2.should.have.length(1);
  });

  it('refuses a malformed device zone and rejects non-text payloads', async function () {
    await load({ deviceOffset: 'Mars' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/device time zone/);
    await helper.unload();
    await load();
    const got = await exchange([{ payload: { not: 'text' } }]);
    got.c1[0].error.message.should.match(/must be a string, a Buffer or an array/);
  });
});
