export { registrableDomain } from './domain';
export { DEFAULT_NAME_TABLE_OPTIONS, NameHit, NameTable, NameTableOptions } from './name-table';
export { connectionKey, DEFAULT_KEY_OPTIONS, KeyMode, KeyOptions, queryKey } from './keys';
export {
  CSL_NAME_FIELDS,
  DEFAULT_RESOLVER_OPTIONS,
  isScored,
  NameResolver,
  Observation,
  ResolverFields,
  ResolverOptions,
  WIRE_DATA_NAME_FIELDS,
} from './resolver';
