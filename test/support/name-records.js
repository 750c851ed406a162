'use strict';
/** Records for the name tests: a Zeek dns.log answer and a conn.log connection, in WireData columns. */
const T0 = Date.parse('2024-05-08T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();

const dns = (ms, client, query, answers, ttls) => ({
  TimeGenerated: iso(ms),
  LocalIP: client,
  RemoteIP: '10.0.0.53',
  RemotePortNumber: 53,
  DnsQuery: query,
  DnsAnswers: answers,
  DnsTTLs: ttls,
});
const conn = (ms, client, remote, port = 443) => ({ TimeGenerated: iso(ms), LocalIP: client, RemoteIP: remote, RemotePortNumber: port });

module.exports = { T0, iso, dns, conn };
