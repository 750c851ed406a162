import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { isRecord, RecordError } from '../core/records';

/** What an input message carries: records, control flags, and the shape to answer in. */
export interface Incoming {
  records: unknown[];
  /** payload was an array: answer with arrays */
  batch: boolean;
  flush: boolean;
  reset: boolean;
}

/**
 * Reads records from `msg.payload`: one object, or an array of them. A
 * control message (`msg.flush` / `msg.reset`) may carry no records at all;
 * what it releases then takes the shape of the last records seen
 * (`lastBatch`). Any other payload is an error the caller reports.
 */
export function readIncoming(msg: NodeMessageInFlow, lastBatch = false): Incoming | RecordError {
  const flush = Boolean((msg as { flush?: unknown }).flush);
  const reset = Boolean((msg as { reset?: unknown }).reset);
  const payload = msg.payload;
  if (Array.isArray(payload)) return { records: payload, batch: true, flush, reset };
  if (isRecord(payload)) return { records: [payload], batch: false, flush, reset };
  if (flush || reset) return { records: [], batch: lastBatch, flush, reset };
  return new RecordError('msg.payload', payload, 'is not a record object or an array of records');
}

/** The properties of the input message that outgoing records carry on (not payload, parts or flags). */
export function carried(msg: NodeMessageInFlow): NodeMessage {
  const rest: Record<string, unknown> = { ...msg };
  for (const k of ['payload', 'parts', '_msgid', 'flush', 'reset']) delete rest[k];
  return rest as NodeMessage;
}

/**
 * Builds the messages for each output in the shape the input had: one
 * message per record, or one message holding an array (none when empty).
 * A control message is passed on last, on output 1, without its records.
 */
export function shapeOutputs(
  msg: NodeMessageInFlow,
  outputs: unknown[][],
  incoming: Incoming,
  reuseInput: boolean,
): Array<NodeMessage[] | null> {
  const base = carried(msg);
  let reused = !reuseInput || incoming.flush || incoming.reset;
  const make = (payload: unknown): NodeMessage => {
    if (!reused) {
      reused = true;
      msg.payload = payload;
      return msg;
    }
    return { ...base, payload } as NodeMessage;
  };
  const result = outputs.map((records) => {
    if (records.length === 0) return [] as NodeMessage[];
    if (incoming.batch) return [make(records)];
    return records.map(make);
  });
  if (incoming.flush || incoming.reset) {
    delete msg.payload;
    result[0].push(msg as NodeMessage);
  }
  return result.map((list) => (list.length === 0 ? null : list));
}

/** One Error for all bad records of a message, naming the first field and value. */
export function summariseErrors(errors: RecordError[], total: number): Error | null {
  if (errors.length === 0) return null;
  const first = errors[0];
  const text =
    errors.length === 1 && total <= 1
      ? `record rejected: ${first.message}`
      : `${errors.length} of ${total} records rejected; first: ${first.message}`;
  const err = new Error(text) as Error & { field?: string; value?: unknown; count?: number };
  err.field = first.field;
  err.count = errors.length;
  return err;
}

/**
 * Node status, refreshed at most every half second (status goes to the
 * editor over a websocket; per-message updates would flood it) and at once
 * on control messages. Wall-clock time only paces the display here.
 */
export class StatusReporter {
  private timer: NodeJS.Timeout | null = null;
  private last = '';

  constructor(
    private readonly node: Node,
    private readonly render: () => NodeStatus,
  ) {}

  update(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.now();
    }, 500);
  }

  now(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const status = this.render();
    const text = JSON.stringify(status);
    if (text !== this.last) {
      this.last = text;
      this.node.status(status);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.last = '';
    this.node.status({});
  }
}

/** Short counts for status text: 950, 12.3k, 4.5M. */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return (n / 1e3).toFixed(n < 1e4 ? 1 : 0) + 'k';
  return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M';
}

/**
 * A number setting from the editor. Absent (a flow written by hand) → the
 * editor's default; '' → `blank` (null for thresholds that can be left off).
 */
