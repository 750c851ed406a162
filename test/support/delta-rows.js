'use strict';
/**
 * Delta rows as the delta node writes them, for the settings and hunt
 * specs: one internal host calling one external address on 443, `s`
 * seconds after 2024-05-08 00:00Z, `d` seconds after its previous call.
 */
const T0 = Date.UTC(2024, 4, 8) / 1000;
const iso = (s) => new Date((T0 + s) * 1000).toISOString();
const delta = (s, d, extra = {}) => ({
  TimeGenerated: iso(s),
  nextTimeGenerated: iso(s + d),
  TimeDeltainSeconds: d,
  LocalIP: '10.0.0.9',
  RemoteIP: '52.1.2.3',
  RemotePortNumber: 443,
  SentBytes: 300,
  ReceivedBytes: 900,
  ...extra,
});

module.exports = { T0, iso, delta };
