'use strict';
/**
 * The logs that carry names: Zeek dns.log, ssl.log and http.log (TSV and
 * JSON), Squid's native access log, and PAN-OS THREAT/URL lines (CSV and
 * CEF). Sample lines follow the formats' documentation (Zeek's log
 * reference, Squid's `logformat squid`, Palo Alto's "Threat Log Fields");
 * the fast readers are held against plain readings written here.
 */
const fs = require('fs');
const path = require('path');
const fc = require('fast-check');
const should = require('should');
const { parse: parseCsv } = require('csv-parse/sync');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { squidRecord } = require('../../dist/core/parse/squid');
const { urlHost, hostOfAuthority, isAddressLiteral } = require('../../dist/core/parse/host');
const { WIRE_DATA_COLUMNS, COMMON_SECURITY_LOG_COLUMNS } = require('../../dist/core/parse/columns');

const parser = (o = {}) => new LogParser({ ...DEFAULT_PARSER_OPTIONS, ...o });
const records = (lines, o) => {
  const p = parser(o);
  return lines.map((l) => p.parseLine(l)).filter((r) => r.kind !== 'header');
};

const ZEEK_HEADER = (pathName, fields, types) => [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  `#path\t${pathName}`,
  '#open\t2020-07-26-17-08-11',
  `#fields\t${fields.join('\t')}`,
  `#types\t${types.join('\t')}`,
];

const DNS_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'trans_id',
  'rtt',
  'query',
  'qclass',
  'qclass_name',
  'qtype',
  'qtype_name',
  'rcode',
  'rcode_name',
  'AA',
  'TC',
  'RD',
  'RA',
  'Z',
  'answers',
  'TTLs',
  'rejected',
];
const DNS_TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'enum',
  'count',
  'interval',
  'string',
  'count',
  'string',
  'count',
  'string',
  'count',
  'string',
  'bool',
  'bool',
  'bool',
  'bool',
  'count',
  'vector[string]',
  'vector[interval]',
  'bool',
];
// a CNAME chain as Zeek writes it: the alias first, then the addresses, a TTL for each answer
const DNS_ROW = [
  '1595783291.221132',
  'CHhAvVGS1DHFjwGM9',
  '192.168.4.76',
  '53138',
  '192.168.4.1',
  '53',
  'udp',
  '20400',
  '0.017862',
  'www.Example.com.',
  '1',
  'C_INTERNET',
  '1',
  'A',
  '0',
  'NOERROR',
  'F',
  'F',
  'T',
  'T',
  '0',
  'www.example.com.edgekey.net,e1234.a.akamaiedge.net,23.45.67.89,23.45.67.90',
  '21600.000000,20.000000,20.000000,20.000000',
  'F',
].join('\t');
const DNS_JSON =
  '{"ts":1591367999.305988,"uid":"CMdzit1AMNsmfAIiQc","id.orig_h":"192.168.4.76","id.orig_p":36844,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","trans_id":15209,"rtt":0.07669901847839355,"query":"testmyids.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["31.3.245.133"],"TTLs":[3600.0],"rejected":false}';

