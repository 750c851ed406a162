/**
 * The registrable domain of a host name (example.co.uk for a.b.example.co.uk)
 * from the Public Suffix List, through tldts, which ships the list compiled
 * in. The private section of the list counts (x.azurewebsites.net,
 * y.cloudfront.net are each their own domain) unless turned off: otherwise
 * every tenant of a cloud platform would be one "domain", and a C2 hosted
 * there would share its key, and its allow-list entries, with everyone's.
 */
import { getDomain } from 'tldts';
import { isAddressLiteral } from '../parse/host';

const PRIVATE = { allowPrivateDomains: true, extractHostname: false, validateHostname: true } as const;
const ICANN = { allowPrivateDomains: false, extractHostname: false, validateHostname: true } as const;

/** The registrable domain, or null for addresses, single labels (localhost, intranet names) and public suffixes themselves. */
export function registrableDomain(host: string, privateDomains = true): string | null {
  if (host === '' || isAddressLiteral(host)) return null;
  return getDomain(host, privateDomains ? PRIVATE : ICANN);
}
