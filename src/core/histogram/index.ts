// The histogram stage's public face: what the nodes, tools and tests use.
export * from './histogram';
export * from './options';
export * from './output';
export { parsePrevalenceFields, PrevalenceFields } from './prevalence';
