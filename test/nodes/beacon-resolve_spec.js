'use strict';
const { helper, should, node, catchNode, flowWith, exchange, records } = require('./harness');
const resolveNode = node('beacon-resolve');

const T0 = Date.parse('2024-05-08T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();

describe('beacon-resolve node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config) => helper.load([resolveNode, catchNode], flowWith('beacon-resolve', config));

  it('loads with its defaults', async function () {
    await helper.load(resolveNode, [{ id: 'n1', type: 'beacon-resolve', name: 'x' }]);
    helper.getNode('n1').should.have.property('name', 'x');
  });

  it('learns from DNS answers (output 2) and names the connections after them (output 1), in one array or one by one', async function () {
    await load({});
    const answer = {
      TimeGenerated: iso(T0),
      LocalIP: '10.1.0.5',
      RemoteIP: '10.0.0.53',
      DnsQuery: 'c2.example.co.uk',
      DnsAnswers: ['203.0.113.7'],
      DnsTTLs: [60],
    };
    const c = (ms, ip) => ({ TimeGenerated: iso(ms), LocalIP: '10.1.0.5', RemoteIP: ip, RemotePortNumber: 443 });
    const got = await exchange([{ payload: [answer, c(T0 + 1000, '203.0.113.7'), c(T0 + 1000, '198.51.100.1')] }, { payload: c(T0 + 2000, '203.0.113.7') }]);
    records(got.o2).should.eql([answer]);
    const out = records(got.o1);
    out.should.have.length(3);
    out[0].should.containDeep({ RemoteHostName: 'c2.example.co.uk', RemoteDomain: 'example.co.uk' });
    out[1].should.not.have.property('RemoteHostName');
    out[2].should.containDeep({ RemoteHostName: 'c2.example.co.uk' });
    got.o1[0].payload.should.be.an.Array();
  });

  it('honours the grace setting: a name past its TTL + grace is not given', async function () {
    await load({ graceSeconds: '0' });
    const answer = { TimeGenerated: iso(T0), LocalIP: '10.1.0.5', DnsQuery: 'a.example.com', DnsAnswers: ['203.0.113.9'], DnsTTLs: [60] };
    const late = { TimeGenerated: iso(T0 + 61_000), LocalIP: '10.1.0.5', RemoteIP: '203.0.113.9' };
    const got = await exchange([{ payload: [answer, late] }]);
    records(got.o1)[0].should.not.have.property('RemoteHostName');
  });

  it('keeps the names it learned across a redeploy when a context store is set', async function () {
    helper.settings({ contextStorage: { default: { module: 'memory' }, kept: { module: 'memory' } } });
    const flow = flowWith('beacon-resolve', { store: 'kept', checkpointEvery: 0 });
    await helper.load([resolveNode, catchNode], []);
    await helper._context.load();
    await helper.setFlows(flow, 'full');
    const answer = { TimeGenerated: iso(T0), LocalIP: '10.1.0.5', DnsQuery: 'c2.example.org', DnsAnswers: ['203.0.113.7'], DnsTTLs: [600] };
    await exchange([{ payload: answer }]);
    // a full redeploy closes the node (saving its names) and starts a new one that restores them
    await helper.setFlows(flow, 'full');
    const got = await exchange([{ payload: { TimeGenerated: iso(T0 + 60_000), LocalIP: '10.1.0.5', RemoteIP: '203.0.113.7' } }]);
    records(got.o1)[0].should.containDeep({ RemoteHostName: 'c2.example.org', RemoteDomain: 'example.org' });
    await helper.unload();
    helper.settings({});
  });

  it('reports an invalid setting on the node and items that are not records to Catch', async function () {
    await load({ maxMiB: '0' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/memory/);
    helper.unload();
    await load({});
    const got = await exchange([{ payload: [42, { TimeGenerated: iso(T0), RemoteIP: '1.2.3.4' }] }]);
    records(got.o1).should.have.length(1);
    got.c1.length.should.equal(1);
    should(got.c1[0].error.message).match(/1 of 2 records/);
  });
});
