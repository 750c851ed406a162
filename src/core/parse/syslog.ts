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

import { hasAt, isToken, MONTHS, monthAt, plainDigits, startsAt } from './text';
import { nearestYear } from './timestamps';

export interface SyslogHeader {
  format: 'rfc5424' | 'rfc3164';
  priority: number | null;
  /** the header's timestamp as written */
  time: string;
  host: string | null;
  appName: string | null;
}

export interface SyslogFrame {
  header: SyslogHeader | null;
  /** the log message after the header (the whole line when there is no header) */
  message: string;
}

// <PRI>VERSION TIMESTAMP HOST APP PROCID MSGID SD [MSG]; SD is '-' or [..][..] with quoted, escaped values
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s;
// [<PRI>]Mmm dd hh:mm:ss HOST [TAG: ]MSG
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) ( ?\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) (.*)$/s;
// a BSD tag such as "sshd[123]: " or "PAN-OS: " (not "CEF:0|" nor CSV)
const TAG = /^([A-Za-z][\w\-./]{0,47})(?:\[\d{1,10}\])?: /;

export function parseSyslogFrame(line: string): SyslogFrame {
  const first = line.charCodeAt(0);
  // both headers start with "<" or (BSD without PRI) a capital: a JSON or Zeek line has neither
  if (first !== 60 /* < */ && !(first >= 65 && first <= 90)) return { header: null, message: line };
  const fast = first === 60 ? plainFrame(line) : null;
  if (fast) return fast;
  let m = RFC5424.exec(line);
  if (m) {
    const nil = (v: string) => (v === '-' ? null : v);
    return {
      header: { format: 'rfc5424', priority: Number(m[1]), time: m[3], host: nil(m[4]), appName: nil(m[5]) },
      message: m[9] ?? '',
    };
  }
  m = RFC3164.exec(line);
  if (m && MONTHS.includes(m[2])) return bsdFrame(m[1] !== undefined ? Number(m[1]) : null, `${m[2]} ${m[3].trim()} ${m[4]}`, m[5], m[6]);
  return { header: null, message: line };
}

/**
 * Whether a message is CEF right after the header ("CEF:" and no space
 * after the colon), where TAG cannot match: its name stops at the colon
 * and needs ": " after it. Spares the expression's call on each CEF line.
 */
function cefWithoutTag(message: string): boolean {
  return message.charCodeAt(3) === 58 && message.charCodeAt(4) !== 32 && startsAt(message, 'CEF:', 0);
}

function bsdFrame(priority: number | null, time: string, host: string, rest: string): SyslogFrame {
  let message = rest;
  let appName: string | null = null;
  // a tag starts with a letter: other messages (PAN-OS CSV starts with a digit) spare the expression's call
  const c = message.charCodeAt(0) | 32;
  const tag = c >= 97 && c <= 122 && !cefWithoutTag(message) ? TAG.exec(message) : null;
  if (tag) {
    appName = tag[1];
    message = message.slice(tag[0].length);
  }
  return { header: { format: 'rfc3164', priority, time, host, appName }, message };
}

/**
 * The headers senders write almost always, read at known positions: RFC 5424
 * without structured data ("-") and RFC 3164 with a PRI, every header field
 * printable ASCII. null for anything else, which the patterns above then
 * read; where this answers, they would answer the same.
 */
