export * from './pair-types';
export * from './pair-history';
export * from './pair-hunt';
export type { PairHistoryState } from './pair-snapshot';
export type { PairFacts } from './pair-rows';
export { KeyCodes } from './key-codes';
