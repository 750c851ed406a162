"use strict";
/**
 * Device timestamps in the formats firewalls and Zeek write, to epoch ms
 * (or exact ISO text), with no reading of the wall clock.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.MONTHS = void 0;
exports.isoFromMs = isoFromMs;
exports.isoFromEpochSecondsText = isoFromEpochSecondsText;
exports.cefTimeToMs = cefTimeToMs;
exports.panosTimeToMs = panosTimeToMs;
exports.rfc5424TimeToMs = rfc5424TimeToMs;
exports.zoneMinutes = zoneMinutes;
/** English month abbreviations, as syslog and CEF write them. */
exports.MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** ISO 8601 UTC with 7 fractional digits from epoch ms. */
function isoFromMs(ms) {
    const whole = Math.floor(ms / 1000);
    const frac = Math.round((ms - whole * 1000) * 10000);
    return `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(frac).padStart(7, '0')}Z`;
}
/** Zeek's epoch seconds ("1517336047.123456") to ISO with 7 digits, exactly (no float rounding). */
function isoFromEpochSecondsText(text) {
    const m = /^(-?\d{1,12})(?:\.(\d{1,9}))?$/.exec(text.trim());
    if (!m)
        return null;
    const secs = Number(m[1]);
    const date = new Date(secs * 1000);
    if (Number.isNaN(date.getTime()))
        return null;
    return `${date.toISOString().slice(0, 19)}.${((m[2] ?? '') + '0000000').slice(0, 7)}Z`;
}
/**
 * CEF time values (`rt`, `start`, `end`): epoch milliseconds, or
 * "MMM dd[ yyyy] HH:mm:ss[.SSS][ zone]" where zone is GMT, UTC, Z or ±hh[:]mm.
 * A value without a zone is read at `offsetMinutes`; without a year, the year
 * nearest `referenceMs` (when given).
 */
function cefTimeToMs(text, offsetMinutes, referenceMs) {
    const t = text.trim();
    if (/^\d{10,14}$/.test(t))
        return Number(t);
    const m = /^([A-Z][a-z]{2}) (\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (GMT|UTC|Z|[+-]\d{2}:?\d{2}))?$/.exec(t);
    if (!m)
        return null;
    const month = exports.MONTHS.indexOf(m[1]);
    if (month < 0)
        return null;
    const offset = m[8] === undefined ? offsetMinutes : zoneMinutes(m[8]);
    const at = (year) => Date.UTC(year, month, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').padEnd(3, '0'))) - offset * 60000;
    if (m[3])
        return at(Number(m[3]));
    if (referenceMs === null)
        return null;
    const y = new Date(referenceMs).getUTCFullYear();
    return [y - 1, y, y + 1].map(at).reduce((a, b) => (Math.abs(a - referenceMs) <= Math.abs(b - referenceMs) ? a : b));
}
/** PAN-OS CSV times "2018/11/30 16:09:07" (firewall-local time, read at `offsetMinutes`). */
function panosTimeToMs(text, offsetMinutes) {
    const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
    if (!m)
        return null;
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - offsetMinutes * 60000;
    return Number.isNaN(ms) ? null : ms;
}
/** RFC 5424 timestamps (ISO 8601 with zone) to epoch ms. */
function rfc5424TimeToMs(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
    if (!m)
        return null;
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + Number(('0.' + (m[7] ?? '0'))) * 1000;
    return ms - zoneMinutes(m[8]) * 60000;
}
/** "+02:00", "-0430", "Z", "GMT" → minutes east of UTC. */
function zoneMinutes(zone) {
    if (zone === 'Z' || zone === 'GMT' || zone === 'UTC')
        return 0;
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!m)
        return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
