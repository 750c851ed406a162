'use strict';
/**
 * The name resolver: address → name learned from DNS answers and named
 * records in event time (TTL and grace), bounded in bytes with established
 * names kept through a flood of one-off names, and the annotation of
 * connection records (name, registrable domain, several names on one
 * address).
 */
const fc = require('fast-check');
const should = require('should');
const { T0, iso, dns, conn } = require('../support/name-records');
const sinon = require('sinon');
const { NameTable, NameResolver, DEFAULT_RESOLVER_OPTIONS, DEFAULT_NAME_TABLE_OPTIONS, registrableDomain } = require('../../dist/core/names');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');

const table = (o = {}) => new NameTable({ ...DEFAULT_NAME_TABLE_OPTIONS, ...o });
const resolver = (o = {}) => new NameResolver({ ...DEFAULT_RESOLVER_OPTIONS, ...o });

describe('core/names: the name resolver', function () {
  describe('event time and TTLs', function () {
    it('a name is valid from its answer until TTL + grace, in event time', function () {
      const t = table({ graceSeconds: 0 });
      t.learn('93.184.216.34', 'www.example.com', 60, T0);
      should(t.lookup('93.184.216.34', T0 + 59_000)).containDeep({ name: 'www.example.com', domain: 'example.com' });
      should(t.lookup('93.184.216.34', T0 + 61_000)).equal(null);
      t.counts.stale.should.equal(1);
      const g = table({ graceSeconds: 300 });
      g.learn('93.184.216.34', 'www.example.com', 60, T0);
      should(g.lookup('93.184.216.34', T0 + 61_000)).not.equal(null);
      should(g.lookup('93.184.216.34', T0 + 359_000)).not.equal(null);
      should(g.lookup('93.184.216.34', T0 + 361_000)).equal(null);
      // before the first answer, less the grace: the address meant something else then
      should(g.lookup('93.184.216.34', T0 - 301_000)).equal(null);
      // no time, no answer (every comparison with NaN is false, which would otherwise read as valid)
      should(g.lookup('93.184.216.34', NaN)).equal(null);
    });

    it('a new answer for the same name extends it; the wall clock plays no part', function () {
      const clock = sinon.useFakeTimers({ now: T0 });
      try {
        const t = table({ graceSeconds: 0 });
        t.learn('1.2.3.4', 'a.example.com', 60, T0);
        clock.tick(7 * 24 * 3600 * 1000);
        t.learn('1.2.3.4', 'a.example.com', 60, T0 + 50_000);
        should(t.lookup('1.2.3.4', T0 + 100_000)).containDeep({ name: 'a.example.com' });
        clock.tick(7 * 24 * 3600 * 1000);
        should(t.lookup('1.2.3.4', T0 + 111_000)).equal(null);
      } finally {
        clock.restore();
      }
    });

    it('drops entries whose names are dead for any record that is not late, and counts them', function () {
      const t = table({ graceSeconds: 0, latenessSeconds: 60 });
      t.learn('1.1.1.1', 'old.example.com', 10, T0);
      t.learn('2.2.2.2', 'new.example.com', 10, T0 + 3600_000);
      t.counts.expired.should.equal(1);
      t.addresses.should.equal(1);
      should(t.lookup('1.1.1.1', T0 + 5_000)).equal(null);
    });
  });

  describe('records', function () {
    it('learns each address answer under the queried name (not the CNAME in between) and annotates the connection', function () {
      const r = resolver();
      r.observe(
        dns(T0, '10.1.0.5', 'update.Example.co.uk'.toLowerCase(), ['update.example.co.uk.edgekey.net', '23.45.67.89', '2001:db8::1'], [3600, 20, 20]),
      ).should.equal('answer');
      const c = conn(T0 + 5_000, '10.1.0.5', '23.45.67.89');
      r.observe(c).should.equal('annotated');
      c.should.containDeep({ RemoteHostName: 'update.example.co.uk', RemoteDomain: 'example.co.uk' });
      c.should.not.have.property('RemoteHostNames');
      const v6 = conn(T0 + 5_000, '10.1.0.5', '2001:DB8::1');
      r.observe(v6).should.equal('annotated');
      r.observe(conn(T0 + 5_000, '10.1.0.5', '203.0.113.9')).should.equal('unknown');
    });

    it("an address several names share: this source's answer first, else the latest; all of them listed", function () {
      const r = resolver();
      r.observe(dns(T0, '10.1.0.5', 'a.cdn-customer.com', ['151.101.1.1'], [300]));
      r.observe(dns(T0 + 1_000, '10.1.0.6', 'b.other-customer.net', ['151.101.1.1'], [300]));
      const mine = conn(T0 + 2_000, '10.1.0.5', '151.101.1.1');
      const theirs = conn(T0 + 2_000, '10.1.0.7', '151.101.1.1');
      r.observe(mine);
      r.observe(theirs);
      mine.should.containDeep({
        RemoteHostName: 'a.cdn-customer.com',
        RemoteDomain: 'cdn-customer.com',
        RemoteHostNames: ['a.cdn-customer.com', 'b.other-customer.net'],
      });
      theirs.should.containDeep({ RemoteHostName: 'b.other-customer.net', RemoteHostNames: ['b.other-customer.net', 'a.cdn-customer.com'] });
    });

    it('replayed out of step (a whole dns.log first), a shared address still gets the answer given before the record', function () {
      const r = resolver({ graceSeconds: 300 });
      const H = 3600_000;
      r.observe(dns(T0, '10.1.0.5', 'a.shared-cdn.net', ['151.101.9.9'], [300]));
      r.observe(dns(T0 + 4 * H, '10.1.0.6', 'b.other.org', ['151.101.9.9'], [300]));
      // a.shared-cdn.net answered again later: valid across the gap, and learned last in the stream
      r.observe(dns(T0 + 8 * H, '10.1.0.5', 'a.shared-cdn.net', ['151.101.9.9'], [300]));
      const c = conn(T0 + 4 * H + 60_000, '10.1.0.7', '151.101.9.9');
      r.observe(c);
      c.should.containDeep({ RemoteHostName: 'b.other.org', RemoteHostNames: ['b.other.org', 'a.shared-cdn.net'] });
      const late = conn(T0 + 8 * H + 60_000, '10.1.0.7', '151.101.9.9');
      r.observe(late);
      late.RemoteHostName.should.equal('a.shared-cdn.net');
    });

    it('learns from records that carry a name (SNI, proxy, URL log) and adds only the domain to them', function () {
      const r = resolver();
      const ssl = {
        TimeGenerated: iso(T0),
        LocalIP: '10.1.0.5',
        RemoteIP: '52.1.2.3',
        TlsServerName: 'c2.Evil-Example.com',
        RemoteHostName: 'c2.evil-example.com',
      };
      r.observe(ssl).should.equal('named');
      Object.keys(ssl).should.eql(['TimeGenerated', 'LocalIP', 'RemoteIP', 'TlsServerName', 'RemoteHostName', 'RemoteDomain']);
      ssl.RemoteDomain.should.equal('evil-example.com');
      const later = conn(T0 + 600_000, '10.1.0.9', '52.1.2.3');
      r.observe(later);
      later.RemoteHostName.should.equal('c2.evil-example.com');
      // CommonSecurityLog: a PAN-OS CEF URL record names its destination only in RequestURL
      const url = { TimeGenerated: iso(T0), SourceIP: '10.1.0.5', DestinationIP: '93.184.216.34', RequestURL: 'updates.example.org/a/b.cab' };
      r.observe(url).should.equal('named');
      url.should.containDeep({ DestinationHostName: 'updates.example.org', DestinationDomain: 'example.org' });
      const csl = { TimeGenerated: iso(T0 + 1000), SourceIP: '10.1.0.6', DestinationIP: '93.184.216.34', DestinationPort: 443 };
      r.observe(csl);
      csl.DestinationHostName.should.equal('updates.example.org');
    });

    it('reads what the parsers give: Zeek dns.log JSON answers, then a conn.log row to the answer', function () {
      const p = new LogParser(DEFAULT_PARSER_OPTIONS);
      const r = resolver();
      const lines = [
        '{"ts":1591367999.305988,"uid":"CMdzit1AMNsmfAIiQc","id.orig_h":"192.168.4.76","id.orig_p":36844,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","query":"testmyids.com","qtype_name":"A","rcode_name":"NOERROR","answers":["31.3.245.133"],"TTLs":[3600.0]}',
        '{"ts":1591367999.512593,"uid":"C5bLoe2Mvxqhawzqqd","id.orig_h":"192.168.4.76","id.orig_p":46378,"id.resp_h":"31.3.245.133","id.resp_p":80,"proto":"tcp","orig_bytes":77}',
      ];
      const records = lines.map((l) => p.parseLine(l).record);
      records.map((x) => r.observe(x)).should.eql(['answer', 'annotated']);
      records[1].should.containDeep({ RemoteHostName: 'testmyids.com', RemoteDomain: 'testmyids.com' });
    });

    it('takes bad records as counted skips, never a throw', function () {
      const r = resolver();
      const junk = [
        {},
        { TimeGenerated: 'soon' },
        { TimeGenerated: iso(T0), DnsQuery: 'x.com', DnsAnswers: 'not an array' },
        { TimeGenerated: iso(T0), DnsQuery: 'x.com', DnsAnswers: [5, null, {}, '1.2.3.4'], DnsTTLs: ['x', Infinity] },
        { TimeGenerated: iso(T0), RemoteIP: 42 },
      ];
      junk.map((x) => r.observe(x)).should.eql(['skipped', 'skipped', 'answer', 'answer', 'skipped']);
      should(r.table.lookup('1.2.3.4', T0)).containDeep({ name: 'x.com' });
    });
  });

  describe('memory', function () {
    this.timeout(120000);

    it('stays under its byte limit through a flood of unique random subdomains and keeps the names in use', function () {
      const maxBytes = 2 * 1024 * 1024;
      const r = resolver({ maxBytes, graceSeconds: 300 });
      const established = [];
      for (let i = 0; i < 200; i++) {
        const address = `20.${i >> 8}.${i & 255}.10`;
        established.push(address);
        r.observe(dns(T0, '10.1.0.5', `svc${i}.established-${i % 7}.com`, [address], [86400]));
        r.observe(conn(T0 + 1000, '10.1.0.5', address));
      }
      const flood = 150_000;
      let maxSeen = 0;
      for (let i = 0; i < flood; i++) {
        const ms = T0 + 2000 + i * 10;
        // a tunnel's or DGA's unique names, each to a fresh address, some onto a shared one
        const address = i % 10 === 0 ? '198.51.100.1' : `${100 + (i % 100)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        r.observe(dns(ms, '10.1.0.66', `${((i * 2654435761) >>> 0).toString(36)}x${i}.tunnel.example.net`, [address], [60]));
        if (r.table.bytes > maxSeen) maxSeen = r.table.bytes;
        // the site goes on using its services now and then
        if (i % 20_000 === 0) for (const a of established) r.observe(conn(ms, '10.1.0.5', a));
      }
      maxSeen.should.be.belowOrEqual(maxBytes);
      r.table.counts.evictions.should.be.above(flood / 2);
      const kept = established.filter((a) => {
        const c = conn(T0 + 2000 + flood * 10, '10.1.0.5', a);
        r.observe(c);
        return c.RemoteHostName !== undefined;
      });
      kept.length.should.equal(established.length);
      // the shared address keeps at most its few names
      r.table.distinctNames.should.be.below(flood / 10);
    });

    it("holds the bound and never answers outside a name's validity, under any sequence (fast-check)", function () {
      const op = fc.oneof(
        fc.tuple(fc.constant('learn'), fc.nat(40), fc.nat(60), fc.nat(3600), fc.nat(600)),
        fc.tuple(fc.constant('lookup'), fc.nat(40), fc.constant(0), fc.constant(0), fc.nat(7200)),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 600, max: 6000 }), fc.nat(120), (ops, maxBytes, grace) => {
          const t = table({ maxBytes, graceSeconds: grace, maxNamesPerAddress: 3 });
          const truth = new Map();
          for (const [kind, a, n, ttl, dt] of ops) {
            const address = `10.0.0.${a}`;
            const ms = T0 + dt * 1000;
            if (kind === 'learn') {
              const name = `n${n}.example.com`;
              t.learn(address, name, ttl, ms);
              const key = `${address} ${name}`;
              const was = truth.get(key);
              truth.set(key, { first: Math.min(was?.first ?? ms, ms), expires: Math.max(was?.expires ?? 0, ms + ttl * 1000) });
            } else {
              const hit = t.lookup(address, ms);
              if (hit) {
                const known = truth.get(`${address} ${hit.name}`);
                should.exist(known);
                ms.should.be.within(known.first - grace * 1000, known.expires + grace * 1000);
              }
            }
            t.bytes.should.be.belowOrEqual(maxBytes);
          }
        }),
        { numRuns: 300, seed: 41 },
      );
    });
  });

  it('a snapshot restores the names, their times and which addresses are protected; other settings are refused', function () {
    const t = table({ graceSeconds: 0, maxBytes: 1e6 });
    t.learn('1.1.1.1', 'kept.example.com', 600, T0, '10.0.0.1');
    t.learn('2.2.2.2', 'one-off.example.net', 600, T0);
    t.learn('1.1.1.1', 'second.example.com', 600, T0 + 1000);
    t.lookup('1.1.1.1', T0 + 2000, '10.0.0.1');
    const saved = JSON.parse(JSON.stringify(t.snapshot()));
    const u = table({ graceSeconds: 0, maxBytes: 1e6 });
    u.restore(saved);
    u.addresses.should.equal(2);
    should(u.lookup('1.1.1.1', T0 + 3000, '10.0.0.1')).containDeep({ name: 'kept.example.com', all: ['kept.example.com', 'second.example.com'] });
    // the same estimate once the restored table has computed the same domain
    u.bytes.should.equal(t.bytes);
    should(u.lookup('2.2.2.2', T0 + 601_000)).equal(null);
    // the protected address outlives a flood after the restore too
    for (let i = 0; i < 5000; i++) u.learn(`9.${i >> 8}.${i & 255}.1`, `x${i}.flood.example`, 60, T0 + 4000);
    should(u.lookup('1.1.1.1', T0 + 5000)).not.equal(null);
    should(u.lookup('2.2.2.2', T0 + 5000)).equal(null);
    (() => table({ maxNamesPerAddress: 2 }).restore(saved)).should.throw(/other settings/);
    (() => table().restore({ format: 'x' })).should.throw(/not netbeacon state/);
  });

  it('registrable domains come from the Public Suffix List, private section included', function () {
    registrableDomain('a.b.example.co.uk').should.equal('example.co.uk');
    registrableDomain('tenant1.azurewebsites.net').should.equal('tenant1.azurewebsites.net');
    registrableDomain('tenant1.azurewebsites.net', false).should.equal('azurewebsites.net');
    should(registrableDomain('93.184.216.34')).equal(null);
    should(registrableDomain('co.uk')).equal(null);
  });
});
