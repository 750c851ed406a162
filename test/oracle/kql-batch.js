'use strict';
/**
 * The oracle: an independent, stage-by-stage batch reading of the two
 * Sentinel queries (as published in Azure-Sentinel's rule files), written from the KQL
 * documentation and sharing no code with src/. Each stage is a function over
 * a whole table, in query order, so a reader can hold it against the KQL.
 *
 * Documented choices shared with the product (README: Known differences from Sentinel): arg_max ties go to
 * the smallest delta; rows tied on every sort key keep input (arrival) order;
 * a missing value is null (its own group; first in ascending sorts).
 */

const TICKS_PER_SECOND = 10000000n;

// ---- scalar functions ------------------------------------------------------

/** datetime → BigInt ticks (100 ns) since the Unix epoch; null if unreadable. */
function toTicks(value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // epoch milliseconds, possibly fractional: 1 ms = 10,000 ticks
    const whole = Math.floor(value);
    return BigInt(whole) * 10000n + BigInt(Math.round((value - whole) * 10000));
  }
  if (value instanceof Date) return toTicks(value.getTime());
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|[+-]\d\d(?::?\d\d)?)?$/i.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms)) return null;
  let ticks = BigInt(ms) * 10000n + BigInt((frac + '0000000').slice(0, 7));
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const minutes = BigInt(+digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2) : 0));
    ticks -= sign * minutes * 60n * TICKS_PER_SECOND;
  }
  return ticks;
}

/** floor division for BigInt (BigInt `/` truncates toward zero). */
function floorDiv(a, b) {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** datetime_diff('second', a, b): floor each operand to the second, subtract. */
function datetimeDiffSecond(a, b) {
  return Number(floorDiv(a, TICKS_PER_SECOND) - floorDiv(b, TICKS_PER_SECOND));
}

/** bin(t, 1h) as ISO text. */
function binHour(ticks) {
  const hourTicks = 3600n * TICKS_PER_SECOND;
  const start = floorDiv(ticks, hourTicks) * hourTicks;
  return new Date(Number(start / 10000n)).toISOString().replace('.000Z', 'Z');
}

/** ipv4_is_private(): true / false, or null when the text is not an IPv4 address (or prefix). */
function ipv4IsPrivate(text) {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5);
  if (octets.some((o) => o.length > 1 && o[0] === '0')) return null; // strict: no leading zeros
  const nums = octets.map(Number);
  if (nums.some((n) => n > 255)) return null;
  let value = ((nums[0] << 24) >>> 0) + (nums[1] << 16) + (nums[2] << 8) + nums[3];
  if (m[5] !== undefined) {
    const bits = Number(m[5]);
    if (bits > 32 || (m[5].length > 1 && m[5][0] === '0')) return null;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    value = (value & mask) >>> 0;
  }
  const inBlock = (base, bits) => value >>> (32 - bits) === base >>> (32 - bits);
  return inBlock(0x0a000000, 8) || inBlock(0xac100000, 12) || inBlock(0xc0a80000, 16);
}

// ---- tabular operators -----------------------------------------------------

const where = (table, predicate) => table.filter(predicate);

/** KQL ascending order of one value: null first, numbers, then strings ordinally. */
function compareAsc(a, b) {
  const rank = (v) => (v === undefined || v === null ? 0 : typeof v === 'number' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'bigint' || typeof a === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (rank(a) === 0) return 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sort by cols asc; stable, so full ties keep input order. */
function sortAsc(table, columns) {
  return table
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      for (const c of columns) {
        const a = x.row[c],
          b = y.row[c];
        const d = typeof a === 'bigint' ? (a < b ? -1 : a > b ? 1 : 0) : compareAsc(a, b);
        if (d !== 0) return d;
      }
      return x.index - y.index;
    })
    .map((e) => e.row);
}

