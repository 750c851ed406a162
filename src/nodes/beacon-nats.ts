import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parsePartitionCount } from '../core/partition/partition';
import { checkStreamName, connectStream, serverList, type NatsSettings, type StreamClients, type StreamLimits } from '../stream/connection';

interface NatsDef extends NodeDef {
  servers?: string;
  stream?: string;
  partitions?: string | number;
  /** path of a .creds file ('' = none) */
  credsFile?: string;
  /** id of a tls-config node ('' = plain TCP) */
  tls?: string;
  /** stream limits, applied when this node creates the stream */
  maxAgeHours?: string | number;
  maxGigabytes?: string | number;
}

interface NatsCredentials {
  token?: string;
  user?: string;
  password?: string;
}

/** Node-RED's tls-config node, as far as this node uses it. */
interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string };
}

/** What the ingest and worker nodes read from their beacon-nats this. */
export interface NatsConfigNode extends Node {
  stream: string;
  partitions: number;
  limits: StreamLimits;
  /** why the settings cannot be used, or null */
  invalid: string | null;
  /** the shared connection, opened by the first node that asks */
  clients(): Promise<StreamClients>;
  /** keeps the connection open until this settles (a worker releasing its partitions on close) */
  hold(until: Promise<unknown>): void;
}

const text = (v: Buffer | string | undefined): string | undefined => (v === undefined ? undefined : v.toString());

/**
 * beacon-nats: where the scale-out stream lives. One connection per config
 * node, shared by the ingest and worker nodes that use it, closed with it.
 */
export = function register(RED: NodeAPI): void {
  function BeaconNats(this: NatsConfigNode, config: NatsDef) {
    RED.nodes.createNode(this, config);
    const credentials = ((this as unknown as { credentials?: NatsCredentials }).credentials ?? {}) as NatsCredentials;
    this.invalid = null;
    let settings: NatsSettings | null = null;
    try {
      this.stream = checkStreamName((config.stream || 'netbeacon').trim());
      this.partitions = parsePartitionCount(config.partitions ?? 12);
      const hours = Number(config.maxAgeHours ?? 0) || 0;
      const gigabytes = Number(config.maxGigabytes ?? 0) || 0;
      if (hours < 0 || gigabytes < 0) throw new Error('stream limits must be ≥ 0');
      this.limits = { maxAgeSeconds: hours * 3600, maxBytes: Math.round(gigabytes * 1e9), storage: 'file' };
      let tls: NatsSettings['tls'];
      if (config.tls) {
        const tlsNode = RED.nodes.getNode(config.tls) as unknown as TlsConfigNode | null;
        if (!tlsNode) throw new Error('the TLS configuration node is missing');
        const o = tlsNode.addTLSOptions({});
        tls = { ca: text(o.ca), cert: text(o.cert), key: text(o.key) };
      }
      settings = {
        servers: serverList(config.servers || 'nats://127.0.0.1:4222'),
        token: credentials.token || undefined,
        user: credentials.user || undefined,
        pass: credentials.password || undefined,
        credsFile: (config.credsFile ?? '').trim() || undefined,
        tls,
        name: `netbeacon ${this.id}`,
      };
    } catch (err) {
      this.invalid = (err as Error).message;
      this.stream = 'netbeacon';
      this.partitions = 12;
      this.limits = {};
      this.error(`invalid setting: ${this.invalid}`);
    }
    let connecting: Promise<StreamClients> | null = null;
    const holds = new Set<Promise<unknown>>();
    this.hold = (until) => {
      const p = until.catch(() => undefined).finally(() => holds.delete(p));
      holds.add(p);
    };
    this.clients = () => {
      if (!settings) return Promise.reject(new Error(`beacon-nats: ${this.invalid}`));
      if (!connecting) {
        connecting = connectStream(settings);
        // a failed first connection is tried again by the next node that asks
        connecting.catch(() => {
          connecting = null;
        });
      }
      return connecting;
    };
    this.on('close', (done: () => void) => {
      const open = connecting;
      connecting = null;
      if (!open) return done();
      // the nodes using it are closed first (Node-RED stops config nodes last) and may still be releasing
      Promise.all([...holds])
        .then(() => open)
        .then((c) => c.nc.drain())
        .catch(() => undefined)
        .finally(() => done());
    });
  }
  RED.nodes.registerType('beacon-nats', BeaconNats as never, {
    credentials: { token: { type: 'password' }, user: { type: 'text' }, password: { type: 'password' } },
  });
};
