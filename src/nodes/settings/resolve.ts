import { choice, NAME, persistenceRows, SettingsTable } from './table';

const SECONDS = 7 * 86400;

/** beacon-resolve's settings. */
export const RESOLVE: SettingsTable = {
  name: NAME,
  /** which columns: auto (per record), WireData or CommonSecurityLog */
  table: choice('table', ['auto', 'WireData', 'CommonSecurityLog'], { icon: 'table' }),
  graceSeconds: {
    type: 'integer',
    value: 300,
    blank: 300,
    min: 0,
    max: SECONDS,
    error: 'seconds',
    row: { icon: 'clock-o', width: '90px', placeholder: '300' },
  },
  observedTtlSeconds: {
    type: 'integer',
    value: 3600,
    blank: 3600,
    min: 0,
    max: SECONDS,
    error: 'seconds',
    row: { icon: 'eye', width: '90px', placeholder: '3600' },
  },
  maxMiB: { type: 'integer', value: 32, blank: 32, min: 1, max: 65536, error: 'memory', row: { icon: 'database', width: '90px', placeholder: '32' } },
  /** cloud tenants are their own registrable domain (the Public Suffix List's private section) */
  privateDomains: { type: 'boolean', value: true, error: 'boolean', row: { icon: 'cloud', input: 'checkbox', unit: 'privateDomainsText' } },
  ...persistenceRows('checkpoint'),
};