function plainFrame(line: string): SyslogFrame | null {
  const close = line.indexOf('>');
  if (close < 2 || close > 4) return null;
  const priority = plainDigits(line, 1, close);
  if (priority < 0) return null;
  const at = close + 1;
  if (monthAt(line, at) >= 0) return plainBsdFrame(line, priority, at);
  // RFC 5424: VERSION TIMESTAMP HOST APP PROCID MSGID "-" [MSG]
  const fields: number[] = [at];
  for (let f = 0; f < 6; f++) {
    const space = line.indexOf(' ', fields[f]);
    if (space < 0 || !isToken(line, fields[f], space)) return null;
    fields.push(space + 1);
  }
  const sd = fields[6];
  if (plainDigits(line, at, fields[1] - 1) < 0 || fields[1] - 1 - at > 2) return null;
  if (line.charCodeAt(sd) !== 45 /* - */ || (sd + 1 < line.length && line.charCodeAt(sd + 1) !== 32)) return null;
  const nil = (start: number, end: number) => (end - start === 1 && line.charCodeAt(start) === 45 ? null : line.slice(start, end));
  return {
    header: {
      format: 'rfc5424',
      priority,
      time: line.slice(fields[1], fields[2] - 1),
      host: nil(fields[2], fields[3] - 1),
      appName: nil(fields[3], fields[4] - 1),
    },
    message: sd + 1 < line.length ? line.slice(sd + 2) : '',
  };
}

/** the last BSD header time read: as the line wrote it (15 characters, never empty) and as the header keeps it */
let lastHeaderTime = { written: '\0', time: '' };

/** "Mmm dd hh:mm:ss HOST " or "Mmm  d hh:mm:ss HOST " at `at`. */
function plainBsdFrame(line: string, priority: number, at: number): SyslogFrame | null {
  const twoDigitDay = plainDigits(line, at + 4, at + 6) >= 0;
  if (!twoDigitDay && !(line.charCodeAt(at + 4) === 32 && plainDigits(line, at + 5, at + 6) >= 0)) return null;
  if (
    !hasAt(line, 32, at + 3, at + 6, at + 15) ||
    !hasAt(line, 58, at + 9, at + 12) ||
    plainDigits(line, at + 7, at + 9) < 0 ||
    plainDigits(line, at + 10, at + 12) < 0 ||
    plainDigits(line, at + 13, at + 15) < 0
  )
    return null;
  const hostEnd = line.indexOf(' ', at + 16);
  if (hostEnd < 0 || !isToken(line, at + 16, hostEnd)) return null;
  // the last line's time when this line writes the same (one native comparison, and the same text lets bsdTimeToEpochMs know it at once)
  let time = lastHeaderTime.time;
  if (!startsAt(line, lastHeaderTime.written, at)) {
    // a one-digit day loses its padding space
    time = twoDigitDay ? line.slice(at, at + 15) : `${line.slice(at, at + 4)}${line.slice(at + 5, at + 15)}`;
    lastHeaderTime = { written: line.slice(at, at + 15), time };
  }
  return bsdFrame(priority, time, line.slice(at + 16, hostEnd), line.slice(hostEnd + 1));
}

/** the last BSD time the fast reading read, and its fields */
let lastBsdTime = { text: '', month: 0, day: 0, h: 0, mi: 0, s: 0 };

/**
 * Reads a BSD timestamp ("Nov 30 16:09:08", no year, no zone): the year is
 * the one that puts it nearest to `reference` (epoch ms, an event time from
 * the same record or stream), so replays never depend on today's date.
 */
export function bsdTimeToEpochMs(text: string, reference: number, offsetMinutes: number): number | null {
  // the header time of the line before, read again: a sender's lines share their second
  const last = lastBsdTime;
  if (text === last.text) return nearestYear(reference, last.month, last.day, last.h, last.mi, last.s, 0, offsetMinutes);
  // fast: "Mmm d hh:mm:ss" or "Mmm dd hh:mm:ss", as the header reader writes it
  const month = monthAt(text, 0);
  const at = text.length - 8;
  if (month >= 0 && (at === 6 || at === 7) && hasAt(text, 32, 3, at - 1) && hasAt(text, 58, at + 2, at + 5)) {
    const day = plainDigits(text, 4, at - 1);
    const h = plainDigits(text, at, at + 2);
    const mi = plainDigits(text, at + 3, at + 5);
    const s = plainDigits(text, at + 6, at + 8);
    if ((day | h | mi | s) >= 0) {
      lastBsdTime = { text, month, day, h, mi, s };
      return nearestYear(reference, month, day, h, mi, s, 0, offsetMinutes);
    }
  }
  const m = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m || MONTHS.indexOf(m[1]) < 0) return null;
  return nearestYear(reference, MONTHS.indexOf(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, offsetMinutes);
}

