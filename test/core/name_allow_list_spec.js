'use strict';
/**
 * Allow-list entries by name: wildcard domains (the domain itself included,
 * whole labels only), exact names, source-CIDR + name pairs, their place
 * beside the address kinds in one text, and the benign pack.
 */
const fc = require('fast-check');
const should = require('should');
const { parseNamePattern, matchesName, parseNameAllowList, NameAllowList, splitAllowListText } = require('../../dist/core/scorer/name-allow-list');
const { BENIGN_PACK, benignPackEntries, readAllowLists } = require('../../dist/core/scorer/benign-pack');

const list = (text) => new NameAllowList(parseNameAllowList(text));

describe('core/scorer: allow-list entries by name', function () {
  describe('wildcard domains', function () {
    const l = list('name *.windowsupdate.com # Windows Update');

    it('*.x matches x itself and every name under it, in any case, with or without the root dot', function () {
      for (const n of ['windowsupdate.com', 'ctldl.windowsupdate.com', 'a.b.c.windowsupdate.com', 'CTLDL.WindowsUpdate.COM', 'windowsupdate.com.']) {
        should(l.match('10.0.0.1', n)).containDeep({ text: 'name *.windowsupdate.com', reason: 'Windows Update' }, n);
      }
    });

    it('never matches by a partial label or as a prefix', function () {
      for (const n of ['evilwindowsupdate.com', 'windowsupdate.com.evil.net', 'windowsupdate.co', 'xwindowsupdate.com', 'windowsupdate-com.net', 'com', '']) {
        should(l.match('10.0.0.1', n)).equal(null, n);
      }
      should(l.match('10.0.0.1', undefined)).equal(null);
      should(l.match('10.0.0.1', 42)).equal(null);
    });

    it('domain x is *.x', function () {
      should(list('domain eset.com').match(null, 'epns.eset.com')).containDeep({ text: 'name *.eset.com' });
      should(list('domain eset.com').match(null, 'eset.com')).not.equal(null);
      should(list('domain eset.com').match(null, 'noteset.com')).equal(null);
    });
  });

  it('an exact name matches that name only', function () {
    const l = list('name time.windows.com');
    should(l.match(null, 'time.windows.com')).not.equal(null);
    should(l.match(null, 'TIME.windows.com.')).not.equal(null);
    for (const n of ['windows.com', 'x.time.windows.com', 'time.windows.com.evil.net', 'atime.windows.com']) should(l.match(null, n)).equal(null, n);
  });

  it('a pair allows the name for the listed sources only', function () {
    const l = list('pair 10.20.0.0/16,2001:db8::/32 *.veeam.com # backup server licence checks');
    should(l.match('10.20.3.4', 'licensing.veeam.com')).containDeep({ kind: 'pair', reason: 'backup server licence checks' });
    should(l.match('2001:db8::5', 'veeam.com')).not.equal(null);
    should(l.match('10.21.3.4', 'licensing.veeam.com')).equal(null);
    should(l.match('10.20.3.4', 'evilveeam.com')).equal(null);
    should(l.match(undefined, 'licensing.veeam.com')).equal(null);
  });

  it('refuses wildcards over public suffixes and malformed patterns, naming the line', function () {
    for (const bad of ['*.com', '*.co.uk', '*.azurewebsites.net', '*.cloudfront.net']) {
      (() => parseNamePattern(bad)).should.throw(/public suffix/, bad);
    }
    for (const bad of ['a.*.com', '*foo.com', '*', 'exa mple.com', '-x.com', 'x..com', 'http://x.com']) {
      (() => parseNamePattern(bad)).should.throw(/not a host name/, bad);
    }
    (() => parseNameAllowList('name')).should.throw(/needs at least one name/);
    (() => parseNameAllowList('pair *.x.com')).should.throw(/needs a source/);
    (() => parseNameAllowList('pair 10.0.0.0/33 *.x.com')).should.throw(/not a CIDR/);
    (() => parseNameAllowList('host x.com')).should.throw(/must start with name, domain or pair/);
  });

  it('one text holds the address kinds and the name kinds; each goes to its reader', function () {
    const text = [
      'port 123            # NTP',
      'dst 17.0.0.0/8      # Apple',
      'pair 10.0.0.5 203.0.113.7',
      'name *.windowsupdate.com',
      'pair 10.0.0.0/8 *.veeam.com',
      '# a comment line',
    ].join('\n');
    const { addressLines, nameLines } = splitAllowListText(text);
    addressLines.should
      .match(/port 123/)
      .and.match(/dst 17/)
      .and.match(/pair 10.0.0.5 203.0.113.7/);
    nameLines.should
      .match(/windowsupdate/)
      .and.match(/veeam/)
      .and.not.match(/port|dst/);
    const { address, names } = readAllowLists(text, false);
    address.map((r) => r.kind).should.eql(['port', 'dst', 'pair']);
    names.size.should.equal(2);
    const withPack = readAllowLists('name *.windowsupdate.com # ours', true);
    withPack.names.size.should.equal(1 + benignPackEntries().length);
    // the user's own entry is the one named
    withPack.names.match(null, 'x.windowsupdate.com').reason.should.equal('ours');
  });

  it('matches as a plain reading of labels does (fast-check, with a list of many entries)', function () {
    const label = fc.constantFrom('a', 'b', 'ab', 'ba', 'x1', 'com', 'net', 'co');
    const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
    const entry = fc.tuple(fc.boolean(), fc.array(label, { minLength: 2, maxLength: 3 })).map(([w, ls]) => ({ wildcard: w, name: `${ls.join('.')}.example` }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), name, fc.boolean(), (entries, n, inList) => {
        const candidate = inList && entries.length > 0 ? `${n}.${entries[0].name}` : `${n}.example`;
        const l = new NameAllowList(entries.map((e) => ({ kind: 'name', pattern: e, text: e.name, reason: e.name })));
        const plain = entries.some((e) => {
          const a = candidate.split('.');
          const b = e.name.split('.');
          if (a.length < b.length) return false;
          const tail = a.slice(a.length - b.length).join('.');
          return tail === e.name && (e.wildcard || a.length === b.length);
        });
        (l.match(null, candidate) !== null).should.equal(plain, candidate);
        entries.forEach((e) => matchesName(e, candidate).should.equal(candidate === e.name || (e.wildcard && candidate.endsWith(`.${e.name}`))));
      }),
      { numRuns: 3000, seed: 51 },
    );
  });

  describe('the benign pack', function () {
    it('is versioned and every entry parses, says why and names an https source', function () {
      BENIGN_PACK.version.should.match(/^\d+\.\d+\.\d+$/);
      BENIGN_PACK.updated.should.match(/^\d{4}-\d{2}-\d{2}$/);
      BENIGN_PACK.entries.length.should.be.above(10);
      for (const e of BENIGN_PACK.entries) {
        parseNameAllowList(e.entry).should.have.length(1);
        e.source.should.match(/^https:\/\/[a-z0-9.-]+\//);
        e.why.should.not.equal('');
        ['os-update', 'os-telemetry', 'os-push', 'os-connectivity', 'time', 'av', 'agent', 'app-update'].should.containEql(e.category);
      }
      const entries = benignPackEntries();
      entries.every((e) => e.source && e.reason.includes(`benign pack ${BENIGN_PACK.version}`)).should.be.true();
    });

    it('covers the periodic services seen on real captures, and nothing by suffix confusion', function () {
      const pack = new NameAllowList(benignPackEntries());
      for (const n of [
        'v10.events.data.microsoft.com',
        'ctldl.windowsupdate.com',
        'array808-prod.do.dsp.mp.microsoft.com',
        'epns.eset.com',
        'time.apple.com',
        '0.pool.ntp.org',
        'client.dropbox.com',
      ]) {
        should(pack.match('10.0.0.1', n)).not.equal(null, n);
      }
      for (const n of [
        'evil-microsoft.com',
        'microsoft.com.attacker.net',
        'eset.com.evil',
        'notdropbox.com',
        'x.azurewebsites.net',
        'time.apple.com.evil.org',
      ]) {
        should(pack.match('10.0.0.1', n)).equal(null, n);
      }
      pack.match('10.0.0.1', 'epns.eset.com').source.should.match(/eset\.com/);
    });
  });
});
