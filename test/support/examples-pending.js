'use strict';
/** Examples another branch (syslogin) is rewiring; laid out by dev/complete-examples.js once it has landed. */
module.exports = new Set([
  'Palo Alto beaconing from CEF over UDP syslog.json',
  'Palo Alto beaconing from PAN-OS CSV over TCP syslog.json',
  'WireData beaconing from Zeek JSON over TCP.json',
]);