const SSL_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'version',
  'cipher',
  'curve',
  'server_name',
  'resumed',
  'last_alert',
  'next_protocol',
  'established',
  'cert_chain_fuids',
  'client_cert_chain_fuids',
  'subject',
  'issuer',
  'client_subject',
  'client_issuer',
  'validation_status',
];
const SSL_TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'string',
  'string',
  'string',
  'string',
  'bool',
  'string',
  'string',
  'bool',
  'vector[string]',
  'vector[string]',
  'string',
  'string',
  'string',
  'string',
  'string',
];
const SSL_ROW = [
  '1598377391.921726',
  'CsukF91Bx9mrqdEaH9',
  '192.168.4.49',
  '56718',
  '13.32.202.10',
  '443',
  'TLSv12',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'secp256r1',
  'www.taosecurity.com',
  'F',
  '-',
  'h2',
  'T',
  'FBtZ7y1ppK8iIeY622,FLmVSp3Rr2CfQRHfe8',
  '(empty)',
  'CN=www.taosecurity.com',
  'CN=Amazon,OU=Server CA 1B,O=Amazon,C=US',
  '-',
  '-',
  'ok',
].join('\t');
const SSL_JSON =
  '{"ts":1598377391.921726,"uid":"CsukF91Bx9mrqdEaH9","id.orig_h":"192.168.4.49","id.orig_p":56718,"id.resp_h":"13.32.202.10","id.resp_p":443,"version":"TLSv12","cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","curve":"secp256r1","server_name":"www.taosecurity.com","resumed":false,"next_protocol":"h2","established":true,"cert_chain_fuids":["FBtZ7y1ppK8iIeY622","FLmVSp3Rr2CfQRHfe8"],"client_cert_chain_fuids":[],"subject":"CN=www.taosecurity.com","issuer":"CN=Amazon,OU=Server CA 1B,O=Amazon,C=US","validation_status":"ok"}';

const HTTP_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'trans_depth',
  'method',
  'host',
  'uri',
  'referrer',
  'version',
  'user_agent',
  'origin',
  'request_body_len',
  'response_body_len',
  'status_code',
  'status_msg',
  'info_code',
  'info_msg',
  'tags',
  'username',
  'password',
  'proxied',
  'orig_fuids',
  'orig_filenames',
  'orig_mime_types',
  'resp_fuids',
  'resp_filenames',
  'resp_mime_types',
];
const HTTP_TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'count',
  'string',
  'string',
  'string',
  'string',
  'string',
  'string',
  'string',
  'count',
  'count',
  'count',
  'string',
  'count',
  'string',
  'set[enum]',
  'string',
  'string',
  'set[string]',
  'vector[string]',
  'vector[string]',
  'vector[string]',
  'vector[string]',
  'vector[string]',
  'vector[string]',
];
const HTTP_ROW = [
  '1591367999.512593',
  'C5bLoe2Mvxqhawzqqd',
  '192.168.4.76',
  '46378',
  '31.3.245.133',
  '80',
  '1',
  'GET',
  'testmyids.com:8080',
  '/',
  '-',
  '1.1',
  'curl/7.47.0',
  '-',
  '0',
  '39',
  '200',
  'OK',
  '-',
  '-',
  '(empty)',
  '-',
  '-',
  '-',
  '-',
  '-',
  '-',
  'FEEsZS1w0Z0VJIb5x4',
  '-',
  'text/plain',
].join('\t');
const HTTP_JSON =
  '{"ts":1591367999.512593,"uid":"C5bLoe2Mvxqhawzqqd","id.orig_h":"192.168.4.76","id.orig_p":46378,"id.resp_h":"31.3.245.133","id.resp_p":80,"trans_depth":1,"method":"GET","host":"testmyids.com:8080","uri":"/","version":"1.1","user_agent":"curl/7.47.0","request_body_len":0,"response_body_len":39,"status_code":200,"status_msg":"OK","tags":[],"resp_fuids":["FEEsZS1w0Z0VJIb5x4"],"resp_mime_types":["text/plain"]}';

// Squid's own examples of logformat squid (squid-cache.org wiki, SquidFaq/SquidLogs), a CONNECT tunnel, a denial and an IPv6 client
const SQUID_GET = '1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://www.google.com/ - DIRECT/74.125.87.104 text/html';
const SQUID_CONNECT = '1672843056.913     84 10.136.0.18 TCP_TUNNEL/200 20275 CONNECT www.honestimnotevil.com:443 - HIER_DIRECT/93.184.216.34 -';
const SQUID_DENIED = '1672843078.129      0 10.136.0.18 TCP_DENIED/403 3945 GET http://Bad.Example.ORG:8081/x?y=1 alice HIER_NONE/- text/html';
const SQUID_V6 = '1672843079.000     12 2001:db8::7 TCP_TUNNEL/200 1200 CONNECT [2001:db8::1]:443 - HIER_DIRECT/2001:db8::1 -';