export function numberSetting(
  value: unknown,
  name: string,
  fallback: number | null,
  blank: number | null = fallback,
): number | null {
  if (value === undefined || value === null) return fallback;
  if (value === '') return blank;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not "${String(value).slice(0, 40)}"`);
  return n;
}

/** Message catalog lookup with an English fallback (the test helper's RED._ returns the key). */
export function translate(RED: NodeAPI, key: string, fallback: string, vars?: Record<string, unknown>): string {
  const text = RED._(key, vars as never);
  if (text && text !== key) return text;
  return fallback.replace(/__(\w+)__/g, (_, name: string) => String(vars?.[name] ?? ''));
}

/** What a record-processing node contributes; the plumbing around it is shared. */
export interface RecordNodeSpec<S> {
  /** node type, for messages */
  type: string;
  /** builds the node's state from its settings; throws with a readable reason when they are invalid */
  create(): S;
  status(state: S): NodeStatus;
  /** `msg.reset`: forget state and counters */
  reset(state: S): void;
  /** processes the records of one message (and a flush); returns what goes to each output */
  handle(state: S, incoming: Incoming): { outputs: unknown[][]; errors: RecordError[] };
  /** whether the first outgoing message may be the input message itself (1:1 nodes) */
  reuseInput(incoming: Incoming): boolean;
  /** last touches on the outgoing messages (e.g. an alert's topic) */
  decorate?(state: S, messages: Array<NodeMessage[] | null>, incoming: Incoming, input: NodeMessageInFlow): void;
}

/**
 * The shared controller of the record nodes: settings errors shown on the
 * node, records read in either shape, control messages passed on last, one
 * Catch-visible error per message with bad records, throttled status, and a
 * close handler. Each node supplies only its state and its step.
 */
export function runRecordNode<S>(RED: NodeAPI, node: Node, spec: RecordNodeSpec<S>): void {
  let state: S | null = null;
  try {
    state = spec.create();
  } catch (err) {
    node.error(translate(RED, `${spec.type}.errors.config`, 'invalid setting: __reason__', { reason: (err as Error).message }));
    node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
  }
  const status = new StatusReporter(node, () => spec.status(state as S));
  let lastBatch = false; // shape of the last records, for what a flush releases

  node.on('input', (msg, send, done) => {
    if (state === null) return done(new Error(`${spec.type}: invalid settings, see the node`));
    const incoming = readIncoming(msg, lastBatch);
    if (incoming instanceof Error) return done(incoming);
    if (incoming.records.length > 0) lastBatch = incoming.batch;
    if (incoming.reset) spec.reset(state);
    const { outputs, errors } = spec.handle(state, incoming);
    const messages = shapeOutputs(msg, outputs, incoming, spec.reuseInput(incoming));
    spec.decorate?.(state, messages, incoming, msg);
    send(messages);
    const error = summariseErrors(errors, incoming.records.length);
    if (error) node.error(error, msg);
    if (incoming.flush || incoming.reset) status.now();
    else status.update();
    done();
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    status.close();
    done();
  });
}

/**
 * Reports cap evictions with node.warn at most once per minute of event time
 * (never once per record): how many since the last report, and the cap.
 */
export class EvictionReporter {
  private reported = 0;
  private lastMinute = -Infinity;

  constructor(
    private readonly node: Node,
    private readonly what: string,
  ) {}

  check(total: number, eventSeconds: number | null, cap: number): void {
    if (total <= this.reported) return;
    const minute = eventSeconds === null ? this.lastMinute + 1 : Math.floor(eventSeconds / 60);
    if (minute <= this.lastMinute) return;
    this.node.warn(`${total - this.reported} ${this.what} (cap ${cap}) since the last report; raise the cap or narrow the input`);
    this.reported = total;
    this.lastMinute = minute;
  }

  reset(): void {
    this.reported = 0;
    this.lastMinute = -Infinity;
  }
}
