/**
 * CommonSecurityLog columns filled from CEF extension keys (Microsoft's CEF
 * name mapping), and a setter with one named store per column.
 *
 * Why a switch: V8 turns an object into a slow dictionary once more than a
 * dozen properties are added through computed names (record[column] = v),
 * which CEF records, with 20 to 60 columns, always were; every later read,
 * copy and added property of such a record is several times slower, down the
 * whole flow. A named store (record.SourceIP = v) keeps the object fast.
 */
import { LogRecord } from '../common/records';

/** [CEF key, column], in the order of the cases of setCslColumn. */
export const CEF_KEY_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['act', 'DeviceAction'],
  ['app', 'ApplicationProtocol'],
  ['cat', 'DeviceEventCategory'],
  ['cnt', 'EventCount'],
  ['deviceExternalId', 'DeviceExternalID'],
  ['dhost', 'DestinationHostName'],
  ['dmac', 'DestinationMACAddress'],
  ['dpt', 'DestinationPort'],
  ['dst', 'DestinationIP'],
  ['duid', 'DestinationUserID'],
  ['duser', 'DestinationUserName'],
  ['dvc', 'DeviceAddress'],
  ['dvchost', 'DeviceName'],
  ['externalId', 'ExternalID'],
  ['msg', 'Message'],
  ['proto', 'Protocol'],
  ['reason', 'Reason'],
  ['request', 'RequestURL'],
  ['rt', 'ReceiptTime'],
  ['shost', 'SourceHostName'],
  ['smac', 'SourceMACAddress'],
  ['spt', 'SourcePort'],
  ['src', 'SourceIP'],
  ['suid', 'SourceUserID'],
  ['suser', 'SourceUserName'],
  ['start', 'StartTime'],
  ['end', 'EndTime'],
  ['sourceTranslatedAddress', 'SourceTranslatedAddress'],
  ['destinationTranslatedAddress', 'DestinationTranslatedAddress'],
  ['sourceTranslatedPort', 'SourceTranslatedPort'],
  ['destinationTranslatedPort', 'DestinationTranslatedPort'],
  ['deviceInboundInterface', 'DeviceInboundInterface'],
  ['deviceOutboundInterface', 'DeviceOutboundInterface'],
  ['cs1', 'DeviceCustomString1'],
  ['cs2', 'DeviceCustomString2'],
  ['cs3', 'DeviceCustomString3'],
  ['cs4', 'DeviceCustomString4'],
  ['cs5', 'DeviceCustomString5'],
  ['cs6', 'DeviceCustomString6'],
  ['cs1Label', 'DeviceCustomString1Label'],
  ['cs2Label', 'DeviceCustomString2Label'],
  ['cs3Label', 'DeviceCustomString3Label'],
  ['cs4Label', 'DeviceCustomString4Label'],
  ['cs5Label', 'DeviceCustomString5Label'],
  ['cs6Label', 'DeviceCustomString6Label'],
  ['cn1', 'DeviceCustomNumber1'],
  ['cn2', 'DeviceCustomNumber2'],
  ['cn3', 'DeviceCustomNumber3'],
  ['cn1Label', 'DeviceCustomNumber1Label'],
  ['cn2Label', 'DeviceCustomNumber2Label'],
  ['cn3Label', 'DeviceCustomNumber3Label'],
  ['flexString1', 'FlexString1'],
  ['flexString1Label', 'FlexString1Label'],
  ['flexNumber1', 'FlexNumber1'],
  ['flexNumber1Label', 'FlexNumber1Label'],
];

/** Sets the column CEF_KEY_COLUMNS[index][1] of r. */
export function setCslColumn(r: LogRecord, index: number, v: unknown): void {
  switch (index) {
    case 0:
      r.DeviceAction = v;
      return;
    case 1:
      r.ApplicationProtocol = v;
      return;
    case 2:
      r.DeviceEventCategory = v;
      return;
    case 3:
      r.EventCount = v;
      return;
    case 4:
      r.DeviceExternalID = v;
      return;
    case 5:
      r.DestinationHostName = v;
      return;
    case 6:
      r.DestinationMACAddress = v;
      return;
    case 7:
      r.DestinationPort = v;
      return;
    case 8:
      r.DestinationIP = v;
      return;
    case 9:
      r.DestinationUserID = v;
      return;
    case 10:
      r.DestinationUserName = v;
      return;
    case 11:
      r.DeviceAddress = v;
      return;
    case 12:
      r.DeviceName = v;
      return;
    case 13:
      r.ExternalID = v;
      return;
    case 14:
      r.Message = v;
      return;
    case 15:
      r.Protocol = v;
      return;
    case 16:
      r.Reason = v;
      return;
    case 17:
      r.RequestURL = v;
      return;
    case 18:
      r.ReceiptTime = v;
      return;
    case 19:
      r.SourceHostName = v;
      return;
    case 20:
      r.SourceMACAddress = v;
      return;
    case 21:
      r.SourcePort = v;
      return;
    case 22:
      r.SourceIP = v;
      return;
    case 23:
      r.SourceUserID = v;
      return;
    case 24:
      r.SourceUserName = v;
      return;
    case 25:
      r.StartTime = v;
      return;
    case 26:
      r.EndTime = v;
      return;
    case 27:
      r.SourceTranslatedAddress = v;
      return;
    case 28:
      r.DestinationTranslatedAddress = v;
      return;
    case 29:
      r.SourceTranslatedPort = v;
      return;
    case 30:
      r.DestinationTranslatedPort = v;
      return;
    case 31:
      r.DeviceInboundInterface = v;
      return;
    case 32:
      r.DeviceOutboundInterface = v;
      return;
    case 33:
      r.DeviceCustomString1 = v;
      return;
    case 34:
      r.DeviceCustomString2 = v;
      return;
    case 35:
      r.DeviceCustomString3 = v;
      return;
    case 36:
      r.DeviceCustomString4 = v;
      return;
    case 37:
      r.DeviceCustomString5 = v;
      return;
    case 38:
      r.DeviceCustomString6 = v;
      return;
    case 39:
      r.DeviceCustomString1Label = v;
      return;
    case 40:
      r.DeviceCustomString2Label = v;
      return;
    case 41:
      r.DeviceCustomString3Label = v;
      return;
    case 42:
      r.DeviceCustomString4Label = v;
      return;
    case 43:
      r.DeviceCustomString5Label = v;
      return;
    case 44:
      r.DeviceCustomString6Label = v;
      return;
    case 45:
      r.DeviceCustomNumber1 = v;
      return;
    case 46:
      r.DeviceCustomNumber2 = v;
      return;
    case 47:
      r.DeviceCustomNumber3 = v;
      return;
    case 48:
      r.DeviceCustomNumber1Label = v;
      return;
    case 49:
      r.DeviceCustomNumber2Label = v;
      return;
    case 50:
      r.DeviceCustomNumber3Label = v;
      return;
    case 51:
      r.FlexString1 = v;
      return;
    case 52:
      r.FlexString1Label = v;
      return;
    case 53:
      r.FlexNumber1 = v;
      return;
    case 54:
      r.FlexNumber1Label = v;
      return;
  }
}

// the cases and the table must agree: checked once when the module loads
CEF_KEY_COLUMNS.forEach(([, column], i) => {
  const probe: LogRecord = {};
  setCslColumn(probe, i, i);
  if (probe[column] !== i) throw new Error(`setCslColumn case ${i} does not set ${column}`);
});
