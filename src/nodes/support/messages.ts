import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import { describeValue, isRecord, RecordError } from '../../core/common/records';

/** The control flags of a message: `msg.flush`, `msg.reset`, `msg.checkpoint`, and whether any is set. */
export interface ControlFlags {
  flush: boolean;
  reset: boolean;
  checkpoint: boolean;
  control: boolean;
}

export function controlFlags(msg: object): ControlFlags {
  const m = msg as { flush?: unknown; reset?: unknown; checkpoint?: unknown };
  const flush = Boolean(m.flush);
  const reset = Boolean(m.reset);
  const checkpoint = Boolean(m.checkpoint);
  return { flush, reset, checkpoint, control: flush || reset || checkpoint };
}

/** What an input message carries: records, control flags, and the shape to answer in. */
export interface Incoming extends ControlFlags {
  records: unknown[];
  /** payload was an array: answer with arrays */
  batch: boolean;
}

/**
 * Reads records from `msg.payload`: one object, or an array of them. A
 * control message (`msg.flush` / `msg.reset` / `msg.checkpoint`) may carry no records at all;
 * what it releases then takes the shape of the last records seen
 * (`lastBatch`). Any other payload is an error the caller reports.
 */
export function readIncoming(msg: NodeMessageInFlow, lastBatch = false): Incoming | RecordError {
  const { flush, reset, checkpoint, control } = controlFlags(msg);
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
export function shapeOutputs(msg: NodeMessageInFlow, outputs: unknown[][], incoming: Incoming, reuseInput: boolean): Array<NodeMessage[] | null> {
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
    errors.length === 1 && total <= 1 ? `record rejected: ${first.message}` : `${errors.length} of ${total} records rejected; first: ${first.message}${where}`;
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
 * Whether anything is wired to output `port` now (Node-RED keeps a node's
 * current wires on it and rewires a running node in place). A wire to a
 * disabled node counts: hooks such as the Beacons sidebar still see what
 * is sent on it.
 */
export function outputWired(node: Node, port: number): boolean {
  const wires = (node as Node & { wires?: string[][] }).wires;
  return Array.isArray(wires) && Array.isArray(wires[port]) && wires[port].length > 0;
}
