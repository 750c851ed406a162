import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import type { TlsOptions } from 'tls';
import { LogParser, ParserOptions } from '../core/parse/parser';
import { LogRecord } from '../core/common/records';
import { Framing } from '../input/frame-reader';
import { IngestCounters } from '../input/ingest-counters';
import { udpKernelErrors, udpSocketDrops, UdpKernelErrors } from '../input/kernel-counters';
import { LineBatcher } from '../input/line-batcher';
import { LineSource, ListenerInfo, SyslogListener, Transport } from '../input/syslog-listener';
import { compact, configure, controlFlags } from './node-support';
import { parseOne, parserOptions, unparsedMessage } from './parse-settings';
import { NodeSettings, readSettings } from './settings/read';
import { catalog } from './support/i18n';

/** Node-RED's tls-config node, as far as this node uses it. */
interface TlsConfigNode {
  addTLSOptions(opts: TlsOptions): TlsOptions & { ca?: unknown };
  verifyservercert?: boolean;
}

const MAX_PARSERS = 1000;

/** A stream as this node tracks it: lines still queued, and whether the connection has ended. */
interface TrackedSource extends LineSource {
  queued?: number;
  ended?: boolean;
}

function settingsOf(s: NodeSettings) {
  return {
    transport: s.text('transport') as Transport,
    host: s.text('host'),
    port: s.number('port'),
    framing: s.text('framing') as Framing,
    maxConnections: s.number('maxConnections'),
    maxFrameBytes: s.number('maxFrameBytes'),
    idleTimeoutSeconds: s.number('idleTimeout'),
    receiveBufferBytes: s.number('receiveBuffer') * 1024,
    batchLines: s.number('batchLines'),
    batchMs: s.number('batchMs'),
    parse: s.flag('parse'),
  };
}

/** beacon-syslog-in: a syslog listener (UDP, TCP, TLS) handing on batches of lines or parsed records. */
export = function register(RED: NodeAPI): void {
  function BeaconSyslogIn(this: Node, config: NodeDef & { tls?: string }) {
    RED.nodes.createNode(this, config);
    const node = this;
    const configured = configure(RED, node, 'beacon-syslog-in', () => {
      const table = readSettings('beacon-syslog-in', config, catalog(RED));
      const settings = settingsOf(table);
      let tlsOptions: TlsOptions | undefined;
      if (settings.transport === 'tls') {
        const tlsNode = config.tls ? (RED.nodes.getNode(config.tls) as unknown as TlsConfigNode | null) : null;
        if (!tlsNode) throw new Error('TLS needs a TLS configuration (key and certificate)');
        const o = tlsNode.addTLSOptions({});
        // the TLS node's "verify" with a CA: clients must show a certificate signed by it (RFC 5425 §5.2)
        tlsOptions = { ...o, requestCert: Boolean(tlsNode.verifyservercert && o.ca), rejectUnauthorized: Boolean(tlsNode.verifyservercert && o.ca) };
      }
      return { settings, options: settings.parse ? parserOptions(table) : null, tlsOptions };
    });
    if (!configured) return;
    const { settings: s, options, tlsOptions } = configured;
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
    let errorsUnreported = 0;
    let firstError = '';

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
      for (let i = 0; i < lines.length; i++) {
        const source = sources[i];
        const reason = parseOne(parserFor(source), lines[i], records);
        source.queued = (source.queued as number) - 1;
        if (source.ended) released(source);
        if (reason === null) continue;
        counters.add(counters.of(sources[i].sender), 'parseErrors');
        send([null, unparsedMessage(lines[i], reason, { ip: sources[i].sender }), null]);
        if (errorsUnreported++ === 0) firstError = `${reason}: ${lines[i].slice(0, 120)}`;
      }
      if (records.length > 0) send([{ payload: single ? records[0] : records } as NodeMessage, null, null]);
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
        idleTimeoutSeconds: s.idleTimeoutSeconds,
        receiveBufferBytes: s.receiveBufferBytes,
        maxQueuedLines: maxQueued,
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
      { maxLines: s.batchLines, maxWaitMs: s.batchMs, highWater: Math.max(4 * s.batchLines, 4096), maxQueued },
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
      if (errorsUnreported > 0) {
        node.error(`${errorsUnreported} lines not parsed; first: ${firstError}`);
        errorsUnreported = 0;
      }
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
      const flags = controlFlags(msg);
      const control = flags.control;
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
