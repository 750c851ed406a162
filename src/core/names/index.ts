export { registrableDomain } from './domain';
export { DEFAULT_NAME_TABLE_OPTIONS, NameHit, NameTable, NameTableOptions } from './name-table';
export { CSL_NAME_FIELDS, DEFAULT_RESOLVER_OPTIONS, NameResolver, Observation, ResolverFields, ResolverOptions, WIRE_DATA_NAME_FIELDS } from './resolver';
