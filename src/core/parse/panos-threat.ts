/**
 * PAN-OS native CSV THREAT lines (the URL Filtering log is the THREAT type,
 * subtype `url`). Positions from Palo Alto's "Threat Log Fields" syslog
 * field descriptions (PAN-OS 9.1-11.x): the first 31 fields are the TRAFFIC
 * log's; then URL/Filename (31), Threat ID (32), Category (33), Severity
 * (34), Direction (35), Content Type (41), User Agent (46), X-Forwarded-For
 * (48), Referer (49), Device Name (59), HTTP Method (63).
 * Read into CommonSecurityLog names as Microsoft's CEF mapping has them
 * (request → RequestURL, requestClientApplication, requestMethod,
 * requestContext), with the URL's host in DestinationHostName.
 */
import { LogRecord } from '../common/records';
import { CsvFields, trimmedField } from './csv-line';
import { isAddressLiteral, urlHost } from './host';
import { integer, panosSharedColumns } from './mappings';

const SESSION_SUBTYPES = new Set(['start', 'end', 'drop', 'deny']);

/**
 * Whether a PAN-OS CSV line has the THREAT layout: type THREAT and a threat
 * subtype. A THREAT line with a session subtype (start/end/drop/deny) is a
 * TRAFFIC line relabelled, as the traffic generator writes its decoys for
 * the rules' Activity filter, and keeps the TRAFFIC reading.
 */
export function isThreatLayout(f: CsvFields): boolean {
  return f.at(3) === 'THREAT' && !SESSION_SUBTYPES.has(f.at(4) as string);
}

export function panosThreatCsvToCommonSecurityLog(f: CsvFields, host: string | null): LogRecord {
  const get = (i: number) => trimmedField(f, i);
  const r = panosSharedColumns(f, host, 59);
  // field 4, read once
  const subtype = r.DeviceEventClassID;
  r.LogSeverity = get(34);
  r.DeviceCustomString2 = get(33);
  r.ThreatID = get(32);
  r.RequestClientApplication = get(46);
  r.RequestMethod = get(63);
  r.RequestContext = get(49);
  const sourcePort = integer(f.at(24));
  if (sourcePort !== undefined) r.SourcePort = sourcePort;
  const destinationPort = integer(f.at(25));
  if (destinationPort !== undefined) r.DestinationPort = destinationPort;
  const misc = get(31);
  // URL/Filename holds a URL for the url subtype (and for wildfire links), a file name for the others
  if (subtype === 'url') {
    r.RequestURL = misc;
    const { host: name } = urlHost(misc);
    if (name !== '' && !isAddressLiteral(name)) r.DestinationHostName = name;
  } else if (misc !== '') {
    r.FileName = misc;
  }
  return r;
}
