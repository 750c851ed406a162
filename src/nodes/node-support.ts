import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { describeValue, isRecord, RecordError } from '../core/common/records';
import { ContextState, PersistenceSettings } from './persistence';

/** What an input message carries: records, control flags, and the shape to answer in. */
export interface Incoming {
  records: unknown[];
  /** payload was an array: answer with arrays */
  batch: boolean;
  flush: boolean;
  reset: boolean;
  /** `msg.checkpoint`: stateful nodes save their state before passing the message on */
  checkpoint: boolean;
  /** any of the three: the message itself is passed on last */
  control: boolean;
}

/**
 * Reads records from `msg.payload`: one object, or an array of them. A
 * control message (`msg.flush` / `msg.reset` / `msg.checkpoint`) may carry no records at all;
 * what it releases then takes the shape of the last records seen
 * (`lastBatch`). Any other payload is an error the caller reports.
 */
export function readIncoming(msg: NodeMessageInFlow, lastBatch = false): Incoming | RecordError {
  const flags = msg as { flush?: unknown; reset?: unknown; checkpoint?: unknown };
  const flush = Boolean(flags.flush);
  const reset = Boolean(flags.reset);
  const checkpoint = Boolean(flags.checkpoint);
  const control = flush || reset || checkpoint;
  const payload = msg.payload;
  if (Array.isArray(payload)) return { records: payload, batch: true, flush, reset, checkpoint, control };
  if (isRecord(payload)) return { records: [payload], batch: false, flush, reset, checkpoint, control };
  if (control) return { records: [], batch: lastBatch, flush, reset, checkpoint, control };
  return new RecordError('msg.payload', payload, 'is not a record object or an array of records');
}

const CONTROL_AND_PAYLOAD = ['payload', 'parts', '_msgid', 'flush', 'reset', 'checkpoint'];

/** The properties of the input message that outgoing records carry on (not payload, parts or flags). */
export function carried(msg: NodeMessageInFlow): NodeMessage {
  const rest: Record<string, unknown> = { ...msg };
  for (const k of CONTROL_AND_PAYLOAD) delete rest[k];
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
  let base: NodeMessage | null = null; // made only when a second message is needed (the single-record path skips it)
  let reused = !reuseInput || incoming.control;
  const make = (payload: unknown): NodeMessage => {
    if (!reused) {
      reused = true;
      msg.payload = payload;
      return msg;
    }
    base ??= carried(msg);
    return { ...base, payload } as NodeMessage;
  };
  const result = outputs.map((records) => {
    if (records.length === 0) return [] as NodeMessage[];
    if (incoming.batch) return [make(records)];
    return records.map(make);
  });
  if (incoming.control) {
    delete msg.payload;
    result[0].push(msg as NodeMessage);
  }
  return result.map((list) => (list.length === 0 ? null : list));
}

/**
 * Sends each message in a call of its own, outputs in order and control
 * messages last as given. Node-RED deep-clones every message after the
 * first of one send() call (it cannot know they are not shared); ours are
 * new objects, so one call per message saves a clone of every row or batch.
 */
export function sendEach(send: (msg: Array<NodeMessage | NodeMessage[] | null>) => void, messages: Array<NodeMessage[] | null>): void {
  for (let i = 0; i < messages.length; i++) {
    const list = messages[i];
    if (!list) continue;
    for (const m of list) {
      const out: Array<NodeMessage | null> = new Array(messages.length).fill(null);
      out[i] = m;
      send(out);
    }
  }
}

/**
 * One Error for all bad records of a message, naming the first field, its
 * value (cut short) and, given the records, the first bad record's position.
 */
export function summariseErrors(errors: RecordError[], total: number, records?: readonly unknown[]): Error | null {
  if (errors.length === 0) return null;
  const first = errors[0];
  const position = records ? positionOf(records, first) : -1;
  const where = position >= 0 && total > 1 ? ` (record ${position + 1})` : '';
  const text =
    errors.length === 1 && total <= 1
      ? `record rejected: ${first.message}`
      : `${errors.length} of ${total} records rejected; first: ${first.message}${where}`;
  const err = new Error(text) as Error & { field?: string; value?: string; count?: number; position?: number };
  err.field = first.field;
  err.value = describeValue(first.value, 120);
  err.count = errors.length;
  if (position >= 0) err.position = position + 1;
  return err;
}

/** Where the record a RecordError is about stands in the batch (errors are found in record order), or -1. */
function positionOf(records: readonly unknown[], error: RecordError): number {
  if (error.field === 'record' || error.field === 'row') return records.indexOf(error.value);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (isRecord(r) && r[error.field] === error.value) return i;
  }
  return -1;
}

/**
 * The message an error about `msg` takes to Catch nodes: the message's id
 * and topic and what went wrong (text, field, position, the value cut
 * short), never its payload. Node-RED clones the message for each Catch
 * node, and a batch can be large or nested deep enough to overflow the
 * stack when cloned, so the error would never arrive.
 */
