'use strict';
/**
 * Keys by name: connections keyed by their destination's name (or domain)
 * and, without one, by its network; DNS queries keyed by the domain asked
 * for (DNS beaconing), the site's DNS servers left out; and the key shown
 * as the destination by the alert text and the SIEM formats.
 */
const should = require('should');
const { T0, dns, conn } = require('../support/name-records');
const { NameResolver, DEFAULT_RESOLVER_OPTIONS, DEFAULT_KEY_OPTIONS, isScored } = require('../../dist/core/names');
const { CidrSet } = require('../../dist/core/common/address');
const { ecsDocument, cefLine } = require('../../dist/core/alert/formats');
const { alertSubject } = require('../../dist/core/alert/text');

const resolver = (keys) => new NameResolver({ ...DEFAULT_RESOLVER_OPTIONS, keys: { ...DEFAULT_KEY_OPTIONS, ...keys } });

describe('core/names: keys by name', function () {
  it('off (the default): no key column, DNS records stay answers', function () {
    const r = new NameResolver(DEFAULT_RESOLVER_OPTIONS);
    r.observe(dns(T0, '10.0.0.5', 'c2.evil.example', ['45.61.1.9'], [300])).should.equal('answer');
    const c = conn(T0 + 1000, '10.0.0.5', '45.61.1.9');
    r.observe(c).should.equal('annotated');
    should(c.RemoteKey).be.undefined();
  });

  it('name: a rotating address behind one name is one key; an address without a name is keyed by its /24', function () {
    const r = resolver({ mode: 'name' });
    const addresses = ['45.61.1.9', '103.77.2.4', '185.10.9.1', '5.44.3.2', '91.200.8.8', '146.0.77.3', '23.94.5.5', '193.42.1.1'];
    const keys = addresses.map((a, i) => {
      const t = T0 + i * 600_000;
      r.observe(dns(t, '10.0.0.5', 'cdn.evil.example', [a], [60]));
      const c = conn(t + 2000, '10.0.0.5', a);
      r.observe(c).should.equal('annotated');
      return c.RemoteKey;
    });
    [...new Set(keys)].should.eql(['cdn.evil.example']);
    const unnamed = conn(T0, '10.0.0.5', '198.51.100.77');
    r.observe(unnamed).should.equal('unknown');
    unnamed.RemoteKey.should.equal('198.51.100.0/24');
    isScored('unknown').should.be.true();
  });

  it('domain: the registrable domain is the key', function () {
    const r = resolver({ mode: 'domain' });
    r.observe(dns(T0, '10.0.0.5', 'a.b.example.co.uk', ['93.184.216.34'], [60]));
    const c = conn(T0 + 1000, '10.0.0.5', '93.184.216.34');
    r.observe(c);
    c.RemoteKey.should.equal('example.co.uk');
  });

  it('DNS queries: keyed by the domain asked for, a fresh random subdomain each time is one key, and scored', function () {
    const r = resolver({ mode: 'name' });
    const keys = [];
    for (let i = 0; i < 20; i++) {
      const q = dns(T0 + i * 300_000, '10.0.0.7', `${(i * 7919).toString(36)}x${i}.tunnel.evil.example`);
      r.observe(q).should.equal('query');
      keys.push(q.RemoteKey);
    }
    [...new Set(keys)].should.eql(['evil.example']);
    isScored('query').should.be.true();
    r.counts.query.should.equal(20);
  });

  it("the site's DNS servers and reverse look-ups are not scored; names without a domain either", function () {
    const r = resolver({ mode: 'name', excludeQueriers: new CidrSet(['10.0.0.53', '10.9.0.0/16']) });
    const forwarded = dns(T0, '10.0.0.53', 'x.evil.example', ['45.61.1.9'], [60]);
    r.observe(forwarded).should.equal('answer');
    should(forwarded.RemoteKey).be.undefined();
    r.observe(dns(T0, '10.9.1.1', 'x.evil.example')).should.equal('answer');
    r.observe(dns(T0, '10.0.0.5', '9.1.61.45.in-addr.arpa')).should.equal('answer');
    r.observe(dns(T0, '10.0.0.5', 'printer')).should.equal('answer');
    isScored('answer').should.be.false();
    // the excluded server's answer still teaches the name
    const c = conn(T0 + 1000, '10.0.0.5', '45.61.1.9');
    r.observe(c);
    c.RemoteKey.should.equal('x.evil.example');
  });

  it('a Zeek ssl row teaches and is keyed, but is not scored (conn.log carries its connection); a proxy record is scored', function () {
    const r = resolver({ mode: 'name' });
    const ssl = { ...conn(T0, '10.0.0.5', '45.61.1.9'), TlsServerName: 'cdn.evil.example', RemoteHostName: 'cdn.evil.example' };
    r.observe(ssl).should.equal('taught');
    ssl.RemoteKey.should.equal('cdn.evil.example');
    isScored('taught').should.be.false();
    const proxy = { ...conn(T0, '10.0.0.5', '45.61.1.9'), RemoteHostName: 'cdn.evil.example' };
    r.observe(proxy).should.equal('named');
    const c = conn(T0 + 1000, '10.0.0.5', '45.61.1.9');
    r.observe(c);
    c.RemoteKey.should.equal('cdn.evil.example');
  });

  describe('the key as the destination people and SIEMs read', function () {
    const row = (dst) => ({
      TimeGenerated: '2024-05-08T10:00:00Z',
      LocalIP: '10.0.0.5',
      RemoteKey: dst,
      RemotePortNumber: 443,
      MostFrequentTimeDeltaCount: 50,
      MostFrequentTimeDeltainSeconds: 60,
      TotalEvents: 52,
      BeaconPercent: 96.2,
      histogram: { 60: 50 },
    });

    it('a name: alert text, ECS destination.domain, CEF dhost', function () {
      alertSubject(row('cdn.evil.example')).should.match(/10\.0\.0\.5 → cdn\.evil\.example:443/);
      ecsDocument(row('cdn.evil.example')).destination.should.containDeep({ address: 'cdn.evil.example', domain: 'cdn.evil.example', port: 443 });
      cefLine(row('cdn.evil.example')).should.match(/ dhost=cdn\.evil\.example /);
    });

    it('a network key stays a network: no domain, no dhost', function () {
      const doc = ecsDocument(row('45.61.1.0/24'));
      should(doc.destination.domain).be.undefined();
      cefLine(row('45.61.1.0/24')).should.not.match(/dhost=/);
    });
  });
});
