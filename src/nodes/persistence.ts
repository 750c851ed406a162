import type { Node } from 'node-red';

/** The context key under which a node keeps its state. */
export const STATE_KEY = 'netbeacon-state';

/** Where and how often a node saves its state; no store = memory only, lost on restart. */
export interface PersistenceSettings {
  store: string;
  everySeconds: number;
}

/**
 * A node's state in a Node-RED context store, through the asynchronous
 * context API (callbacks), so file and custom stores work. Writes are
 * chained: a later snapshot never lands before an earlier one.
 */
export class ContextState {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly node: Node,
    readonly store: string,
  ) {}

  load(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.node.context().get(STATE_KEY, this.store, (err: Error | undefined, value: unknown) => (err ? reject(err) : resolve(value)));
    });
  }

  save(value: unknown): Promise<void> {
    this.writes = this.writes.catch(() => undefined).then(() => this.write(value));
    return this.writes;
  }

  remove(): Promise<void> {
    return this.save(undefined);
  }

  private write(value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.node.context().set(STATE_KEY, value, this.store, (err?: Error) => (err ? reject(err) : resolve()));
    });
  }
}

/** Reads the persistence settings of a node; a blank store means none. */
export function persistenceSettings(store: unknown, every: unknown): PersistenceSettings | null {
  const name = typeof store === 'string' ? store.trim() : '';
  if (!name) return null;
  const n = every === undefined || every === null || every === '' ? 60 : Number(every);
  if (!Number.isFinite(n) || n < 0) throw new Error(`checkpoint interval must be a number of seconds ≥ 0, not "${String(every).slice(0, 40)}"`);
  return { store: name, everySeconds: n };
}
