'use strict';
const { helper, should, node, catchNode, flowWith, exchange, records } = require('./harness');
const filterNode = node('beacon-ip-filter');

describe('beacon-ip-filter node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config) => helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', config));

  it('loads with its defaults (field RemoteIP, kql mode)', async function () {
    await helper.load(filterNode, [{ id: 'n1', type: 'beacon-ip-filter', name: 'x' }]);
    helper.getNode('n1').should.have.property('name', 'x');
  });

  it('kql mode: keeps public IPv4 on output 1, the rest on output 2, one message per record', async function () {
    await load({ field: 'RemoteIP', mode: 'kql', exclude: '' });
    const input = ['8.8.8.8', '127.0.0.1', '10.1.1.1', '2606:4700::1', 'junk'].map((ip) => ({ payload: { RemoteIP: ip } }));
    const got = await exchange(input);
    records(got.o1)
      .map((r) => r.RemoteIP)
      .should.eql(['8.8.8.8', '127.0.0.1']);
    records(got.o2)
      .map((r) => r.RemoteIP)
      .should.eql(['10.1.1.1', '2606:4700::1', 'junk']);
    got.o1.filter((m) => !m.flush).forEach((m) => m.payload.should.be.an.Object().and.not.be.an.Array());
  });

  it('only where: keeps records whose fields equal every condition exactly, the rest go to output 2', async function () {
    await load({ field: 'DestinationIP', mode: 'kql', match: 'DeviceVendor=Palo Alto Networks, Activity=TRAFFIC' });
    const r = (vendor, activity) => ({ DeviceVendor: vendor, Activity: activity, DestinationIP: '8.8.8.8' });
    const got = await exchange([
      { payload: [r('Palo Alto Networks', 'TRAFFIC'), r('Palo Alto Networks', 'THREAT'), r('palo alto networks', 'TRAFFIC'), { DestinationIP: '8.8.8.8' }] },
    ]);
    records(got.o1).should.eql([r('Palo Alto Networks', 'TRAFFIC')]);
    records(got.o2).should.have.length(3);
  });

  it('refuses a condition that is not Field=value', async function () {
    await load({ match: 'DeviceVendor' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/Field=value/);
  });

  it('keeps the array shape and the other message properties', async function () {
    await load({ field: 'DestinationIP', mode: 'kql' });
    const got = await exchange([{ topic: 'fw1', payload: [{ DestinationIP: '1.1.1.1' }, { DestinationIP: '192.168.0.1' }, { DestinationIP: '9.9.9.9' }] }]);
    got.o1[0].payload.should.eql([{ DestinationIP: '1.1.1.1' }, { DestinationIP: '9.9.9.9' }]);
    got.o1[0].topic.should.equal('fw1');
    got.o2[0].payload.should.eql([{ DestinationIP: '192.168.0.1' }]);
  });

  it('public mode drops loopback, CGNAT and ULA, keeps routable IPv6; excluded CIDRs are dropped', async function () {
    await load({ field: 'RemoteIP', mode: 'public', exclude: '17.253.0.0/16\n2606:4700::/32' });
    const ips = ['8.8.8.8', '127.0.0.1', '100.64.1.1', 'fd00::1', '2a00:1450::1', '17.253.4.125', '2606:4700::1111'];
    const got = await exchange([{ payload: ips.map((RemoteIP) => ({ RemoteIP })) }]);
    records(got.o1)
      .map((r) => r.RemoteIP)
      .should.eql(['8.8.8.8', '2a00:1450::1']);
  });

  it('passes flush and reset on, last, on output 1', async function () {
    await load({});
    const got = await exchange([{ payload: { RemoteIP: '8.8.8.8' }, reset: true }]);
    got.o1.map((m) => Boolean(m.reset || m.flush)).should.eql([false, true, true]);
    should(got.o1[1].payload).be.undefined();
  });

  it('reports a non-record payload to Catch nodes and keeps going', async function () {
    await load({});
    const got = await exchange([{ payload: 'not a record' }, { payload: { RemoteIP: '8.8.8.8' } }]);
    got.c1.should.have.length(1);
    got.c1[0].error.message.should.match(/msg\.payload is not a record object/);
    got.c1[0].error.source.id.should.equal('n1');
    records(got.o1).should.have.length(1);
  });

  it('shows kept and dropped counts in its status', async function () {
    await load({});
    await exchange([{ payload: [{ RemoteIP: '8.8.8.8' }, { RemoteIP: '10.0.0.1' }, { RemoteIP: '10.0.0.2' }] }]);
    helper.getNode('n1').status.lastCall.args[0].should.eql({ fill: 'green', shape: 'dot', text: 'kept 1 · dropped 2' });
  });

  it('refuses a malformed exclude list with a clear error', async function () {
    await load({ exclude: '10.0.0.0/8, not-a-cidr' });
    const n1 = helper.getNode('n1');
    n1.error.args
      .map((a) => String(a[0]))
      .join()
      .should.match(/not-a-cidr/);
    const got = await exchange([{ payload: { RemoteIP: '8.8.8.8' } }], { flush: false });
    got.c1[0].error.message.should.match(/invalid settings/);
  });
});
