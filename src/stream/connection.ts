import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

/** How to reach NATS: what the beacon-nats config node and the cluster launcher supply. */
export interface NatsSettings {
  /** "nats://host:4222, nats://other:4222" or a list */
  servers: string | string[];
  token?: string;
  user?: string;
  pass?: string;
  /** a .creds file (JWT + NKey seed), as `nsc` writes it */
  credsFile?: string;
  /** TLS: PEM texts (from Node-RED's tls-config), or true for the system's CAs */
  tls?: { ca?: string; cert?: string; key?: string } | true;
  /** shown in the server's connection list */
  name?: string;
}

export interface StreamClients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export function serverList(servers: string | string[]): string[] {
  const list = (Array.isArray(servers) ? servers : String(servers ?? '').split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('no NATS server given (e.g. nats://127.0.0.1:4222)');
  return list;
}

/** Connects and opens the JetStream clients; reconnects forever once connected (the client's own loop). */
export async function connectStream(settings: NatsSettings): Promise<StreamClients> {
  const servers = serverList(settings.servers);
  const nc = await connect({
    servers,
    name: settings.name,
    token: settings.token || undefined,
    user: settings.user || undefined,
    pass: settings.pass || undefined,
    authenticator: settings.credsFile ? credsAuthenticator(readFileSync(settings.credsFile)) : undefined,
    tls: settings.tls === true ? {} : settings.tls ? { ...settings.tls } : undefined,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: false,
  });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** The stream's layout: one subject per partition, `<name>.<partition>`. */
export interface StreamLayout {
  /** stream name; also the subject prefix (letters, digits, - and _) */
  name: string;
  partitions: number;
}

export interface StreamLimits {
  /** bytes kept at most; when full, publishing is refused (not the oldest dropped): 0 = no limit */
  maxBytes?: number;
  /** messages kept at most (same rule) */
  maxMessages?: number;
  /** seconds a message is kept; older ones are trimmed, and a snapshot from before then cannot resume: 0 = for ever */
  maxAgeSeconds?: number;
  /** 'file' (survives a broker restart) or 'memory' */
  storage?: 'file' | 'memory';
  replicas?: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkStreamName(name: string): string {
  if (!NAME.test(name)) throw new Error(`stream name must be 1–64 letters, digits, - or _, not "${String(name).slice(0, 40)}"`);
  return name;
}

export const partitionSubject = (stream: string, partition: number): string => `${stream}.${partition}`;

/** The partition a subject names, or null. */
export function subjectPartition(subject: string, stream: string): number | null {
  if (!subject.startsWith(stream + '.')) return null;
  const rest = subject.slice(stream.length + 1);
  return /^\d{1,5}$/.test(rest) ? Number(rest) : null;
}

/**
 * Creates the stream if it is absent. "Discard new": a full stream refuses
 * new messages, so the publisher sees it and holds back, rather than the
 * broker silently dropping the oldest records no worker has read yet.
 */
export async function ensureStream(jsm: JetStreamManager, layout: StreamLayout, limits: StreamLimits = {}): Promise<void> {
  checkStreamName(layout.name);
  try {
    await jsm.streams.info(layout.name);
    return;
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
  }
  try {
    await jsm.streams.add({
      name: layout.name,
      subjects: [`${layout.name}.*`],
      storage: (limits.storage ?? 'file') as never,
      retention: 'limits' as never,
      discard: 'new' as never,
      max_bytes: limits.maxBytes && limits.maxBytes > 0 ? limits.maxBytes : -1,
      max_msgs: limits.maxMessages && limits.maxMessages > 0 ? limits.maxMessages : -1,
      max_age: limits.maxAgeSeconds && limits.maxAgeSeconds > 0 ? limits.maxAgeSeconds * 1e9 : 0,
      num_replicas: limits.replicas ?? 1,
    });
  } catch (err) {
    // another process created it between the two calls
    if (!/already in use|already exists/i.test((err as Error).message)) throw err;
  }
}

/** The lease bucket of a stream: `<stream>_leases`, entries expiring after the TTL unless renewed. */
export async function openLeaseBucket(nc: NatsConnection, stream: string, ttlSeconds: number, replicas = 1): Promise<KV> {
  const kvm = new Kvm(nc);
  return kvm.create(`${checkStreamName(stream)}_leases`, { ttl: Math.round(ttlSeconds * 1000), history: 1, replicas });
}

/**
 * The alerts already notified, `<stream>_alerts`: a worker that re-reads
 * after a crash or a takeover scores the same cells again, and an alert's
 * id entry, created once, tells it the alert went out already.
 */
export async function openAlertBucket(nc: NatsConnection, stream: string, keepHours: number, replicas = 1): Promise<KV> {
  const kvm = new Kvm(nc);
  return kvm.create(`${checkStreamName(stream)}_alerts`, { ttl: Math.round(keepHours * 3600 * 1000), history: 1, replicas });
}

/** Whether a publish failed because the stream is at its limit (JetStream API errors 10077 / 10047 / 10027). */
export function isStreamFull(err: unknown): boolean {
  const e = err as { message?: string; code?: unknown; api_error?: { err_code?: number } };
  return /maximum (messages|bytes|messages per subject) exceeded|insufficient resources/i.test(String(e?.message ?? ''));
}
