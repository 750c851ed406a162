'use strict';
/** beacon-resolve with keys by name: RemoteKey on connections, DNS queries on output 3, the site's resolvers left out. */
const { helper, node, catchNode, flowWith, exchange, records } = require('./harness');
const { T0, dns, conn } = require('../support/name-records');
const resolveNode = node('beacon-resolve');

describe('beacon-resolve node: keys by name and DNS queries', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = async (config) => {
    const flow = flowWith('beacon-resolve', config);
    flow[1].wires.push(['o3']);
    flow.push({ id: 'o3', z: 'f1', type: 'helper' });
    await helper.load([resolveNode, catchNode], flow);
    const o3 = [];
    helper.getNode('o3').on('input', (msg) => o3.push(msg));
    return o3;
  };
  const input = () => [
    { payload: dns(T0, '10.0.0.5', 'a1.tunnel.evil.example', ['45.61.1.9'], [60]) },
    { payload: dns(T0 + 1000, '10.0.0.53', 'b2.tunnel.evil.example', ['45.61.1.10'], [60]) },
    { payload: conn(T0 + 2000, '10.0.0.5', '45.61.1.9') },
    { payload: conn(T0 + 2000, '10.0.0.5', '198.51.100.7') },
  ];

  it('key by name: connections carry RemoteKey, DNS queries keyed by domain come out on output 3, the excluded server on output 2', async function () {
    const o3 = await load({ key: 'name', excludeQueriers: '10.0.0.53' });
    const got = await exchange(input());
    records(got.o1)
      .map((r) => r.RemoteKey)
      .should.eql(['a1.tunnel.evil.example', '198.51.100.0/24']);
    records(o3)
      .map((r) => [r.LocalIP, r.RemoteKey])
      .should.eql([['10.0.0.5', 'evil.example']]);
    records(got.o2)
      .map((r) => r.LocalIP)
      .should.eql(['10.0.0.53']);
    got.c1.should.have.length(0);
  });

  it('absent key setting: as before, DNS records on output 2, no RemoteKey, nothing on output 3', async function () {
    const o3 = await load({});
    const got = await exchange(input());
    records(got.o1).forEach((r) => (r.RemoteKey === undefined).should.be.true());
    records(got.o2).should.have.length(2);
    o3.should.have.length(0);
  });

  it('a malformed exclusion list is refused at deploy, naming the entry', async function () {
    await load({ key: 'name', excludeQueriers: '10.0.0.53, dns-server' });
    const errors = helper
      .log()
      .args.filter((a) => a[0].level === helper.log().ERROR)
      .map((a) => String(a[0].msg));
    errors.join('\n').should.match(/dns-server/);
  });
});