/** summarize aggregates by keys; missing keys group as null. */
function summarize(table, keys, aggregate) {
  const groups = new Map();
  for (const row of table) {
    const values = keys.map((k) => (row[k] === undefined ? null : row[k]));
    const id = JSON.stringify(values);
    if (!groups.has(id)) groups.set(id, { values, rows: [] });
    groups.get(id).rows.push(row);
  }
  return [...groups.values()].map(({ values, rows }) => {
    const out = {};
    keys.forEach((k, i) => (out[k] = values[i]));
    return Object.assign(out, aggregate(rows));
  });
}

const sum = (rows, col) => rows.reduce((acc, r) => (typeof r[col] === 'number' && Number.isFinite(r[col]) ? acc + r[col] : acc), 0);

/** arg_max(count_, TimeDeltainSeconds): ties to the smallest delta (documented choice). */
function argMaxCount(rows) {
  let best = null;
  for (const r of rows) {
    if (!best || r.count_ > best.count_ || (r.count_ === best.count_ && r.TimeDeltainSeconds < best.TimeDeltainSeconds)) best = r;
  }
  return best;
}

// ---- the two queries -------------------------------------------------------

/**
 * Shared body: sort, next(), delta, filters, two summarizes, thresholds.
 * q = { source, dest, port, minDelta, groups, portNotZero, minTotal, minMode, minPercent, entities }
 */
function beaconQuery(input, q) {
  // | where ipv4_is_private(dest) == false
  let t = where(input, (r) => ipv4IsPrivate(r[q.dest]) === false);
  // | project … ; parse datetime once for the sort
  t = t.map((r) => ({ ...r, _ticks: toTicks(r.TimeGenerated) })).filter((r) => r._ticks !== null);
  // | sort by source asc, TimeGenerated asc, dest asc, port asc | serialize
  t = sortAsc(t, [q.source, '_ticks', q.dest, q.port]);
  // | extend nextTimeGenerated = next(TimeGenerated, 1), nextSource = next(source, 1)
  t = t.map((r, i) => {
    const n = t[i + 1];
    return { ...r, _nextTicks: n ? n._ticks : null, _nextSource: n ? n[q.source] : '' };
  });
  // | extend TimeDeltainSeconds = datetime_diff('second', nextTimeGenerated, TimeGenerated)
  t = t.map((r) => ({ ...r, TimeDeltainSeconds: r._nextTicks === null ? null : datetimeDiffSecond(r._nextTicks, r._ticks) }));
  // | where source == nextSource
  t = where(t, (r) => (r[q.source] ?? null) === (r._nextSource ?? null) && r._nextTicks !== null);
  // | where TimeDeltainSeconds > minDelta
  t = where(t, (r) => r.TimeDeltainSeconds !== null && r.TimeDeltainSeconds > q.minDelta);
  // | where RemotePortNumber != "0"   (null != 0 is true: kept)
  if (q.portNotZero) t = where(t, (r) => r[q.port] === undefined || r[q.port] === null || r[q.port] !== 0);
  // | summarize count(), sum(ReceivedBytes), sum(SentBytes) by TimeDeltainSeconds, bin(TimeGenerated,1h), groups…
  t = t.map((r) => ({ ...r, TimeGenerated: binHour(r._ticks) }));
  const first = summarize(t, ['TimeDeltainSeconds', 'TimeGenerated', ...q.groups], (rows) => ({
    count_: rows.length,
    sum_ReceivedBytes: sum(rows, 'ReceivedBytes'),
    sum_SentBytes: sum(rows, 'SentBytes'),
  }));
  // | summarize (MostFrequentTimeDeltaCount, MostFrequentTimeDeltainSeconds) = arg_max(count_, TimeDeltainSeconds),
  //   TotalEvents = sum(count_), TotalSentBytes = sum(sum_SentBytes), TotalReceivedBytes = sum(sum_ReceivedBytes) by TimeGenerated, groups…
  let second = summarize(first, ['TimeGenerated', ...q.groups], (rows) => {
    const best = argMaxCount(rows);
    const histogram = {};
    for (const r of [...rows].sort((a, b) => a.TimeDeltainSeconds - b.TimeDeltainSeconds)) {
      histogram[String(r.TimeDeltainSeconds)] = r.count_;
    }
    return {
      MostFrequentTimeDeltaCount: best.count_,
      MostFrequentTimeDeltainSeconds: best.TimeDeltainSeconds,
      TotalEvents: rows.reduce((a, r) => a + r.count_, 0),
      TotalSentBytes: rows.reduce((a, r) => a + r.sum_SentBytes, 0),
      TotalReceivedBytes: rows.reduce((a, r) => a + r.sum_ReceivedBytes, 0),
      _histogram: histogram,
    };
  });
  // | where TotalEvents > n [ and MostFrequentTimeDeltaCount > m ]
  if (!q.allRows) second = where(second, (r) => r.TotalEvents > q.minTotal);
  if (!q.allRows && q.minMode !== null) second = where(second, (r) => r.MostFrequentTimeDeltaCount > q.minMode);
  // | extend BeaconPercent = MostFrequentTimeDeltaCount / toreal(TotalEvents) * 100 | where BeaconPercent > p
  second = second.map((r) => ({ ...r, BeaconPercent: (r.MostFrequentTimeDeltaCount / r.TotalEvents) * 100 }));
  if (!q.allRows) second = where(second, (r) => r.BeaconPercent > q.minPercent);
  // | extend timestamp = TimeGenerated, entities…   (column order as the query's output)
  return second.map((r) => {
    const row = { TimeGenerated: r.TimeGenerated };
    for (const g of q.groups) row[g] = r[g];
    Object.assign(row, {
      MostFrequentTimeDeltaCount: r.MostFrequentTimeDeltaCount,
      MostFrequentTimeDeltainSeconds: r.MostFrequentTimeDeltainSeconds,
      TotalEvents: r.TotalEvents,
      TotalSentBytes: r.TotalSentBytes,
      TotalReceivedBytes: r.TotalReceivedBytes,
      BeaconPercent: r.BeaconPercent,
      timestamp: r.TimeGenerated,
    });
    for (const [name, field] of q.entities) row[name] = r[field];
    row.histogram = r._histogram;
    return row;
  });
}

