export * from './pair-history';
export { KeyCodes } from './key-codes';
export * from './pair-hunt';
