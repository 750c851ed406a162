"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LogParser = exports.DEFAULT_PARSER_OPTIONS = void 0;
const sync_1 = require("csv-parse/sync");
const records_1 = require("../../../dist/core/common/records");
const cef_1 = require("./cef");
const mappings_1 = require("./mappings");
const syslog_1 = require("./syslog");
const timestamps_1 = require("./timestamps");
exports.DEFAULT_PARSER_OPTIONS = {
    format: 'auto',
    timeSource: 'event',
    byteDirection: 'microsoft',
    deviceOffsetMinutes: 0,
    maxLineLength: 256 * 1024,
};
const PANOS_CSV = /^\d+,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},/;
/**
 * Turns log lines into records with the column names the rules use:
 * CommonSecurityLog for CEF and PAN-OS CSV, WireData for Zeek conn.log.
 * Stateful only for what a stream carries: the Zeek `#fields` header.
 *
 * Changed since wave 1 as the product's parser was (the comparison stays
 * about layouts, not about this rule): no time carries from one line to the
 * next, a yearless time takes its year from the same line only, and an
 * unreadable CEF rt is an error.
 */
class LogParser {
    options;
    zeekFields = null;
    zeekSeparator = '\t';
    constructor(options) {
        this.options = options;
    }
    reset() {
        this.zeekFields = null;
        this.zeekSeparator = '\t';
    }
    parseLine(rawLine) {
        if (rawLine.length > this.options.maxLineLength) {
            return { kind: 'error', reason: `line longer than ${this.options.maxLineLength} characters` };
        }
        // a BOM, line ends, and an RFC 6587 octet count left in front of a frame
        const line = (0, syslog_1.trimLineEnd)(rawLine.replace(/^\uFEFF/, '')).replace(/^\d{1,7} (?=<\d)/, '');
        if (line.trim() === '')
            return { kind: 'skip' };
        const { header, message } = (0, syslog_1.parseSyslogFrame)(line);
        const format = this.options.format === 'auto' ? this.detect(message) : this.options.format;
        if (!format)
            return { kind: 'error', reason: 'not a recognised log format (CEF, PAN-OS CSV, Zeek TSV/JSON, JSON)' };
        try {
            switch (format) {
                case 'cef':
                    return this.fromCef(message, header);
                case 'panos-csv':
                    return this.fromPanosCsv(message, header);
                case 'zeek-tsv':
                    return this.fromZeekTsv(message, header);
                case 'zeek-json':
                case 'json':
                    return this.fromJson(message, header, format);
            }
        }
        catch (err) {
            return { kind: 'error', reason: err.message };
        }
    }
    detect(message) {
        const m = message.trimStart();
        // wave 3 fix: only Zeek's own header lines are headers; any other "#" line is unparsed, not skipped
        if (m.startsWith('#'))
            return /^#(?:separator|set_separator|empty_field|unset_field|path|open|close|fields|types)(?:[ \t]|$)/.test(m) ? 'zeek-tsv' : null;
        if (m.startsWith('CEF:'))
            return 'cef';
        if (m.startsWith('{'))
            return m.includes('"id.orig_h"') ? 'zeek-json' : 'json';
        if (PANOS_CSV.test(m))
            return 'panos-csv';
        if (this.zeekFields && m.includes(this.zeekSeparator))
            return 'zeek-tsv';
        return null;
    }
    fromCef(message, header) {
        const cef = (0, cef_1.parseCef)(message);
        if (typeof cef === 'string')
            return { kind: 'error', reason: cef };
        const record = (0, mappings_1.cefToCommonSecurityLog)(cef, this.options.byteDirection);
        const o = this.options.deviceOffsetMinutes;
        const ref = header?.format === 'rfc5424' ? (0, timestamps_1.rfc5424TimeToMs)(header.time) : null;
        const rt = cef.extension.rt, st = cef.extension.start;
        const receipt = rt ? (0, timestamps_1.cefTimeToMs)(rt, o, ref) : null;
        if (rt && receipt === null)
            return { kind: 'error', reason: `CEF rt is not a time: ${JSON.stringify(rt.slice(0, 40))}` };
        const start = st ? (0, timestamps_1.cefTimeToMs)(st, o, ref) : null;
        if (st && start === null && receipt === null)
            return { kind: 'error', reason: `CEF start is not a time: ${JSON.stringify(st.slice(0, 40))}` };
        const deviceTime = this.options.timeSource === 'receipt' ? receipt : start ?? receipt;
        return this.finish(record, 'cef', deviceTime, header);
    }
    fromPanosCsv(message, header) {
        const rows = (0, sync_1.parse)(message, { relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
        const fields = rows[0];
        if (!fields || fields.length < 34)
            return { kind: 'error', reason: `PAN-OS CSV has ${fields ? fields.length : 0} fields, TRAFFIC needs at least 34` };
        const record = (0, mappings_1.panosCsvToCommonSecurityLog)(fields, header?.host ?? null);
        const o = this.options.deviceOffsetMinutes;
        const deviceTime = (0, timestamps_1.panosTimeToMs)(this.options.timeSource === 'receipt' ? fields[1] : fields[6], o);
        return this.finish(record, 'panos-csv', deviceTime, header);
    }
    fromZeekTsv(message, header) {
        if (message.startsWith('#')) {
            if (message.startsWith('#separator')) {
                const sep = message.slice('#separator'.length).trim();
                this.zeekSeparator = sep.replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))) || '\t';
            }
            else if (message.startsWith('#fields')) {
                this.zeekFields = message.split(this.zeekSeparator).slice(1);
            }
            return { kind: 'header' };
        }
        if (!this.zeekFields)
            return { kind: 'error', reason: 'Zeek TSV row before any #fields header' };
        const values = message.split(this.zeekSeparator);
        if (values.length !== this.zeekFields.length) {
            return { kind: 'error', reason: `Zeek row has ${values.length} fields, the #fields header ${this.zeekFields.length}` };
        }
        const z = {};
        this.zeekFields.forEach((f, i) => (z[f] = values[i]));
        return this.fromZeekObject(z, header, 'zeek-tsv');
    }
    fromJson(message, header, format) {
        let value;
        try {
            value = JSON.parse(message);
        }
        catch (err) {
            return { kind: 'error', reason: `invalid JSON: ${err.message.slice(0, 80)}` };
        }
        if (!(0, records_1.isRecord)(value))
            return { kind: 'error', reason: 'JSON line is not an object' };
        if (format === 'zeek-json' || 'id.orig_h' in value)
            return this.fromZeekObject(value, header, 'zeek-json');
        const record = { ...value };
        return this.finish(record, 'json', null, header, true);
    }
    fromZeekObject(z, header, format) {
        const record = (0, mappings_1.zeekToWireData)(z);
        const ts = z.ts;
        let iso = null;
        if (typeof ts === 'number')
            iso = (0, timestamps_1.isoFromEpochSecondsText)(String(ts));
        else if (typeof ts === 'string')
            iso = /^\d/.test(ts) && !ts.includes('-') ? (0, timestamps_1.isoFromEpochSecondsText)(ts) : ts;
        if (!iso)
            return { kind: 'error', reason: `Zeek ts is not a time: ${JSON.stringify(String(ts)).slice(0, 40)}` };
        const ms = Date.parse(iso);
        if (Number.isNaN(ms))
            return { kind: 'error', reason: `Zeek ts is not a time: ${JSON.stringify(iso).slice(0, 40)}` };
        // keep Zeek's exact digits: the event time as written
        const result = this.finish(record, format, ms, header);
        if (result.kind === 'record' && this.options.timeSource === 'event')
            result.record.TimeGenerated = iso;
        return result;
    }
    /** Sets TimeGenerated from the chosen source and keeps the syslog header's host and time. */
    finish(record, format, deviceMs, header, keepOwnTime = false) {
        let syslogMs = null;
        if (header) {
            syslogMs =
                header.format === 'rfc5424'
                    ? (0, timestamps_1.rfc5424TimeToMs)(header.time)
                    : (0, syslog_1.bsdTimeToEpochMs)(header.time, deviceMs ?? NaN, this.options.deviceOffsetMinutes);
            if (syslogMs !== null && Number.isNaN(syslogMs))
                syslogMs = null;
            if (header.host !== null)
                record.Computer = header.host;
            if (syslogMs !== null)
                record.SyslogTime = (0, timestamps_1.isoFromMs)(syslogMs);
        }
        let timeMs = this.options.timeSource === 'syslog' ? syslogMs : deviceMs ?? syslogMs;
        if (keepOwnTime && this.options.timeSource !== 'syslog' && record.TimeGenerated !== undefined)
            timeMs = null;
        if (timeMs !== null) {
            record.TimeGenerated = (0, timestamps_1.isoFromMs)(timeMs);
        }
        else if (!(keepOwnTime && record.TimeGenerated !== undefined)) {
            return { kind: 'error', reason: `no usable ${this.options.timeSource} time in the line` };
        }
        return { kind: 'record', record, format };
    }
}
exports.LogParser = LogParser;