export function errorMessage(msg: NodeMessageInFlow | NodeMessage, err: Error): NodeMessage {
  const detail = err as Error & { field?: string; value?: string; count?: number; position?: number };
  const out: Record<string, unknown> = { _msgid: msg._msgid, payload: err.message };
  if (typeof msg.topic === 'string') out.topic = msg.topic.slice(0, 200);
  for (const k of ['field', 'value', 'count', 'position'] as const) if (detail[k] !== undefined) out[k] = detail[k];
  return out as NodeMessage;
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

/**
 * Whether anything is wired to output `port` now (Node-RED keeps a node's
 * current wires on it and rewires a running node in place). A wire to a
 * disabled node counts: hooks such as the Beacons sidebar still see what
 * is sent on it.
 */
export function outputWired(node: Node, port: number): boolean {
  const wires = (node as Node & { wires?: string[][] }).wires;
  return Array.isArray(wires) && Array.isArray(wires[port]) && wires[port].length > 0;
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

/** A stateful node's state in and out of a context store. */
export interface Persistable<S> {
  /** the node's store settings (throws on invalid ones); null = memory only */
  settings(): PersistenceSettings | null;
  snapshot(state: S): unknown;
  /** replaces the state with a saved one; throws with the reason when it cannot */
  restore(state: S, saved: unknown): void;
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
  /** stateful nodes: keeping state in a context store */
  persist?: Persistable<S>;
}

type Send = (msg: Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

/**
 * The shared controller of the record nodes: settings errors shown on the
 * node, records read in either shape, control messages passed on last, one
 * Catch-visible error per message with bad records, throttled status, and a
 * close handler. Each node supplies only its state and its step.
 *
 * A stateful node with a context store restores its state before the first
 * message (messages arriving meanwhile wait in order, none is lost), saves
 * it every few seconds while records flow, on `msg.checkpoint` (the message
 * is passed on once the store has it, so it doubles as a barrier) and on
 * close; a node removed from the flow deletes its saved state.
 */
export function runRecordNode<S>(RED: NodeAPI, node: Node, spec: RecordNodeSpec<S>): void {
  let state: S | null = null;
  let persistence: PersistenceSettings | null = null;
  try {
    state = spec.create();
    persistence = spec.persist?.settings() ?? null;
  } catch (err) {
    state = null;
    node.error(translate(RED, `${spec.type}.errors.config`, 'invalid setting: __reason__', { reason: (err as Error).message }));
    node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
  }
  const status = new StatusReporter(node, () => spec.status(state as S));
  const store = state !== null && persistence && spec.persist ? new ContextState(node, persistence.store) : null;
  let lastBatch = false; // shape of the last records, for what a flush releases
  const waiting: Array<[NodeMessageInFlow, Send, Done]> = [];
  let blocker: Promise<void> | null = null; // a restore or checkpoint the next messages wait for
  let changed = false;

  const snapshot = (): unknown => (spec.persist as Persistable<S>).snapshot(state as S);
  /** An error about the whole message (reaches Catch nodes without a copy of the message). */
  const fail = (msg: NodeMessageInFlow, err: Error, done: Done): void => {
    node.error(err, errorMessage(msg, err));
    done();
  };
  const saveFailed = (err: Error) => node.error(`could not save state to context store "${store?.store}": ${err.message}`);

  /** Runs an asynchronous step that later messages must wait for; then works off the queue. */
  function block(step: Promise<void>): void {
    blocker = step.finally(() => {
      blocker = null;
      while (!blocker && waiting.length > 0) process(...(waiting.shift() as [NodeMessageInFlow, Send, Done]));
    });
  }

  function process(msg: NodeMessageInFlow, send: Send, done: Done): void {
    if (state === null) return fail(msg, new Error(`${spec.type}: invalid settings, see the node`), done);
    const incoming = readIncoming(msg, lastBatch);
    if (incoming instanceof Error) return fail(msg, incoming, done);
    if (incoming.records.length > 0) lastBatch = incoming.batch;
    if (incoming.reset) spec.reset(state);
    const { outputs, errors } = spec.handle(state, incoming);
    changed = true;
    const messages = shapeOutputs(msg, outputs, incoming, spec.reuseInput(incoming));
    spec.decorate?.(state, messages, incoming, msg);
    const finish = () => {
      sendEach(send, messages);
      const error = summariseErrors(errors, incoming.records.length, incoming.records);
      if (error) node.error(error, errorMessage(msg, error));
      if (incoming.control) status.now();
      else status.update();
      done();
    };
    if (incoming.checkpoint && store) {
      changed = false;
      block(store.save(snapshot()).catch(saveFailed).then(finish));
    } else finish();
  }

  node.on('input', (msg, send, done) => {
    if (blocker || waiting.length > 0) waiting.push([msg, send, done]);
    else process(msg, send, done);
  });

  let timer: NodeJS.Timeout | null = null;
  if (store && persistence) {
    node.status({ fill: 'blue', shape: 'ring', text: `restoring from ${persistence.store}…` });
    block(
      store.load().then(
        (saved) => {
          if (saved === undefined || saved === null) return status.now();
          try {
            (spec.persist as Persistable<S>).restore(state as S, saved);
            node.log(`state restored from context store "${store.store}"`);
          } catch (err) {
            node.warn(`starting with empty state: ${(err as Error).message}`);
          }
          status.now();
        },
        (err: Error) => {
          node.warn(`starting with empty state: could not read context store "${store.store}": ${err.message}`);
          status.now();
        },
      ),
    );
    if (persistence.everySeconds > 0) {
      // wall-clock pacing of saves only; what is detected never depends on it
      timer = setInterval(() => {
        if (!changed || blocker) return;
        changed = false;
        store.save(snapshot()).catch(saveFailed);
      }, persistence.everySeconds * 1000);
      timer.unref?.();
    }
  }

  node.on('close', (removed: boolean, done: () => void) => {
    if (timer) clearInterval(timer);
    status.close();
    if (!store) return done();
    const settle = async () => {
      while (blocker) await blocker; // queued messages are worked off first
      if (removed) await store.remove();
      else await store.save(snapshot());
    };
    settle()
      .catch((err: Error) => node.error(`could not ${removed ? 'delete' : 'save'} state in context store "${store.store}": ${err.message}`))
      .finally(() => done());
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
