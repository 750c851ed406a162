/** The detection core, free of Node-RED: usable from scripts, benchmarks and other runtimes. */
export * from './address';
export * from './certainty';
export * from './delta';
export * from './histogram';
export * from './ip-filter';
export * from './partition';
export * from './records';
export * from './scorer';
export * from './snapshot';
export * from './time';
