/** The detection core, free of Node-RED: usable from scripts, benchmarks and other runtimes. */
export * from './common/address';
export * from './scorer/early-alerts';
export * from './delta/delta';
export * from './histogram';
export * from './filter/ip-filter';
export * from './partition/partition';
export * from './common/records';
export * from './scorer/scorer';
export * from './common/snapshot';
export * from './common/time';