/**
 * "Detect beacon like pattern based on repetitive time intervals in Wire Data Traffic".
 * `allRows`: stop before the thresholds (every scored group), to compare intermediate results.
 */
function wireDataRule(records, { allRows = false } = {}) {
  return beaconQuery(records, {
    allRows,
    source: 'LocalIP',
    dest: 'RemoteIP',
    port: 'RemotePortNumber',
    minDelta: 10,
    portNotZero: true,
    groups: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    minTotal: 15,
    minMode: null,
    minPercent: 95,
    entities: [['IPCustomEntity', 'RemoteIP']],
  });
}

/** "Palo Alto - potential beaconing detected"; `allRows` as for wireDataRule. */
function paloAltoRule(records, { allRows = false } = {}) {
  // | where DeviceVendor == "Palo Alto Networks" and Activity == "TRAFFIC"
  const traffic = where(records, (r) => r.DeviceVendor === 'Palo Alto Networks' && r.Activity === 'TRAFFIC');
  return beaconQuery(traffic, {
    allRows,
    source: 'SourceIP',
    dest: 'DestinationIP',
    port: 'DestinationPort',
    minDelta: 25,
    portNotZero: false,
    groups: ['DeviceName', 'SourceUserID', 'SourceIP', 'DestinationIP', 'DestinationPort'],
    minTotal: 30,
    minMode: 25,
    minPercent: 80,
    entities: [
      ['IPCustomEntity', 'DestinationIP'],
      ['AccountCustomEntity', 'SourceUserID'],
      ['HostCustomEntity', 'DeviceName'],
    ],
  });
}

module.exports = { beaconQuery, wireDataRule, paloAltoRule, ipv4IsPrivate, datetimeDiffSecond, toTicks };