// PAN-OS THREAT, subtype url: positions of Palo Alto's "Threat Log Fields" (URL/Filename 31, category 33, user agent 46, referer 49, method 63)
const threatFields = () => {
  const f = new Array(70).fill('');
  Object.assign(f, {
    0: '1',
    1: '2024/05/08 01:10:31',
    2: '013201027985',
    3: 'THREAT',
    4: 'url',
    5: '2049',
    6: '2024/05/08 01:10:30',
    7: '10.226.66.16',
    8: '93.184.216.34',
    9: '198.51.100.7',
    10: '93.184.216.34',
    11: 'allow-web',
    12: 'corp\\alice',
    14: 'web-browsing',
    15: 'vsys1',
    16: 'trust',
    17: 'untrust',
    18: 'ethernet1/2',
    19: 'ethernet1/1',
    20: 'default',
    22: '781099',
    23: '1',
    24: '51234',
    25: '80',
    26: '40001',
    27: '80',
    28: '0x403000',
    29: 'tcp',
    30: 'alert',
    31: '"updates.example.com/path/a,b.cab"',
    32: '(9999)',
    33: 'computer-and-internet-info',
    34: 'informational',
    35: 'client-to-server',
    41: 'application/octet-stream',
    46: '"Microsoft-Delivery-Optimization/10.0"',
    49: '"http://portal.example.com/"',
    59: 'PA-3220',
    63: 'get',
  });
  return f;
};
const PANOS_THREAT = `<14>May  8 01:10:31 PA-3220 ${threatFields().join(',')}`;
const PANOS_THREAT_CEF =
  '<14>1 2024-05-08T01:10:31Z PA-3220 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1.11|(9999)|THREAT|1|rt=May 08 2024 01:10:31 GMT deviceExternalId=013201027985 src=10.226.66.16 dst=93.184.216.34 cs1Label=Rule cs1=allow-web suser=corp\\\\alice app=web-browsing spt=51234 dpt=80 proto=tcp act=alert request=updates.example.com/path/a.cab cs2Label=URL Category cs2=computer-and-internet-info requestClientApplication=Microsoft-Delivery-Optimization/10.0 requestMethod=get';

