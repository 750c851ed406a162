"use strict";
/**
 * CEF (ArcSight Common Event Format): header fields split on unescaped
 * pipes, extension `key=value` pairs with values that may contain spaces,
 * honouring the escapes \= \\ \| \n \r. One pass over the text, no regular
 * expression over the whole message.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseCef = parseCef;
exports.parseExtension = parseExtension;
function parseCef(message) {
    const start = message.indexOf('CEF:');
    if (start < 0)
        return 'no "CEF:" prefix';
    const text = message.slice(start + 4);
    const header = [];
    let current = '';
    let i = 0;
    for (; i < text.length && header.length < 7; i++) {
        const c = text[i];
        if (c === '\\' && i + 1 < text.length && (text[i + 1] === '|' || text[i + 1] === '\\')) {
            current += text[++i];
        }
        else if (c === '|') {
            header.push(current);
            current = '';
        }
        else {
            current += c;
        }
    }
    if (header.length < 7)
        return `CEF header has ${header.length + 1} of 8 fields`;
    return {
        version: header[0],
        deviceVendor: header[1],
        deviceProduct: header[2],
        deviceVersion: header[3],
        signatureId: header[4],
        name: header[5],
        severity: header[6],
        extension: parseExtension(text.slice(i)),
    };
}
const KEY_CHAR = /[A-Za-z0-9_.\-[\]]/;
/** key=value pairs; a value runs up to the space before the next unescaped `key=`. */
function parseExtension(text) {
    // positions of unescaped '=' that are preceded by a key token
    const pairs = [];
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\\') {
            i++;
            continue;
        }
        if (c !== '=')
            continue;
        let k = i - 1;
        while (k >= 0 && KEY_CHAR.test(text[k]))
            k--;
        const key = text.slice(k + 1, i);
        if (key && (k < 0 || text[k] === ' '))
            pairs.push({ key, keyStart: k + 1, valueStart: i + 1 });
    }
    const out = {};
    for (let p = 0; p < pairs.length; p++) {
        const end = p + 1 < pairs.length ? pairs[p + 1].keyStart - 1 : text.length;
        const raw = text.slice(pairs[p].valueStart, Math.max(end, pairs[p].valueStart));
        // wave 2 fix: "__proto__" is an own key like any other (a plain assignment dropped it)
        Object.defineProperty(out, pairs[p].key, { value: unescapeValue(raw.trimEnd()), enumerable: true, writable: true, configurable: true });
    }
    return out;
}
function unescapeValue(raw) {
    if (!raw.includes('\\'))
        return raw;
    let out = '';
    for (let i = 0; i < raw.length; i++) {
        const c = raw[i];
        if (c !== '\\' || i + 1 >= raw.length) {
            out += c;
            continue;
        }
        const n = raw[++i];
        out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
    }
    return out;
}
