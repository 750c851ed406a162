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

import { MONTHS } from './timestamps';

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
const RFC5424 =
  /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s;
// [<PRI>]Mmm dd hh:mm:ss HOST [TAG: ]MSG
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) ( ?\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) (.*)$/s;
// a BSD tag such as "sshd[123]: " or "PAN-OS: " (not "CEF:0|" nor CSV)
const TAG = /^([A-Za-z][\w\-./]{0,47})(?:\[\d{1,10}\])?: /;

export function parseSyslogFrame(line: string): SyslogFrame {
  let m = RFC5424.exec(line);
  if (m) {
    const nil = (v: string) => (v === '-' ? null : v);
    return {
      header: { format: 'rfc5424', priority: Number(m[1]), time: m[3], host: nil(m[4]), appName: nil(m[5]) },
      message: m[9] ?? '',
    };
  }
  m = RFC3164.exec(line);
  if (m && MONTHS.includes(m[2])) {
    let message = m[6];
    let appName: string | null = null;
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
export function bsdTimeToEpochMs(text: string, reference: number, offsetMinutes: number): number | null {
  const m = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return null;
  const refYear = new Date(reference).getUTCFullYear();
  let best: number | null = null;
  for (const year of [refYear - 1, refYear, refYear + 1]) {
    const t = Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) - offsetMinutes * 60000;
    if (best === null || Math.abs(t - reference) < Math.abs(best - reference)) best = t;
  }
  return best;
}

/**
 * Splits a TCP byte stream into syslog messages: octet-counted frames
 * ("LEN SP MSG", RFC 6587) or newline-delimited ones, whichever the stream
 * uses. Keeps the unfinished tail for the next chunk, up to `maxFrame` bytes.
 */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame = 1024 * 1024) {}

  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Complete frames found so far; `overflow` counts bytes dropped as unframeable. */
  push(chunk: Buffer | string): { frames: string[]; overflow: number } {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const frames: string[] = [];
    let overflow = 0;
    for (;;) {
      // skip separators between frames
      let start = 0;
      while (start < buf.length && (buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x00)) start++;
      buf = buf.subarray(start);
      if (buf.length === 0) break;
      const octets = octetCountPrefix(buf);
      if (octets === 'partial') break;
      if (octets) {
        const [headerLength, length] = octets;
        if (length > this.maxFrame) {
          overflow += Math.min(buf.length, headerLength + length);
          buf = buf.subarray(Math.min(buf.length, headerLength + length));
          continue;
        }
        if (buf.length < headerLength + length) break;
        frames.push(trimLineEnd(buf.subarray(headerLength, headerLength + length).toString('utf8')));
        buf = buf.subarray(headerLength + length);
        continue;
      }
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      frames.push(buf.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > this.maxFrame) {
      overflow += buf.length;
      buf = Buffer.alloc(0);
    }
    this.pending = Buffer.from(buf);
    return { frames, overflow };
  }

  /** What is left at the end of a stream, as one last frame. */
  end(): string[] {
    const rest = this.pending.toString('utf8').trim();
    this.pending = Buffer.alloc(0);
    return rest ? [rest] : [];
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
