import { choice, isIPv4, isIPv6, NAME, Row, SettingsTable } from './table';
import { PARSE_SETTINGS } from './parse';

const whole = (value: number, min: number, row: Row) => ({ type: 'integer', value, blank: value, min, error: 'whole', row }) as const;
const STREAM = 'beacon-syslog-in-stream';

/** beacon-syslog-in's settings. */
export const SYSLOG_IN: SettingsTable = {
  name: NAME,
  transport: choice('transport', ['udp', 'tcp', 'tls'], { icon: 'plug', width: '200px' }),
  host: {
    type: 'string',
    value: '127.0.0.1',
    blank: '127.0.0.1',
    check: (text) => (isIPv4(text) || isIPv6(text) ? null : { error: 'host' }),
    row: { icon: 'map-marker', width: '160px', placeholder: '127.0.0.1' },
  },
  port: { type: 'integer', value: 5514, required: true, min: 1, max: 65535, error: 'port', row: { width: '80px', placeholder: '5514' } },
  tls: { type: 'string', value: '', requiredIf: (view) => view('transport') === 'tls', error: 'tls', row: { icon: 'lock', group: 'beacon-syslog-in-tls' } },
  framing: choice('framing', ['auto', 'octet', 'newline'], { icon: 'align-justify', group: STREAM }, { required: false, blank: 'auto' }),
  maxConnections: whole(100, 1, { icon: 'users', width: '70px', group: STREAM }),
  idleTimeout: whole(600, 0, { width: '70px', unit: 'seconds', group: STREAM }),
  maxPerSender: whole(10, 1, { icon: 'user', width: '70px', group: STREAM }),
  // closes connections that complete no frame for this long (slow or silent senders holding the slots)
  progressTimeout: whole(30, 0, { width: '70px', unit: 'seconds', group: STREAM }),
  handshakeTimeout: whole(10, 1, { icon: 'handshake-o', width: '70px', unit: 'seconds', group: 'beacon-syslog-in-tls' }),
  receiveBuffer: whole(4096, 0, { icon: 'inbox', width: '90px', unit: 'kib', group: 'beacon-syslog-in-udp' }), // KiB
  maxFrameBytes: whole(65536, 64, { icon: 'arrows-h', width: '90px', unit: 'bytes' }),
  // MiB per queue; the UDP reader thread counts waiting bytes in a 32-bit cell, hence at most 1024
  queueMegabytes: { type: 'integer', value: 64, blank: 64, min: 1, max: 1024, error: 'range', row: { icon: 'database', width: '70px', unit: 'mib' } },
  batchLines: whole(1000, 1, { icon: 'th-list', width: '70px' }),
  batchMs: whole(200, 1, { width: '60px', unit: 'ms' }),
  parse: { type: 'boolean', value: false, error: 'boolean', row: { icon: 'file-text-o', input: 'checkbox', unit: 'parseLines' } },
  // UDP only: a parse thread costs a third busy thread, which pays off from 2 CPUs (auto decides by the count)
  parseIn: choice('parseIn', ['auto', 'thread', 'flow'], { icon: 'microchip', group: 'beacon-syslog-in-parse-in' }, { required: false, blank: 'auto' }),
  ...PARSE_SETTINGS,
};
