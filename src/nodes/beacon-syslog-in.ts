import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import type { TlsOptions } from 'tls';
import { LogParser, ParserOptions } from '../core/parse/parser';
import { describeValue, LogRecord } from '../core/common/records';
import { Framing } from '../input/frame-reader';
import { IngestCounters } from '../input/ingest-counters';
import { udpKernelErrors, udpSocketDrops, UdpKernelErrors } from '../input/kernel-counters';
import { LineBatcher } from '../input/line-batcher';
import { LineSource, ListenerInfo, SyslogListener, Transport } from '../input/syslog-listener';
import { compact, numberSetting, translate } from './node-support';
import { ParseSettings, parserOptions, unparsedMessage } from './parse-settings';

interface SyslogInDef extends NodeDef, ParseSettings {
  transport?: Transport;
  host?: string;
  port?: string | number;
  framing?: Framing;
  tls?: string;
  maxConnections?: string | number;
  maxPerSender?: string | number;
  handshakeTimeout?: string | number;
  progressTimeout?: string | number;
  maxFrameBytes?: string | number;
  idleTimeout?: string | number;
  queueMegabytes?: string | number;
  receiveBuffer?: string | number;
  batchLines?: string | number;
  batchMs?: string | number;
  parse?: boolean | string;
}

/** Node-RED's tls-config node, as far as this node uses it. */
interface TlsConfigNode {
  addTLSOptions(opts: TlsOptions): TlsOptions & { ca?: unknown };
  verifyservercert?: boolean;
}

/** Settings with their defaults: an absent setting (a flow written before it existed) takes these. */
const SYSLOG_IN_DEFAULTS = {
  transport: 'udp' as Transport,
  host: '127.0.0.1',
  framing: 'auto' as Framing,
  maxConnections: 100,
  maxPerSender: 10,
  handshakeTimeout: 10,
  progressTimeout: 30,
  maxFrameBytes: 65536,
  idleTimeout: 600,
  queueMegabytes: 64,
  receiveBuffer: 4096, // KiB
  batchLines: 1000,
  batchMs: 200,
};

const MAX_PARSERS = 1000;

/** A stream as this node tracks it: lines still queued, and whether the connection has ended. */
interface TrackedSource extends LineSource {
  queued?: number;
  ended?: boolean;
}

function settingsOf(config: SyslogInDef) {
  const d = SYSLOG_IN_DEFAULTS;
  const int = (v: unknown, name: string, fallback: number, min: number, max = Infinity) => {
    const n = numberSetting(v, name, fallback) as number;
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, not "${String(v).slice(0, 20)}"`);
    if (n > max) throw new Error(`${name} must be at most ${max}, not "${String(v).slice(0, 20)}"`);
    return n;
  };
  const transport = config.transport ?? d.transport;
  if (!['udp', 'tcp', 'tls'].includes(transport)) throw new Error(`transport must be udp, tcp or tls, not "${String(transport).slice(0, 20)}"`);
  const framing = config.framing || d.framing;
  if (!['auto', 'octet', 'newline'].includes(framing)) throw new Error(`framing must be auto, octet or newline, not "${String(framing).slice(0, 20)}"`);
  const port = Number(config.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port must be 1-65535, not "${String(config.port).slice(0, 20)}"`);
  return {
    transport,
    host: (config.host ?? '').trim() || d.host,
    port,
    framing,
    maxConnections: int(config.maxConnections, 'max connections', d.maxConnections, 1),
    maxPerSender: int(config.maxPerSender, 'max connections per sender', d.maxPerSender, 1),
    handshakeTimeoutSeconds: int(config.handshakeTimeout, 'handshake timeout', d.handshakeTimeout, 1),
    progressTimeoutSeconds: int(config.progressTimeout, 'progress timeout', d.progressTimeout, 0),
    maxFrameBytes: int(config.maxFrameBytes, 'max frame bytes', d.maxFrameBytes, 64),
    idleTimeoutSeconds: int(config.idleTimeout, 'idle timeout', d.idleTimeout, 0),
    // the reader thread counts waiting bytes in a 32-bit cell
    queueBytes: int(config.queueMegabytes, 'queue size', d.queueMegabytes, 1, 1024) * 1024 * 1024,
    receiveBufferBytes: int(config.receiveBuffer, 'receive buffer', d.receiveBuffer, 0) * 1024,
    batchLines: int(config.batchLines, 'batch lines', d.batchLines, 1),
    batchMs: int(config.batchMs, 'batch time', d.batchMs, 1),
    parse: config.parse === true || config.parse === 'true',
  };
}

