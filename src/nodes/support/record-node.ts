import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { RecordError } from '../../core/common/records';
import { ContextState, persistenceSettings, PersistenceSettings, warnUnconfiguredStore } from './persistence';
import { NodeSettings, readSettings } from '../settings/read';
import { catalog } from './i18n';
import { carried, errorMessage, Incoming, readIncoming, sendEach, shapeOutputs, summariseErrors } from './messages';
import { StatusReporter } from './status';
import { refusedInput, refuseSettings } from './invalid-settings';

/** A stateful node's state in and out of a context store. */
export interface Persistable<S> {
  snapshot(state: S): unknown;
  /** replaces the state with a saved one; throws with the reason when it cannot */
  restore(state: S, saved: unknown): void;
}

/** The persistence of a state that snapshots and restores itself (the delta's and the histogram's). */
export const SELF_SNAPSHOT: Persistable<{ snapshot(): unknown; restore(saved: unknown): void }> = {
  snapshot: (s) => s.snapshot(),
  restore: (s, saved) => s.restore(saved),
};

/** What a record-processing node contributes; the plumbing around it is shared. */
export interface RecordNodeSpec<S> {
  /** node type: its settings table and its messages */
  type: string;
  /** builds the node's state from its checked settings; throws with a readable reason when they cannot be used */
  create(settings: NodeSettings): S;
  status(state: S): NodeStatus;
  /** `msg.reset`: forget state and counters */
  reset(state: S): void;
  /** processes the records of one message (and a flush); returns what goes to each output */
  handle(state: S, incoming: Incoming): { outputs: unknown[][]; errors: RecordError[] };
  /** whether the first outgoing message may be the input message itself (1:1 nodes) */
  reuseInput(incoming: Incoming): boolean;
  /** last touches on the outgoing messages (e.g. an alert's topic) */
  decorate?(state: S, messages: Array<NodeMessage[] | null>, incoming: Incoming, input: NodeMessageInFlow): void;
  /**
   * Rows released a batch at a time (one message per output and batch, one
   * batch per turn of the event loop, later input waiting meanwhile), so a
   * node holding much state never emits it as one giant message; null when
   * none wait. A control message is passed on after the last batch.
   */
  more?(state: S): unknown[][] | null;
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
 * The settings are read with the node type's table (store and checkpointEvery
 * for a stateful node). A stateful node with a context store restores its state before the first
 * message (messages arriving meanwhile wait in order, none is lost), saves
 * it every few seconds while records flow, on `msg.checkpoint` (the message
 * is passed on once the store has it, so it doubles as a barrier) and on
 * close; a node removed from the flow deletes its saved state.
 */
export function runRecordNode<S>(RED: NodeAPI, node: Node, config: object, spec: RecordNodeSpec<S>): void {
  let state: S | null = null;
  let persistence: PersistenceSettings | null = null;
  try {
    const settings = readSettings(spec.type, config, catalog(RED));
    state = spec.create(settings);
    persistence = spec.persist ? persistenceSettings(settings) : null;
  } catch (err) {
    state = null;
    refuseSettings(RED, node, spec.type, err);
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
    if (state === null) return fail(msg, refusedInput(spec.type), done);
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
      finishRest();
    };
    const finishRest = () => {
      const error = summariseErrors(errors, incoming.records.length, incoming.records);
      if (error) node.error(error, errorMessage(msg, error));
      if (incoming.control) status.now();
      else status.update();
      done();
    };
    const first = spec.more ? spec.more(state) : null;
    if (first) {
      // the control message waits for the last batch: downstream flushes after every row
      const control = incoming.control ? (messages[0]?.pop() ?? null) : null;
      if (messages[0]?.length === 0) messages[0] = null;
      sendEach(send, messages);
      block(
        drain(msg, incoming, first, send).then(() => {
          if (control) sendEach(send, [[control]]);
          if (!(incoming.checkpoint && store)) return finishRest();
          changed = false;
          return store.save(snapshot()).catch(saveFailed).then(finishRest);
        }),
      );
    } else if (incoming.checkpoint && store) {
      changed = false;
      block(store.save(snapshot()).catch(saveFailed).then(finish));
    } else finish();
  }

  /** Sends `first` and every further batch of spec.more, one per turn of the event loop. */
  async function drain(msg: NodeMessageInFlow, incoming: Incoming, first: unknown[][], send: Send): Promise<void> {
    const base = carried(msg);
    for (let outputs: unknown[][] | null = first; outputs; outputs = (spec.more as (s: S) => unknown[][] | null)(state as S)) {
      sendEach(
        send,
        outputs.map((rows) =>
          rows.length === 0 ? null : incoming.batch ? [{ ...base, payload: rows } as NodeMessage] : rows.map((r) => ({ ...base, payload: r }) as NodeMessage),
        ),
      );
      changed = true;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  node.on('input', (msg, send, done) => {
    if (blocker || waiting.length > 0) waiting.push([msg, send, done]);
    else process(msg, send, done);
  });

  let timer: NodeJS.Timeout | null = null;
  if (store && persistence) {
    warnUnconfiguredStore(node, (RED.settings as unknown as { contextStorage?: unknown } | undefined)?.contextStorage, persistence.store);
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
