'use strict';
/** The settings a SyslogIngest under test starts from (TCP on a free port, no parser); specs override what they test. */
const INGEST_SETTINGS = {
  transport: 'tcp',
  host: '127.0.0.1',
  port: 0,
  framing: 'auto',
  maxConnections: 10,
  maxPerSender: 10,
  handshakeTimeoutSeconds: 10,
  progressTimeoutSeconds: 0,
  maxFrameBytes: 65536,
  idleTimeoutSeconds: 0,
  receiveBufferBytes: 0,
  queueBytes: 64 * 1024 * 1024,
  batchLines: 3,
  batchMs: 5,
  parser: null,
};

module.exports = { INGEST_SETTINGS };
