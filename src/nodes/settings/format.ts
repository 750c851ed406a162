import { choice, NAME, SettingsTable } from './table';

const SYSLOG = 'netbeacon-format-syslog';

/** beacon-format's settings (the formats and framings are core/alert's ALERT_FORMATS and FRAMINGS; a test holds them equal). */
export const FORMAT: SettingsTable = {
  name: NAME,
  format: choice('format', ['email', 'slack', 'teams', 'ecs', 'cef', 'syslog'], { icon: 'file-text-o' }),
  /** the rule's name in the text; empty: the scorer's title (msg.rule.name) */
  title: { type: 'string', value: '', row: { icon: 'bookmark-o', width: '70%', placeholder: '@noTitle' } },
  /** syslog HOSTNAME; empty: this machine's name */
  hostname: { type: 'string', value: '', row: { icon: 'server', width: '70%', placeholder: '@noHostname', group: SYSLOG } },
  // RFC 5424 APP-NAME: 1-48 printable US-ASCII characters
  appName: {
    type: 'string',
    value: 'netbeacon',
    blank: 'netbeacon',
    error: 'appName',
    check: (text) => (/^[\x21-\x7e]{1,48}$/.test(text) ? null : { error: 'appName' }),
    row: { icon: 'tag', width: '150px', placeholder: 'netbeacon', group: SYSLOG },
  },
  facility: {
    type: 'integer',
    value: 4,
    blank: 4,
    min: 0,
    max: 23,
    error: 'facility',
    row: { icon: 'sort-numeric-asc', width: '70px', placeholder: '4', group: SYSLOG },
  },
  /** e-mail and chat: one message for all rows of a scorer message */
  digest: { type: 'boolean', value: false, error: 'boolean', row: { icon: 'list', input: 'checkbox', unit: 'digestHint', group: 'netbeacon-format-person' } },
  /** SIEM formats on a TCP stream: '' (none), 'newline' or 'octet' (RFC 6587) */
  framing: choice('framing', ['', 'newline', 'octet'], { icon: 'align-justify', group: 'netbeacon-format-siem' }, { required: false }),
};
