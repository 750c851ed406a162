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

/** The persistence settings of a node (store, checkpointEvery); a blank store means none. */
export function persistenceSettings(settings: { text(key: string): string; number(key: string): number }): PersistenceSettings | null {
  const store = settings.text('store');
  return store ? { store, everySeconds: settings.number('checkpointEvery') } : null;
}

/**
 * Why the named store will not keep a node's state across a restart, or
 * null. Node-RED replaces a store that settings.js `contextStorage` does not
 * name with its default store (memory unless configured): nothing breaks,
 * but a restart forgets the state, the cells already notified included.
 */
export function unconfiguredStore(contextStorage: unknown, store: string): string | null {
  const stores = contextStorage && typeof contextStorage === 'object' ? Object.keys(contextStorage) : [];
  if (store === 'default' || stores.includes(store)) return null;
  return (
    `context store "${store}" is not in settings.js contextStorage (${stores.length ? `it has ${stores.join(', ')}` : 'none configured'}): ` +
    "the state is kept in Node-RED's default store instead, in memory unless configured, so a restart forgets it and notifies its alerts again; " +
    `add ${store}: { module: 'localfilesystem' } to contextStorage (npm start's settings.js has it)`
  );
}

/** Warns, as the node starts, about a store settings.js lacks. */
export function warnUnconfiguredStore(node: Node, contextStorage: unknown, store: string): void {
  const why = unconfiguredStore(contextStorage, store);
  if (why !== null) node.warn(why);
}
