'use strict';
/** beacon-scorer's allow-list by name and its benign-pack switch, through a deployed node. */
const { helper, node, catchNode, flowWith, exchange } = require('./harness');
const scorerNode = node('beacon-scorer');

const row = (key, src = '10.0.0.1') => ({
  TimeGenerated: '2024-01-01T10:00:00Z',
  LocalIP: src,
  RemoteKey: key,
  RemotePortNumber: 443,
  TotalEvents: 20,
  DeltaCounts: { 60: 20 },
  BinSeconds: 3600,
  GroupFields: ['LocalIP', 'RemoteKey', 'RemotePortNumber'],
});

describe('beacon-scorer node: entries by name and the benign pack', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const run = async (config) => {
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { minTotalEvents: 15, minBeaconPercent: 95, dstField: 'RemoteKey', ...config }));
    return exchange([{ payload: row('windowsupdate.com') }, { payload: row('evil.example') }, { payload: row('veeam.com', '10.20.0.7') }]);
  };

  it('absent or off, the pack changes nothing: every row alerts', async function () {
    for (const config of [{}, { benignPack: false }]) {
      const got = await run(config);
      got.o1
        .filter((m) => !m.flush)
        .map((m) => m.payload.RemoteKey)
        .should.eql(['windowsupdate.com', 'evil.example', 'veeam.com']);
      await helper.unload();
    }
  });

  it('on, the pack suppresses the update service with its entry named; a user pair entry suppresses its sources', async function () {
    const got = await run({ benignPack: true, allow: 'pair 10.20.0.0/16 *.veeam.com # backup' });
    got.o1
      .filter((m) => !m.flush)
      .map((m) => m.payload.RemoteKey)
      .should.eql(['evil.example']);
    const held = got.o2.filter((m) => m.payload && m.payload.Suppressed).map((m) => [m.payload.RemoteKey, m.payload.SuppressedBy, m.payload.Suppressed]);
    held.should.have.length(2);
    held[0].slice(0, 2).should.eql(['windowsupdate.com', 'name *.windowsupdate.com']);
    held[0][2].should.match(/^allow-list: name \*\.windowsupdate\.com — Microsoft: .*benign pack/);
    held[1].slice(0, 2).should.eql(['veeam.com', 'pair 10.20.0.0/16 *.veeam.com']);
  });
});
