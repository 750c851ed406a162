/**
 * The shared plumbing of the node wrappers, one concern a module under
 * support/; this index keeps the one import path the nodes use.
 */
export {
  controlFlags,
  carried,
  errorMessage,
  outputWired,
  readIncoming,
  sendEach,
  shapeOutputs,
  summariseErrors,
} from './support/messages';
export type { ControlFlags, Incoming } from './support/messages';
export { compact, StatusReporter } from './support/status';
export { translate } from './support/i18n';
export { configure, refusedInput, refuseSettings } from './support/invalid-settings';
export { runRecordNode, SELF_SNAPSHOT } from './support/record-node';
export type { Persistable, RecordNodeSpec } from './support/record-node';
export { EvictionReporter } from './support/eviction';