/** beacon-syslog-in: a syslog listener (UDP, TCP, TLS) handing on batches of lines or parsed records. */
export = function register(RED: NodeAPI): void {
  function BeaconSyslogIn(this: Node, config: SyslogInDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let settings: ReturnType<typeof settingsOf>;
    let options: ParserOptions | null = null;
    let tlsOptions: TlsOptions | undefined;
    try {
      settings = settingsOf(config);
      if (settings.parse) {
        options = parserOptions(config);
        if (!options) throw new Error(translate(RED, 'beacon-parse.errors.offset', 'device time zone must look like +02:00, -0500 or UTC: "__value__"', { value: String(config.deviceOffset).slice(0, 20) }));
      }
      if (settings.transport === 'tls') {
        const tlsNode = config.tls ? (RED.nodes.getNode(config.tls) as unknown as TlsConfigNode | null) : null;
        if (!tlsNode) throw new Error('TLS needs a TLS configuration (key and certificate)');
        const o = tlsNode.addTLSOptions({});
        // the TLS node's "verify" with a CA: clients must show a certificate signed by it (RFC 5425 §5.2)
        tlsOptions = { ...o, requestCert: Boolean(tlsNode.verifyservercert && o.ca), rejectUnauthorized: Boolean(tlsNode.verifyservercert && o.ca) };
      }
    } catch (err) {
      node.error(translate(RED, 'beacon-syslog-in.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
      node.on('input', (_msg, _send, done) => done(new Error('beacon-syslog-in: invalid settings, see the node')));
      return;
    }
    const s = settings;
    const counters = new IngestCounters();
    const parsers = new Map<string, LogParser>();
    const parserFor = (source: LineSource): LogParser => {
      let p = parsers.get(source.id);
      if (!p) {
        if (parsers.size >= MAX_PARSERS) parsers.delete(parsers.keys().next().value as string);
        parsers.set(source.id, (p = new LogParser(options as ParserOptions)));
      }
      return p;
    };
    let info: ListenerInfo | null = null;
    let failed: string | null = null;
    let kernelBase: UdpKernelErrors | null = null;
    let dropsBase: number | null = null;

    const send = (out: Array<NodeMessage | null>) => node.send(out as NodeMessage[]);

    /** A stream's parser state goes once its connection has ended and its last queued line is parsed. */
    function released(source: TrackedSource): void {
      if (source.ended && !source.queued) parsers.delete(source.id);
    }

    function deliver(lines: string[], sources: TrackedSource[]): void {
      const single = s.batchLines === 1;
      if (!options) {
        const msg = single ? { payload: lines[0], ip: sources[0].sender } : { payload: lines };
        send([msg as NodeMessage, null, null]);
        return;
      }
      const records: LogRecord[] = [];
      let errors = 0;
      let firstError = '';
      for (let i = 0; i < lines.length; i++) {
        const source = sources[i];
        const result = parserFor(source).parseLine(lines[i]);
        source.queued = (source.queued as number) - 1;
        if (source.ended) released(source);
        if (result.kind === 'record') records.push(result.record);
        else if (result.kind === 'header') counters.add(counters.of(source.sender), 'headers');
        if (result.kind !== 'error') continue;
        counters.add(counters.of(source.sender), 'parseErrors');
        send([null, unparsedMessage(lines[i], result.reason, { ip: source.sender }), null]);
        if (errors++ === 0) firstError = `from ${source.sender}: ${result.reason}: ${describeValue(lines[i], 120)}`;
      }
      if (records.length > 0) send([{ payload: single ? records[0] : records } as NodeMessage, null, null]);
      // one error per batch reaches Catch nodes; its message is text only (never the lines themselves)
      if (errors > 0) {
        const text = `${errors} of ${lines.length} lines not parsed; first ${firstError}`;
        node.error(text, { topic: 'unparsed', payload: text } as NodeMessage);
      }
    }

    // lines that may wait for the flow (UDP: in the reader thread's queue, and again in the batcher's); beyond, dropped and counted
    const maxQueued = Math.max(16 * s.batchLines, 200000);
    const listener = new SyslogListener(
      {
        transport: s.transport,
        host: s.host,
        port: s.port,
        framing: s.framing,
        maxFrameBytes: s.maxFrameBytes,
        maxConnections: s.maxConnections,
        maxConnectionsPerSender: s.maxPerSender,
        handshakeTimeoutSeconds: s.handshakeTimeoutSeconds,
        progressTimeoutSeconds: s.progressTimeoutSeconds,
        idleTimeoutSeconds: s.idleTimeoutSeconds,
        receiveBufferBytes: s.receiveBufferBytes,
        maxQueuedLines: maxQueued,
        maxQueuedBytes: s.queueBytes,
        tls: tlsOptions,
      },
      counters,
      {
        lines: (source: TrackedSource, lines) => {
          source.queued = (source.queued ?? 0) + lines.length;
          const refused = batcher.push(source, lines);
          source.queued -= refused;
          return refused;
        },
        ended: (source: TrackedSource) => {
          source.ended = true;
          released(source);
        },
        failed: (err) => {
          failed = 'input stopped: see the log';
          node.error(err.message);
          showStatus();
        },
      },
    );
    const batcher = new LineBatcher<LineSource>(
      {
        maxLines: s.batchLines,
        maxWaitMs: s.batchMs,
        highWater: Math.max(4 * s.batchLines, 4096),
        maxQueued,
        highWaterBytes: s.queueBytes / 4,
        maxQueuedBytes: s.queueBytes,
      },
      deliver,
      listener,
    );

    function kernel(): { socketDrops: number | null; RcvbufErrors: number | null; InErrors: number | null } {
      if (s.transport !== 'udp') return { socketDrops: null, RcvbufErrors: null, InErrors: null };
      const k = udpKernelErrors();
      const drops = udpSocketDrops(info?.port ?? s.port);
      return {
        socketDrops: drops === null ? null : drops - (dropsBase ?? 0),
        RcvbufErrors: k && kernelBase ? k.RcvbufErrors - kernelBase.RcvbufErrors : null,
        InErrors: k && kernelBase ? k.InErrors - kernelBase.InErrors : null,
      };
    }
    function baseline(): void {
      kernelBase = udpKernelErrors();
      dropsBase = s.transport === 'udp' ? udpSocketDrops(info?.port ?? s.port) : null;
    }

    function stats() {
      return {
        transport: s.transport,
        address: info?.address ?? s.host,
        port: info?.port ?? s.port,
        listening: info !== null,
        receiveBufferBytes: info?.receiveBufferBytes ?? null,
        readerPriority: info?.readerPriority ?? null,
        openConnections: listener.openConnections,
        queued: batcher.queued + listener.waitingLines,
        queuedBytes: batcher.queuedBytes + listener.waitingBytes,
        ...counters.snapshot(),
        kernel: kernel(),
      };
    }

    let lastStatus = '';
    function showStatus(): void {
      let status: NodeStatus;
      if (failed) status = { fill: 'red', shape: 'ring', text: failed };
      else if (!info) status = { fill: 'grey', shape: 'ring', text: `starting ${s.transport} ${s.host}:${s.port}` };
      else {
        const t = counters.total;
        const k = kernel();
        const drops = (k.socketDrops ?? 0) + t.queueDropped;
        const problems = [
          t.parseErrors && `${compact(t.parseErrors)} unparsed`,
          t.oversized && `${compact(t.oversized)} oversized`,
          t.incomplete && `${compact(t.incomplete)} incomplete`,
          drops && `${compact(drops)} dropped`,
          counters.connectionsRejected && `${compact(counters.connectionsRejected)} refused`,
          t.handshakeFailed && `${compact(t.handshakeFailed)} TLS failed`,
          t.stalled && `${compact(t.stalled)} stalled`,
        ].filter(Boolean);
        status = {
          fill: drops > 0 ? 'red' : problems.length ? 'yellow' : 'green',
          shape: 'dot',
          text: [`${s.transport} ${info.address}:${info.port}`, `${compact(t.lines)} lines`, `${counters.senderCount} senders`, ...problems].join(' · '),
        };
      }
      const text = JSON.stringify(status);
      if (text !== lastStatus) node.status(status);
      lastStatus = text;
    }
    // wall clock paces the display only
    const ticker = setInterval(showStatus, 1000);
    ticker.unref?.();
    showStatus();

    listener.start().then(
      (started) => {
        info = started;
        baseline();
        for (const w of started.warnings) node.warn(w);
        const priority =
          started.readerPriority === undefined ? '' : started.readerPriority === null ? ' (reader thread at normal priority: raising it needs CAP_SYS_NICE)' : ` (reader thread at nice ${started.readerPriority})`;
        node.log(`listening on ${s.transport} ${started.address}:${started.port}${priority}`);
        showStatus();
      },
      (err: NodeJS.ErrnoException) => {
        failed = err.code === 'EADDRINUSE' ? `port ${s.port} in use` : err.code === 'EADDRNOTAVAIL' ? `no address ${s.host} here` : 'cannot listen';
        node.error(`cannot listen on ${s.transport} ${s.host}:${s.port}: ${err.message}`);
        showStatus();
      },
    );

    node.on('input', (msg, sendOut, done) => {
      const flags = msg as { flush?: unknown; reset?: unknown; checkpoint?: unknown };
      const control = Boolean(flags.flush || flags.reset || flags.checkpoint);
      // lines received before the message go out before it
      if (control) batcher.drainAll();
      if (flags.reset) {
        parsers.clear();
        counters.reset();
        baseline();
      }
      if (control) {
        delete msg.payload;
        sendOut([msg, null, null]);
      }
      sendOut([null, null, { topic: 'counters', payload: stats() }]);
      showStatus();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(ticker);
      batcher.close();
      node.status({});
      listener.close().then(() => done(), () => done());
    });
  }
  RED.nodes.registerType('beacon-syslog-in', BeaconSyslogIn);
};
