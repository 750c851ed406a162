import { choice, cidrList, NAME, networkPrefixes, persistenceRows, SettingsTable } from './table';

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
  /** keys by name: off (no key column), the host name, or its registrable domain; DNS queries are keyed by domain */
  key: {
    type: 'enum',
    value: 'off',
    blank: 'off',
    values: ['off', 'name', 'domain'],
    error: 'key',
    row: { icon: 'key', input: 'select', options: 'key', width: '70%' },
  },
  /** the network a destination without a name is keyed by: IPv4 bits, IPv6 bits */
  keyNetwork: {
    type: 'string',
    value: '24, 48',
    error: 'networkPrefix',
    check: networkPrefixes('networkPrefix'),
    row: { icon: 'sitemap', width: '100px', placeholder: '24, 48' },
  },
  /** the site's DNS servers and the resolver's own host: their queries are not a client's */
  excludeQueriers: { type: 'string', value: '', check: cidrList('badCidr'), row: { icon: 'ban', width: '70%', placeholder: '@noExclusion' } },
  ...persistenceRows('checkpoint'),
};
