"use strict";
/**
 * Syslog framing: RFC 5424 and RFC 3164 (BSD) headers in front of a log
 * message, and octet-counted frames (RFC 6587) from TCP streams.
 *
 * Written by hand after evaluating npm parsers: nsyslog-parser infers a BSD
 * year from the wall clock and reads times in the machine's time zone (and
 * mis-splits escaped CEF), syslog-parse 2 is ESM-only and returned nothing
 * for RFC 5424 samples, glossy is unmaintained since 2013. The patterns here
 * are anchored and linear (no nested quantifiers over the same text).
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseSyslogFrame = parseSyslogFrame;
exports.bsdTimeToEpochMs = bsdTimeToEpochMs;
exports.trimLineEnd = trimLineEnd;
const timestamps_1 = require("./timestamps");
// <PRI>VERSION TIMESTAMP HOST APP PROCID MSGID SD [MSG]; SD is '-' or [..][..] with quoted, escaped values
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s;
// [<PRI>]Mmm dd hh:mm:ss HOST [TAG: ]MSG
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) ( ?\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) (.*)$/s;
// a BSD tag such as "sshd[123]: " or "PAN-OS: " (not "CEF:0|" nor CSV)
const TAG = /^([A-Za-z][\w\-./]{0,47})(?:\[\d{1,10}\])?: /;
function parseSyslogFrame(line) {
    let m = RFC5424.exec(line);
    if (m) {
        const nil = (v) => (v === '-' ? null : v);
        return {
            header: { format: 'rfc5424', priority: Number(m[1]), time: m[3], host: nil(m[4]), appName: nil(m[5]) },
            message: m[9] ?? '',
        };
    }
    m = RFC3164.exec(line);
    if (m && timestamps_1.MONTHS.includes(m[2])) {
        let message = m[6];
        let appName = null;
        const tag = TAG.exec(message);
        if (tag) {
            appName = tag[1];
            message = message.slice(tag[0].length);
        }
        return {
            header: {
                format: 'rfc3164',
                priority: m[1] !== undefined ? Number(m[1]) : null,
                time: `${m[2]} ${m[3].trim()} ${m[4]}`,
                host: m[5],
                appName,
            },
            message,
        };
    }
    return { header: null, message: line };
}
/**
 * Reads a BSD timestamp ("Nov 30 16:09:08", no year, no zone): the year is
 * the one that puts it nearest to `reference` (epoch ms, an event time from
 * the same record or stream), so replays never depend on today's date.
 */
function bsdTimeToEpochMs(text, reference, offsetMinutes) {
    const m = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
    if (!m)
        return null;
    const month = timestamps_1.MONTHS.indexOf(m[1]);
    if (month < 0)
        return null;
    const refYear = new Date(reference).getUTCFullYear();
    let best = null;
    for (const year of [refYear - 1, refYear, refYear + 1]) {
        const t = Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) - offsetMinutes * 60000;
        if (best === null || Math.abs(t - reference) < Math.abs(best - reference))
            best = t;
    }
    return best;
}
/**
 * Strips trailing CR and LF. A loop, not `/[\r\n]+$/`: that regex is retried
 * at every position of a long run of newlines followed by anything else
 * (quadratic on a 1 MB frame).
 */
function trimLineEnd(text) {
    let end = text.length;
    while (end > 0) {
        const c = text.charCodeAt(end - 1);
        if (c !== 10 && c !== 13)
            break;
        end--;
    }
    return end === text.length ? text : text.slice(0, end);
}
