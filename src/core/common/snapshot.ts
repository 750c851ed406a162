/**
 * Saved state of a stateful stage, as plain JSON data: what a Node-RED
 * context store keeps across restarts. `settings` names the settings the
 * state depends on; state saved under other settings is not restored.
 */
export interface Snapshot<S> {
  format: 'netbeacon-state';
  version: 1;
  stage: string;
  settings: string;
  state: S;
}

/** A deep copy through JSON: the saved data shares nothing with live state, as a file store would see it. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function makeSnapshot<S>(stage: string, settings: unknown, state: S): Snapshot<S> {
  return jsonCopy({ format: 'netbeacon-state', version: 1, stage, settings: JSON.stringify(settings), state });
}

/** The state inside a saved snapshot, or an Error saying why it cannot be used. */
export function openSnapshot<S>(saved: unknown, stage: string, settings: unknown): S | Error {
  const s = saved as Partial<Snapshot<S>> | null;
  if (!s || typeof s !== 'object' || s.format !== 'netbeacon-state') return new Error('saved state is not netbeacon state');
  if (s.version !== 1) return new Error(`saved state has version ${String(s.version)}, this package reads version 1`);
  if (s.stage !== stage) return new Error(`saved state belongs to a ${String(s.stage)} stage, not ${stage}`);
  if (s.settings !== JSON.stringify(settings)) return new Error(`saved state was made with other settings (${String(s.settings)})`);
  if (!s.state || typeof s.state !== 'object') return new Error('saved state is empty');
  return jsonCopy(s.state);
}

export const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null);
