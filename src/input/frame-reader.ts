/**
 * Splits one TCP (or TLS) connection's byte stream into syslog frames:
 * newline-delimited, or octet-counted as RFC 6587 §3.4.1 and RFC 5425 write
 * them ("LEN SP MSG"). Frames longer than the cap are skipped whole and
 * counted, never buffered: memory per connection stays below the cap.
 * An unfinished frame grows in a buffer of doubling capacity and is parsed
 * again only once it can be complete (a newline arrived, or the bytes its
 * count asks for), so a frame sent a byte at a time costs what its length
 * says, not its length squared.
 */
import { trimLineEnd } from '../core/parse/syslog';

/**
 * auto: octet counting when a frame starts "digits SP <" (a PRI follows), else a line;
 * octet: every frame that starts "digits SP" is octet-counted (RFC 6587 strict);
 * newline: lines only.
 */
export type Framing = 'auto' | 'octet' | 'newline';

export interface FrameBatch {
  frames: string[];
  /** frames skipped because longer than the cap */
  oversized: number;
  /** end(): an unfinished frame cut short by the end of the stream (never emitted) */
  incomplete?: number;
}

const NL = 0x0a;
const SP = 0x20;
const LT = 0x3c;
/** an octet count has at most this many digits (RFC 5425's MSG-LEN is bounded by practice, 8 digits is 99 MB) */
const MAX_DIGITS = 8;
/** an unfinished line waits for a newline */
const WAIT_NEWLINE = -1;

export class FrameReader {
  /** the unfinished frame: bytes [0, heldLength) of a buffer with room to grow */
  private held: Buffer | null = null;
  private heldLength = 0;
  /** bytes the held frame needs before it can be complete (0: parse again at the next chunk), or WAIT_NEWLINE */
  private waitFor = 0;
  /** newline framing: bytes up to the next newline belong to an oversized line */
  private discardLine = false;
  /** octet framing: bytes still to skip of an oversized frame */
  private skipBytes = 0;

  constructor(
    private readonly framing: Framing,
    private readonly maxFrameBytes: number,
  ) {}

  /** bytes held for an unfinished frame */
  get pendingBytes(): number {
    return this.heldLength;
  }

  /** inside a frame: bytes of it held, or an oversized one still being skipped */
  get midFrame(): boolean {
    return this.heldLength > 0 || this.skipBytes > 0 || this.discardLine;
  }

  push(chunk: Buffer): FrameBatch {
    const out: FrameBatch = { frames: [], oversized: 0 };
    let buf = chunk;
    if (this.heldLength > 0) {
      this.append(chunk);
      const ready =
        this.waitFor === WAIT_NEWLINE ? chunk.indexOf(NL) >= 0 || this.heldLength > this.maxFrameBytes + MAX_DIGITS + 1 : this.heldLength >= this.waitFor;
      if (!ready) return out;
      buf = (this.held as Buffer).subarray(0, this.heldLength);
      this.held = null;
      this.heldLength = 0;
    }
    let need = 0;
    let pos = 0;
    if (this.skipBytes > 0) {
      const n = Math.min(this.skipBytes, buf.length);
      this.skipBytes -= n;
      pos = n;
    }
    if (this.discardLine) {
      const nl = buf.indexOf(NL, pos);
      if (nl < 0) return out;
      this.discardLine = false;
      pos = nl + 1;
    }
    while (pos < buf.length) {
      const c = buf[pos];
      if (c === NL || c === 0x0d || c === 0) {
        pos++; // separators between frames
        continue;
      }
      const octets = this.framing === 'newline' ? null : octetCount(buf, pos, this.framing === 'octet');
      if (octets === 'partial') {
        need = 0;
        break;
      }
      if (octets) {
        const [start, length] = octets;
        if (length > this.maxFrameBytes) {
          out.oversized++;
          const available = buf.length - start;
          if (available < length) {
            this.skipBytes = length - available;
            pos = buf.length;
            break;
          }
          pos = start + length;
          continue;
        }
        if (buf.length - start < length) {
          need = start - pos + length;
          break;
        }
        this.emit(out, buf, start, start + length);
        pos = start + length;
        continue;
      }
      const nl = buf.indexOf(NL, pos);
      if (nl < 0) {
        need = WAIT_NEWLINE;
        break;
      }
      if (nl - pos > this.maxFrameBytes) out.oversized++;
      else this.emit(out, buf, pos, nl);
      pos = nl + 1;
    }
    if (pos < buf.length) {
      const rest = buf.length - pos;
      if (rest > this.maxFrameBytes + MAX_DIGITS + 1) {
        // an unfinished line already over the cap: skip it up to its newline
        out.oversized++;
        this.discardLine = true;
      } else {
        this.held = Buffer.from(buf.subarray(pos)); // a copy: the chunk itself is not kept alive
        this.heldLength = rest;
        this.waitFor = need;
      }
    }
    return out;
  }

  private append(chunk: Buffer): void {
    let held = this.held as Buffer;
    const length = this.heldLength + chunk.length;
    if (length > held.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, 2 * held.length));
      held.copy(grown, 0, 0, this.heldLength);
      this.held = held = grown;
    }
    chunk.copy(held, this.heldLength);
    this.heldLength = length;
  }

  /**
   * The peer ended the stream (FIN). What is left is a frame cut short: an
   * octet-counted frame missing bytes, or a line missing its newline (a
   * slowloris sends exactly that). Either would parse into a record with
   * truncated values, so it is counted incomplete and never emitted.
   */
  end(): FrameBatch {
    const incomplete = this.abandon() ? 1 : 0;
    this.skipBytes = 0;
    this.discardLine = false;
    return { frames: [], oversized: 0, incomplete };
  }

  /** Forgets an unfinished frame (connection lost); true if there was one. */
  abandon(): boolean {
    const had = this.heldLength > 0;
    this.held = null;
    this.heldLength = 0;
    return had;
  }

  private emit(out: FrameBatch, buf: Buffer, start: number, end: number): void {
    const text = trimLineEnd(buf.toString('utf8', start, end));
    if (text) out.frames.push(text);
  }
}

/** "LEN SP" at pos: [start of message, length]; 'partial' when the buffer ends inside the prefix; null if not octet counting. */
function octetCount(buf: Buffer, pos: number, strict: boolean): [number, number] | 'partial' | null {
  let i = pos;
  let n = 0;
  while (i < buf.length && i - pos < MAX_DIGITS && buf[i] >= 0x30 && buf[i] <= 0x39) n = n * 10 + (buf[i++] - 0x30);
  if (i === pos || buf[pos] === 0x30) return null; // no digits, or a leading zero (not a length)
  if (i === buf.length) return 'partial';
  if (buf[i] !== SP) return null;
  if (strict) return [i + 1, n];
  if (i + 1 === buf.length) return 'partial';
  return buf[i + 1] === LT ? [i + 1, n] : null;
}
