import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parsePartitionCount } from '../core/partition/partition';
import { checkStreamName, connectStream, serverList, type NatsSettings, type StreamClients, type StreamLimits } from '../stream/connection';
import { readSettings, SettingError } from './settings/read';
import { catalog } from './support/i18n';

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
      // checked against the settings table (settings/nats.ts), as the editor checks them
      const s = readSettings('beacon-nats', config, catalog(RED));
      this.stream = checkStreamName(s.text('stream'));
      this.partitions = parsePartitionCount(s.text('partitions'));
      this.limits = { maxAgeSeconds: s.number('maxAgeHours') * 3600, maxBytes: Math.round(s.number('maxGigabytes') * 1e9), storage: 'file' };
      let tls: NatsSettings['tls'];
      if (s.text('tls')) {
        const tlsNode = RED.nodes.getNode(s.text('tls')) as unknown as TlsConfigNode | null;
        if (!tlsNode) throw new Error('the TLS configuration node is missing');
        const o = tlsNode.addTLSOptions({});
        tls = { ca: text(o.ca), cert: text(o.cert), key: text(o.key) };
      }
      settings = {
        servers: serverList(s.text('servers')),
        token: credentials.token || undefined,
        user: credentials.user || undefined,
        pass: credentials.password || undefined,
        credsFile: s.text('credsFile') || undefined,
        tls,
        name: `netbeacon ${this.id}`,
      };
    } catch (err) {
      this.invalid = (err as Error).message;
      this.stream = 'netbeacon';
      this.partitions = 12;
      this.limits = {};
      // a setting of its own refused, or what it refers to missing (a TLS configuration node)
      this.error(err instanceof SettingError ? `invalid setting: ${this.invalid}` : `cannot use the configuration: ${this.invalid}`);
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
