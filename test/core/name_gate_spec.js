'use strict';
/** The alert gate's entries by name: a key by name, a host name column, pairs, and the benign pack as a switch. */
const should = require('should');
const { AlertGate, parseAllowList } = require('../../dist/core/scorer/alert-gate.js');
const { readAllowLists, BENIGN_PACK } = require('../../dist/core/scorer/benign-pack.js');
const { isAllowRule } = require('../../dist/nodes/settings/scorer.js');
const { BeaconsBoard } = require('../../dist/plugins/beacons-board.js');

const gate = (text, benignPack = false, dstField = 'RemoteKey') => {
  const { address, names } = readAllowLists(text, benignPack);
  return new AlertGate({
    allow: address,
    names,
    srcField: 'LocalIP',
    dstField,
    portField: 'RemotePortNumber',
    maxSourcesPerDestination: 0,
    rearmSeconds: 0,
    maxRemembered: 1000,
  });
};
const alert = (extra = {}) => ({ TimeGenerated: '2024-01-01T10:00:00Z', LocalIP: '10.0.0.9', RemoteKey: 'evil.example', RemotePortNumber: 443, ...extra });

describe('core/scorer: the alert gate reads entries by name', function () {
  it('a name entry suppresses a key by name and names itself in the reason and SuppressedBy', function () {
    const g = gate('name *.windowsupdate.com # Windows Update\nname time.windows.com');
    const row = alert({ RemoteKey: 'windowsupdate.com' });
    g.check(row).suppressed.should.equal('allow-list: name *.windowsupdate.com — Windows Update');
    row.SuppressedBy.should.equal('name *.windowsupdate.com');
    const exact = alert({ RemoteKey: 'time.windows.com' });
    g.check(exact).suppressed.should.equal('allow-list: name time.windows.com');
    should(g.check(alert({ RemoteKey: 'evilwindowsupdate.com' })).suppressed).be.null();
    should(g.check(alert({ RemoteKey: 'windows.com' })).suppressed).be.null();
    g.counts.allowListed.should.equal(2);
  });

  it('a key that is an address or a network is never read as a name; a RemoteHostName column is', function () {
    const g = gate('name *.eset.com', false, 'RemoteIP');
    should(g.check(alert({ RemoteIP: '91.228.167.5' })).suppressed).be.null();
    should(g.check(alert({ RemoteIP: '45.61.1.0/24' })).suppressed).be.null();
    g.check(alert({ RemoteIP: '91.228.167.5', RemoteHostName: 'edf.eset.com' })).suppressed.should.match(/name \*\.eset\.com/);
  });

  it('a pair entry allows the name for its sources only', function () {
    const g = gate('pair 10.20.0.0/16 *.veeam.com # backup agents');
    g.check(alert({ LocalIP: '10.20.3.4', RemoteKey: 'veeam.com' })).suppressed.should.equal('allow-list: pair 10.20.0.0/16 *.veeam.com — backup agents');
    should(g.check(alert({ LocalIP: '10.30.3.4', RemoteKey: 'veeam.com' })).suppressed).be.null();
  });

  it('address rules keep their reason and now name their line too', function () {
    const g = new AlertGate({
      allow: parseAllowList('port 123 # NTP'),
      srcField: 'LocalIP',
      dstField: 'RemoteIP',
      portField: 'RemotePortNumber',
      maxSourcesPerDestination: 0,
      rearmSeconds: 0,
      maxRemembered: 10,
    });
    const row = alert({ RemotePortNumber: 123 });
    g.check(row).suppressed.should.equal('allow-list: NTP');
    row.SuppressedBy.should.equal('port 123');
  });

  it('the benign pack is a switch: off, the same row alerts; on, the pack entry and its version are named; the user entry wins', function () {
    should(gate('', false).check(alert({ RemoteKey: 'windowsupdate.com' })).suppressed).be.null();
    const on = gate('', true).check(alert({ RemoteKey: 'windowsupdate.com' })).suppressed;
    on.should.startWith('allow-list: name *.windowsupdate.com — Microsoft: ');
    on.should.containEql(`benign pack ${BENIGN_PACK.version}`);
    const own = gate('name *.windowsupdate.com # ours', true).check(alert({ RemoteKey: 'windowsupdate.com' })).suppressed;
    own.should.equal('allow-list: name *.windowsupdate.com — ours');
    // a C2 is never allowed by the pack, nor by a look-alike
    should(gate('', true).check(alert({ RemoteKey: 'windowsupdate.com.evil.example' })).suppressed).be.null();
  });

  it('on port 53 a key is the domain of DNS queries: an entry for a name in it allows them, a look-alike domain never', function () {
    const g = gate('name v10.events.data.microsoft.com # telemetry\npair 10.20.0.0/16 *.veeam.com');
    const row = alert({ RemoteKey: 'microsoft.com', RemotePortNumber: 53 });
    g.check(row).suppressed.should.equal('allow-list: name v10.events.data.microsoft.com — telemetry');
    // connections keyed by the domain are not allowed by a narrower entry
    should(g.check(alert({ RemoteKey: 'microsoft.com', RemotePortNumber: 443 })).suppressed).be.null();
    should(g.check(alert({ RemoteKey: 'evilmicrosoft.com', RemotePortNumber: 53 })).suppressed).be.null();
    // a pair entry allows its domain's queries for its sources only
    g.check(alert({ LocalIP: '10.20.1.1', RemoteKey: 'veeam.com', RemotePortNumber: 53 })).suppressed.should.match(/pair 10\.20\.0\.0\/16/);
    should(g.check(alert({ LocalIP: '10.30.1.1', RemoteKey: 'veeam.com', RemotePortNumber: 53 })).suppressed).be.null();
  });

  it("the editor's check accepts the name kinds and refuses wildcards inside a name", function () {
    isAllowRule('name *.windowsupdate.com time.windows.com').should.be.true();
    isAllowRule('domain eset.com').should.be.true();
    isAllowRule('pair 10.0.0.0/8 *.veeam.com').should.be.true();
    isAllowRule('name').should.be.false();
    isAllowRule('name a.*.com').should.be.false();
    isAllowRule('name http://x.example').should.be.false();
  });

  it('the sidebar card carries the entry that suppressed it, else a pair entry to copy', function () {
    const board = new BeaconsBoard();
    const base = { MostFrequentTimeDeltaCount: 50, MostFrequentTimeDeltainSeconds: 60, TotalEvents: 50, BeaconPercent: 99, histogram: { 60: 50 } };
    board.offer('s', { TimeGenerated: 'a', LocalIP: '10.0.0.1', RemoteKey: 'evil.example', RemotePortNumber: 443, ...base }, true);
    board.offer(
      's',
      {
        TimeGenerated: 'a',
        LocalIP: '10.0.0.2',
        RemoteKey: 'windowsupdate.com',
        RemotePortNumber: 443,
        ...base,
        Suppressed: 'allow-list: x',
        SuppressedBy: 'name *.windowsupdate.com',
        FailedThresholds: [],
      },
      false,
    );
    // a CommonSecurityLog row, the device first: the source and destination are read by name, not by position
    board.offer('s', { TimeGenerated: 'a', DeviceName: 'fw1', SourceIP: '10.0.0.3', DestinationIP: '52.1.2.3', DestinationPort: 443, ...base }, true);
    board
      .list()
      .find((g) => g.fields[0][1] === 'fw1')
      .entry.should.equal('pair 10.0.0.3 52.1.2.3');
    const byKey = Object.fromEntries(board.list().map((g) => [g.fields[1][1], g]));
    byKey['evil.example'].entry.should.equal('pair 10.0.0.1 evil.example');
    byKey['windowsupdate.com'].entry.should.equal('name *.windowsupdate.com');
    byKey['windowsupdate.com'].fields.map((f) => f[0]).should.not.containEql('SuppressedBy');
    // the copied pair entry is one the gate reads back and applies
    gate(byKey['evil.example'].entry)
      .check(alert({ LocalIP: '10.0.0.1' }))
      .suppressed.should.match(/^allow-list: pair 10\.0\.0\.1 evil\.example/);
  });
});