/**
 * Splits a TCP byte stream into syslog messages: octet-counted frames
 * ("LEN SP MSG", RFC 6587) or newline-delimited ones, whichever the stream
 * uses. Keeps the unfinished tail for the next chunk, up to `maxFrame` bytes,
 * in a buffer of doubling capacity, and reads it again only once it can hold
 * a whole frame (a newline arrived, or the bytes its count asks for): a frame
 * sent a few bytes at a time costs what its length says, not its square.
 */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private pendingLength = 0;
  /** bytes the tail needs before it can hold a frame (0: read again at the next chunk), or -1: a newline */
  private waitFor = 0;

  constructor(private readonly maxFrame = 1024 * 1024) {}

  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Complete frames found so far; `overflow` counts bytes dropped as unframeable. */
  push(chunk: Buffer | string): { frames: string[]; overflow: number } {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const frames: string[] = [];
    let overflow = 0;
    let buf = data;
    if (this.pendingLength > 0) {
      this.append(data);
      const ready = this.waitFor < 0 ? data.indexOf(0x0a) >= 0 || this.pendingLength > this.maxFrame : this.pendingLength >= this.waitFor;
      if (!ready) return { frames, overflow };
      buf = this.pending.subarray(0, this.pendingLength);
    }
    let waitFor = 0;
    for (;;) {
      // skip separators between frames
      let start = 0;
      while (start < buf.length && (buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x00)) start++;
      buf = buf.subarray(start);
      if (buf.length === 0) break;
      const octets = octetCountPrefix(buf);
      if (octets === 'partial') {
        waitFor = 0;
        break;
      }
      if (octets) {
        const [headerLength, length] = octets;
        if (length > this.maxFrame) {
          overflow += Math.min(buf.length, headerLength + length);
          buf = buf.subarray(Math.min(buf.length, headerLength + length));
          continue;
        }
        if (buf.length < headerLength + length) {
          waitFor = headerLength + length;
          break;
        }
        frames.push(trimLineEnd(buf.subarray(headerLength, headerLength + length).toString('utf8')));
        buf = buf.subarray(headerLength + length);
        continue;
      }
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        waitFor = -1;
        break;
      }
      frames.push(buf.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > this.maxFrame) {
      overflow += buf.length;
      buf = Buffer.alloc(0);
    }
    this.pending = Buffer.from(buf);
    this.pendingLength = this.pending.length;
    this.waitFor = waitFor;
    return { frames, overflow };
  }

  /** What is left at the end of a stream, as one last frame. */
  end(): string[] {
    const rest = this.pending.toString('utf8', 0, this.pendingLength).trim();
    this.pending = Buffer.alloc(0);
    this.pendingLength = 0;
    return rest ? [rest] : [];
  }

  private append(data: Buffer): void {
    const length = this.pendingLength + data.length;
    if (length > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, 2 * this.pending.length));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    data.copy(this.pending, this.pendingLength);
    this.pendingLength = length;
  }
}

/** "123 <" at the start: [prefix length, frame length]; 'partial' if the digits may continue; null if not octet counting. */
function octetCountPrefix(buf: Buffer): [number, number] | 'partial' | null {
  let i = 0;
  while (i < buf.length && i < 8 && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
  if (i === 0) return null;
  if (i === buf.length) return 'partial';
  if (buf[i] !== 0x20) return null;
  // an octet-counted frame's message starts with "<" (PRI); anything else is a plain line starting with digits
  if (i + 1 >= buf.length) return 'partial';
  if (buf[i + 1] !== 0x3c) return null;
  return [i + 1, Number(buf.subarray(0, i).toString('ascii'))];
}

/**
 * Strips trailing CR and LF. A loop, not `/[\r\n]+$/`: that regex is retried
 * at every position of a long run of newlines followed by anything else
 * (quadratic on a 1 MB frame).
 */
export function trimLineEnd(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}
