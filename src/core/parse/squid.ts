/**
 * Squid's native access log (logformat `squid`, the default):
 *   time.ms elapsed client code/status bytes method URL user hierarchy/peer type
 * e.g. `1672843056.913     84 10.136.0.18 TCP_TUNNEL/200 20275 CONNECT www.example.com:443 - HIER_DIRECT/93.184.216.34 -`.
 * Fields are separated by runs of spaces (elapsed is padded to six
 * characters); anything after the content type (log_mime_hdrs) is ignored.
 * Read into CommonSecurityLog names, the destination's name in
 * DestinationHostName: a proxy log is where the name of a tunnelled
 * destination is written, its address only as the peer Squid connected to.
 */
import { LogRecord } from '../common/records';
import { isAddressLiteral, urlHost } from './host';
import { plainDigits } from './text';
import { epochMsOfSecondsText } from './timestamps';

const MAX_FIELDS = 10;
const starts = new Int32Array(MAX_FIELDS);
const ends = new Int32Array(MAX_FIELDS);

/** Finds up to MAX_FIELDS space-separated fields; returns how many. */
function fields(line: string): number {
  let n = 0;
  let i = 0;
  const len = line.length;
  while (n < MAX_FIELDS) {
    while (i < len && line.charCodeAt(i) === 32) i++;
    if (i >= len) break;
    starts[n] = i;
    let j = line.indexOf(' ', i);
    if (j < 0) j = len;
    ends[n++] = j;
    i = j;
  }
  return n;
}

export interface SquidLine {
  record: LogRecord;
  /** the request's end, epoch milliseconds */
  ms: number;
}

export const SQUID_LINE = /^\d{9,11}\.\d{3} +-?\d+ /;

export function squidRecord(line: string): SquidLine | string {
  const n = fields(line);
  if (n < 9) return `Squid access line has ${n} fields, needs at least 9`;
  const ms = epochMsOfSecondsText(line.slice(starts[0], ends[0]));
  if (Number.isNaN(ms)) return 'Squid time is not epoch seconds';
  const codeAndStatus = line.slice(starts[3], ends[3]);
  const slash = codeAndStatus.indexOf('/');
  if (slash < 0) return 'Squid result is not code/status';
  const method = line.slice(starts[5], ends[5]);
  const url = line.slice(starts[6], ends[6]);
  const { host, port } = urlHost(url);
  const r: LogRecord = {
    DeviceVendor: 'Squid',
    DeviceProduct: 'Squid',
    SourceIP: line.slice(starts[2], ends[2]),
    DeviceAction: codeAndStatus.slice(0, slash),
    RequestMethod: method,
    RequestURL: url,
  };
  if (host !== '') {
    if (isAddressLiteral(host)) r.DestinationIP = host;
    else r.DestinationHostName = host;
  }
  if (port >= 0) r.DestinationPort = port;
  const status = plainDigits(codeAndStatus, slash + 1);
  if (status >= 0) r.HttpStatusCode = status;
  const bytes = plainDigits(line, starts[4], ends[4]);
  if (bytes >= 0) r.ReceivedBytes = bytes;
  const elapsed = plainDigits(line, starts[1], ends[1]);
  if (elapsed >= 0) r.Duration = elapsed / 1000;
  const user = line.slice(starts[7], ends[7]);
  if (user !== '-') r.SourceUserName = user;
  // the peer Squid connected to: HIER_DIRECT/93.184.216.34, or a parent proxy's name
  const hierarchy = line.slice(starts[8], ends[8]);
  const peerAt = hierarchy.indexOf('/');
  const peer = peerAt < 0 ? '' : hierarchy.slice(peerAt + 1);
  if (r.DestinationIP === undefined && peer !== '' && peer !== '-' && isAddressLiteral(peer)) r.DestinationIP = peer;
  return { record: r, ms };
}