describe('core/parse: the logs that carry names', function () {
  describe('Zeek dns.log', function () {
    it('reads a TSV row: the query, its type and code, every answer (CNAMEs and addresses) and its TTL', function () {
      const [r] = records([...ZEEK_HEADER('dns', DNS_FIELDS, DNS_TYPES), DNS_ROW]);
      r.kind.should.equal('record');
      r.record.should.eql({
        LocalIP: '192.168.4.76',
        LocalPortNumber: 53138,
        RemoteIP: '192.168.4.1',
        RemotePortNumber: 53,
        ProtocolName: 'UDP',
        SessionID: 'CHhAvVGS1DHFjwGM9',
        DnsQuery: 'www.example.com',
        DnsQueryType: 'A',
        DnsResponseCode: 'NOERROR',
        DnsAnswers: ['www.example.com.edgekey.net', 'e1234.a.akamaiedge.net', '23.45.67.89', '23.45.67.90'],
        DnsTTLs: [21600, 20, 20, 20],
        TimeGenerated: '2020-07-26T17:08:11.2211320Z',
      });
    });

    it('reads a JSON line the same way', function () {
      const [r] = records([DNS_JSON]);
      r.record.should.containDeep({ DnsQuery: 'testmyids.com', DnsQueryType: 'A', DnsResponseCode: 'NOERROR', DnsAnswers: ['31.3.245.133'], DnsTTLs: [3600] });
      r.record.RemoteIP.should.equal('192.168.4.1');
    });

    it('leaves unset answers out (NXDOMAIN, no reply) and keeps the query', function () {
      const row = DNS_ROW.split('\t');
      row[15] = 'NXDOMAIN';
      row[21] = '-';
      row[22] = '-';
      const [r] = records([...ZEEK_HEADER('dns', DNS_FIELDS, DNS_TYPES), row.join('\t')]);
      r.record.should.containDeep({ DnsQuery: 'www.example.com', DnsResponseCode: 'NXDOMAIN' });
      should(r.record.DnsAnswers).equal(undefined);
      should(r.record.DnsTTLs).equal(undefined);
    });
  });

  describe('Zeek ssl.log and http.log', function () {
    it('read the SNI into TlsServerName and RemoteHostName, TSV and JSON alike', function () {
      const [tsv] = records([...ZEEK_HEADER('ssl', SSL_FIELDS, SSL_TYPES), SSL_ROW]);
      const [json] = records([SSL_JSON]);
      for (const r of [tsv, json]) {
        r.record.should.containDeep({ RemoteIP: '13.32.202.10', RemotePortNumber: 443, TlsServerName: 'www.taosecurity.com', TlsVersion: 'TLSv12' });
        r.record.TlsEstablished.should.equal(true);
        r.record.RemoteHostName.should.equal('www.taosecurity.com');
      }
      JSON.stringify(tsv.record).should.equal(JSON.stringify(json.record));
    });

    it('read host, uri, user agent, method and status; the name is the Host header without its port', function () {
      const [tsv] = records([...ZEEK_HEADER('http', HTTP_FIELDS, HTTP_TYPES), HTTP_ROW]);
      const [json] = records([HTTP_JSON]);
      for (const r of [tsv, json]) {
        r.record.should.containDeep({ HttpMethod: 'GET', HttpHost: 'testmyids.com:8080', HttpUri: '/', HttpUserAgent: 'curl/7.47.0', HttpStatusCode: 200 });
        r.record.RemoteHostName.should.equal('testmyids.com');
      }
      JSON.stringify(tsv.record).should.equal(JSON.stringify(json.record));
    });

    it('give no RemoteHostName when the SNI or Host is an address, and follow a new #fields header mid-stream', function () {
      const http = HTTP_ROW.split('\t');
      http[8] = '31.3.245.133';
      const rows = records([...ZEEK_HEADER('ssl', SSL_FIELDS, SSL_TYPES), SSL_ROW, ...ZEEK_HEADER('http', HTTP_FIELDS, HTTP_TYPES), http.join('\t')]);
      rows[0].record.should.have.property('TlsServerName');
      rows[1].record.should.have.property('HttpHost', '31.3.245.133');
      rows[1].record.should.not.have.property('RemoteHostName');
      rows[1].record.should.not.have.property('TlsServerName');
    });

    it('keep conn.log records as they were (no name columns)', function () {
      const conn = [
        '#separator \\x09',
        '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice',
        '1.5\tC1\t10.0.0.1\t5\t1.2.3.4\t443\ttcp\tssl',
      ];
      const [r] = records(conn);
      Object.keys(r.record).should.eql([
        'LocalIP',
        'LocalPortNumber',
        'RemoteIP',
        'RemotePortNumber',
        'ProtocolName',
        'ApplicationProtocol',
        'SessionID',
        'TimeGenerated',
      ]);
    });
  });

  describe('Squid native access log', function () {
    it('reads a GET through a direct peer: client, action, status, bytes, URL, its host and port, the peer address', function () {
      const [r] = records([SQUID_GET]);
      r.should.containDeep({ kind: 'record', format: 'squid' });
      r.record.should.eql({
        DeviceVendor: 'Squid',
        DeviceProduct: 'Squid',
        SourceIP: '192.168.0.224',
        DeviceAction: 'TCP_MISS',
        RequestMethod: 'GET',
        RequestURL: 'http://www.google.com/',
        DestinationHostName: 'www.google.com',
        DestinationPort: 80,
        HttpStatusCode: 200,
        ReceivedBytes: 411,
        Duration: 0.18,
        DestinationIP: '74.125.87.104',
        TimeGenerated: '2010-10-08T11:11:48.7790000Z',
      });
    });

    it('reads a CONNECT target as host and port, a user name, a denial without peer, and IPv6', function () {
      const [connect, denied, v6] = records([SQUID_CONNECT, SQUID_DENIED, SQUID_V6]);
      connect.record.should.containDeep({
        DestinationHostName: 'www.honestimnotevil.com',
        DestinationPort: 443,
        DeviceAction: 'TCP_TUNNEL',
        DestinationIP: '93.184.216.34',
      });
      denied.record.should.containDeep({ DestinationHostName: 'bad.example.org', DestinationPort: 8081, HttpStatusCode: 403, SourceUserName: 'alice' });
      denied.record.should.not.have.property('DestinationIP');
      v6.record.should.containDeep({ SourceIP: '2001:db8::7', DestinationIP: '2001:db8::1', DestinationPort: 443 });
      v6.record.should.not.have.property('DestinationHostName');
    });

    it('reads a line behind a syslog header (the header time becomes SyslogTime)', function () {
      const [r] = records([`<134>1 2023-01-04T14:37:36Z proxy01 squid - - - ${SQUID_CONNECT}`]);
      r.record.should.containDeep({ Computer: 'proxy01', SyslogTime: '2023-01-04T14:37:36.0000000Z', TimeGenerated: '2023-01-04T14:37:36.9130000Z' });
    });

    it('counts short or broken lines as errors', function () {
      const out = records(['1672843056.913 84 10.136.0.18 TCP_TUNNEL/200 20275', '1672843056.913 84 10.136.0.18 TCP_TUNNEL 20275 CONNECT a:1 - - -'], {
        format: 'squid',
      });
      out.map((r) => r.kind).should.eql(['error', 'error']);
      out[0].reason.should.match(/fields/);
      out[1].reason.should.match(/code\/status/);
    });
  });

  describe('PAN-OS THREAT / URL', function () {
    it('reads the URL subtype in CSV: URL (quoted, with a comma), its host, category, user agent, referer, method', function () {
      const [r] = records([PANOS_THREAT]);
      r.should.containDeep({ kind: 'record', format: 'panos-csv' });
      r.record.should.containDeep({
        Activity: 'THREAT',
        DeviceEventClassID: 'url',
        SourceIP: '10.226.66.16',
        DestinationIP: '93.184.216.34',
        DestinationPort: 80,
        RequestURL: 'updates.example.com/path/a,b.cab',
        DestinationHostName: 'updates.example.com',
        DeviceCustomString2: 'computer-and-internet-info',
        RequestClientApplication: 'Microsoft-Delivery-Optimization/10.0',
        RequestContext: 'http://portal.example.com/',
        RequestMethod: 'get',
        LogSeverity: 'informational',
        DeviceName: 'PA-3220',
      });
      // the TRAFFIC positions 31-33 (packets, bytes) are not read into a THREAT line
      r.record.should.not.have.properties('SentBytes', 'ReceivedBytes', 'FlexNumber1');
    });

    it('keeps a file name of other subtypes out of RequestURL', function () {
      const f = threatFields();
      f[4] = 'virus';
      f[31] = 'invoice.exe';
      const [r] = records([f.join(',')]);
      r.record.should.containDeep({ FileName: 'invoice.exe', DeviceEventClassID: 'virus' });
      r.record.should.not.have.property('RequestURL');
    });

    it('reads the CEF form: request into RequestURL', function () {
      const [r] = records([PANOS_THREAT_CEF]);
      r.record.should.containDeep({ Activity: 'THREAT', RequestURL: 'updates.example.com/path/a.cab', DestinationIP: '93.184.216.34', DestinationPort: 80 });
    });
  });

  it("every column of these records is in the editor's lists", function () {
    const wire = records([...ZEEK_HEADER('dns', DNS_FIELDS, DNS_TYPES), DNS_ROW, SSL_JSON, HTTP_JSON]);
    const csl = records([SQUID_GET, SQUID_CONNECT, SQUID_DENIED, PANOS_THREAT, PANOS_THREAT_CEF]);
    const missing = (rs, list) => [...new Set(rs.flatMap((r) => Object.keys(r.record)))].filter((c) => !list.includes(c));
    missing(wire, WIRE_DATA_COLUMNS).should.eql([]);
    missing(csl, COMMON_SECURITY_LOG_COLUMNS).should.eql([]);
  });

  describe('against plain readings (fast-check)', function () {
    this.timeout(60000);
    const hostChars = fc.constantFrom(...'abcXYZ019-.');
    const name = fc.array(fc.string({ unit: hostChars, minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((p) => p.join('.'));
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
    const host = fc.oneof(name, name, ipv4, fc.constant('[2001:db8::1]'));
    const port = fc.option(fc.integer({ min: 0, max: 70000 }), { nil: null });
    const pathPart = fc.constantFrom('', '/', '/a/b', '/x?y=1', '?q', '#f', '/p:1@x');
    const url = fc
      .tuple(fc.constantFrom('http://', 'https://', 'ftp://', '', 'HTTP://'), fc.option(fc.constantFrom('user@', 'u:p@')), host, port, pathPart)
      .map(([scheme, user, h, p, rest]) => ({ text: `${scheme}${user ?? ''}${h}${p === null ? '' : `:${p}`}${rest}`, scheme, h, p }));

    it("find a URL's host and port as the WHATWG URL parser does, wherever it parses the URL", function () {
      let compared = 0;
      fc.assert(
        fc.property(url, ({ text, scheme }) => {
          const ours = urlHost(text);
          let theirs;
          try {
            theirs = new URL(scheme === '' ? `http://${text}` : text);
          } catch {
            return;
          }
          const bare = theirs.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
          // URL rewrites some hosts (IPv4 shorthands such as 0x, IPv6 compression): those are compared only where it keeps them as written
          if (bare !== ours.host && (/^[0-9.]+$/.test(bare) || bare.includes(':'))) return;
          compared++;
          ours.host.should.equal(bare);
          const scheme0 = scheme.toLowerCase();
          const expected = theirs.port !== '' ? Number(theirs.port) : scheme0 === '' || scheme0 === 'http://' ? 80 : scheme0 === 'https://' ? 443 : 21;
          if (scheme0 !== '' || theirs.port !== '') ours.port.should.equal(expected, text);
        }),
        { numRuns: 5000, seed: 31 },
      );
      compared.should.be.above(2000);
    });

    it('read Squid lines as a split on spaces and the plain reading of each field', function () {
      const field = fc.string({ unit: fc.constantFrom(...'ab1/:-_.'), minLength: 1, maxLength: 8 });
      const gap = fc.constantFrom(' ', '  ', '      ');
      const line = fc
        .tuple(
          fc.integer({ min: 1e9, max: 2e9 }),
          fc.nat(999),
          fc.nat(100000),
          fc.oneof(ipv4, fc.constant('2001:db8::7')),
          fc.constantFrom('TCP_MISS', 'TCP_TUNNEL', 'NONE_NONE', 'TCP_DENIED'),
          fc.oneof(fc.nat(599), field),
          fc.oneof(fc.nat(1e7), field),
          fc.constantFrom('GET', 'CONNECT', 'POST'),
          url.map((u) => u.text),
          fc.constantFrom('-', 'alice'),
          fc.oneof(
            fc.constantFrom('HIER_NONE/-', 'HIER_DIRECT/', 'FIRSTUP_PARENT/parent.proxy'),
            ipv4.map((a) => `HIER_DIRECT/${a}`),
          ),
          fc.constantFrom('-', 'text/html'),
          fc.array(gap, { minLength: 10, maxLength: 10 }),
          fc.boolean(),
        )
        .map(([s, ms, el, client, code, status, bytes, method, u, user, hier, mime, gaps, cut]) => {
          const f = [`${s}.${String(ms).padStart(3, '0')}`, String(el), client, `${code}/${status}`, String(bytes), method, u, user, hier, mime];
          const parts = cut ? f.slice(0, 8) : f;
          return parts.map((x, i) => (i === 0 ? x : gaps[i] + x)).join('');
        });
      fc.assert(
        fc.property(line, (text) => {
          const ours = squidRecord(text);
          const f = text.trim().split(/ +/);
          if (f.length < 9) {
            should(ours).be.a.String();
            return;
          }
          const code = f[3].slice(0, f[3].indexOf('/'));
          const status = f[3].slice(f[3].indexOf('/') + 1);
          const u = urlHost(f[6]);
          const expected = { DeviceVendor: 'Squid', DeviceProduct: 'Squid', SourceIP: f[2], DeviceAction: code, RequestMethod: f[5], RequestURL: f[6] };
          if (u.host !== '') expected[isAddressLiteral(u.host) ? 'DestinationIP' : 'DestinationHostName'] = u.host;
          if (u.port >= 0) expected.DestinationPort = u.port;
          if (/^\d+$/.test(status)) expected.HttpStatusCode = Number(status);
          if (/^\d+$/.test(f[4])) expected.ReceivedBytes = Number(f[4]);
          expected.Duration = Number(f[1]) / 1000;
          if (f[7] !== '-') expected.SourceUserName = f[7];
          const peer = f[8].split('/')[1];
          if (expected.DestinationIP === undefined && peer && peer !== '-' && isAddressLiteral(peer)) expected.DestinationIP = peer;
          ours.record.should.eql(expected);
          ours.ms.should.equal(Math.round(Number(f[0]) * 1000));
        }),
        { numRuns: 5000, seed: 32 },
      );
    });

    it('read PAN-OS THREAT lines as csv-parse and the documented positions give them', function () {
      const value = fc.oneof(fc.string({ unit: fc.constantFrom(...'ab1 /.:'), maxLength: 10 }), fc.constantFrom('"a, b"', '"x""y"', ''));
      fc.assert(
        fc.property(
          fc.array(value, { minLength: 36, maxLength: 70 }),
          fc.constantFrom('url', 'virus', 'spyware'),
          url.map((u) => u.text),
          (rest, subtype, u) => {
            const f = rest.slice();
            Object.assign(f, { 0: '1', 1: '2024/05/08 01:10:31', 3: 'THREAT', 4: subtype, 6: '2024/05/08 01:10:30', 31: `"${u.replaceAll('"', '""')}"` });
            const line = f.join(',');
            const [r] = records([line]);
            const cells = parseCsv(line, { relax_quotes: true, relax_column_count: true })[0].map((c) => c.trim());
            r.kind.should.equal('record');
            r.record.should.containDeep({
              SourceIP: cells[7],
              DestinationIP: cells[8],
              DeviceCustomString2: cells[33],
              RequestClientApplication: cells[46] ?? '',
            });
            if (subtype === 'url') {
              r.record.RequestURL.should.equal(cells[31]);
              const h = urlHost(cells[31]).host;
              should(r.record.DestinationHostName).equal(h !== '' && !isAddressLiteral(h) ? h : undefined);
            } else {
              should(r.record.RequestURL).equal(undefined);
            }
          },
        ),
        { numRuns: 2000, seed: 33 },
      );
    });

    it('read a Zeek row of each log the same in TSV and in JSON', function () {
      const cell = fc.oneof(
        fc.constantFrom('-', '(empty)', 'T', 'F', '0', '443'),
        fc.string({ unit: fc.constantFrom(...'abZ.1:'), minLength: 1, maxLength: 8 }),
      );
      const KIND_FIELDS = ['query', 'answers', 'qtype_name', 'rcode_name', 'server_name', 'cipher', 'established', 'uri', 'host', 'method'];
      const logs = [
        [DNS_FIELDS, DNS_ROW],
        [SSL_FIELDS, SSL_ROW],
        [HTTP_FIELDS, HTTP_ROW],
      ];
      fc.assert(
        fc.property(fc.constantFrom(...logs), fc.array(fc.tuple(fc.nat(40), cell), { maxLength: 6 }), ([fields, row], changes) => {
          const values = row.split('\t');
          // the columns that tell the logs apart stay set: with all of them unset a JSON line names no log
          for (const [i, v] of changes) if (i > 5 && i < values.length && !KIND_FIELDS.includes(fields[i])) values[i] = v;
          const [tsv] = records([`#fields\t${fields.join('\t')}`, values.join('\t')]);
          // the plain reading: the row as Zeek's JSON writer has it (unset fields left out, sets as arrays, counts and bools typed)
          const object = {};
          fields.forEach((name, i) => {
            const v = values[i];
            if (v === '-') return;
            if (['answers', 'TTLs', 'cert_chain_fuids', 'client_cert_chain_fuids', 'tags', 'resp_fuids', 'resp_mime_types'].includes(name)) {
              object[name] = v === '(empty)' ? [] : v.split(',').map((x) => (name === 'TTLs' ? Number(x) : x));
            } else if (['id.orig_p', 'id.resp_p', 'status_code'].includes(name) && /^\d+$/.test(v)) object[name] = Number(v);
            else if (['established', 'resumed', 'AA'].includes(name) && (v === 'T' || v === 'F')) object[name] = v === 'T';
            else object[name] = name === 'ts' ? Number(v) : v;
          });
          const [json] = records([JSON.stringify(object)]);
          tsv.kind.should.equal(json.kind);
          if (tsv.kind === 'record') {
            const strip = (r) => {
              const { TimeGenerated, ...rest } = r;
              return rest;
            };
            strip(tsv.record).should.eql(strip(json.record));
          }
        }),
        { numRuns: 2000, seed: 34 },
      );
    });

    it('answer garbage in these formats with counted errors, never a throw', function () {
      const p = parser();
      for (const header of ZEEK_HEADER('dns', DNS_FIELDS, DNS_TYPES)) p.parseLine(header);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.constantFrom(SQUID_GET.slice(0, 40), `${PANOS_THREAT.slice(0, 80)}`),
          ),
          (line) => {
            const r = p.parseLine(line);
            ['record', 'error', 'skip', 'header'].should.containEql(r.kind);
          },
        ),
        { numRuns: 5000, seed: 35 },
      );
    });
  });

  describe('real captures (../shared/datasets)', function () {
    const root = path.join(__dirname, '..', '..', '..', 'shared', 'datasets');
    const found = fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).filter((f) => /(^|\/)[^/]*(dns|ssl|http)[^/]*\.log$/.test(String(f))) : [];

    it('read every dns/ssl/http row there with its name columns', function () {
      if (!fs.existsSync(root)) {
        console.log('      (skipped: ../shared/datasets is absent)');
        return this.skip();
      }
      if (found.length === 0) {
        console.log('      (skipped: ../shared/datasets holds conn.log captures only, no dns/ssl/http logs)');
        return this.skip();
      }
      for (const file of found) {
        const p = parser();
        let rows = 0;
        for (const line of fs.readFileSync(path.join(root, String(file)), 'utf8').split('\n')) {
          const r = p.parseLine(line);
          if (r.kind !== 'record') continue;
          rows++;
          if (/dns/.test(file)) r.record.should.have.property('DnsQuery');
          else r.record.should.have.property(/ssl/.test(file) ? 'TlsServerName' : 'HttpUri');
        }
        rows.should.be.above(0);
      }
    });
  });

  it('hostOfAuthority drops user info and port, keeps IPv6 literals whole', function () {
    hostOfAuthority('u:p@Example.COM.:8443').should.equal('example.com');
    hostOfAuthority('[2001:db8::1]:443').should.equal('2001:db8::1');
    hostOfAuthority('2001:db8::1').should.equal('2001:db8::1');
    urlHost('example.com:99999').should.eql({ host: 'example.com:99999'.split(':')[0], port: -1 });
  });
});
