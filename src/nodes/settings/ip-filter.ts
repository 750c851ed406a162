import { choice, cidrList, NAME, networkPrefixes, SettingsTable } from './table';

/** beacon-ip-filter's settings. */
export const IP_FILTER: SettingsTable = {
  name: NAME,
  field: { type: 'field', value: 'RemoteIP', required: true, error: 'field', row: { icon: 'crosshairs', placeholder: 'RemoteIP' } },
  mode: choice('mode', ['kql', 'public', 'any'], { icon: 'sliders' }),
  sourceField: { type: 'field', value: '', error: 'field', row: { icon: 'sign-out', width: '150px', placeholder: '@noDirection' } },
  networkField: { type: 'field', value: '', error: 'networkField', row: { icon: 'sitemap', width: '150px', placeholder: '@noNetwork' } },
  networkPrefix: {
    type: 'string',
    value: '24, 48',
    error: 'networkPrefix',
    check: networkPrefixes('networkPrefix'),
  },
  internal: { type: 'string', value: '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8', check: cidrList('badCidr'), row: { icon: 'home', width: '70%' } },
  match: {
    type: 'string',
    value: '',
    check: (text) => {
      for (const part of text.split(',')) {
        const p = part.trim();
        if (p !== '' && !(p.indexOf('=') > 0 && p.slice(0, p.indexOf('=')).trim() !== '')) return { error: 'badMatch', vars: { entry: p.slice(0, 40) } };
      }
      return null;
    },
    row: { icon: 'check-square-o', width: '70%', placeholder: 'DeviceVendor=Palo Alto Networks, Activity=TRAFFIC' },
  },
  exclude: {
    type: 'string',
    value: '',
    check: cidrList('badCidr'),
    row: { icon: 'ban', input: 'textarea', lines: 3, width: '70%', placeholder: '17.253.0.0/16, 2606:4700::/32' },
  },
};
