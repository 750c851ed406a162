/**
 * CommonSecurityLog columns filled from CEF extension keys (Microsoft's CEF
 * name mapping), and a setter with one named store per column (CEF records
 * have 20 to 60 columns: computed stores would make them slow dictionaries).
 */
import { ColumnSetter, columnSetter } from './named-columns';

/** [CEF key, column]; a column's index here is its index for setCslColumn. */
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

/** Sets the column CEF_KEY_COLUMNS[index][1] of r (a named store: see named-columns.ts). */
export const setCslColumn: ColumnSetter = columnSetter(
  'cef',
  CEF_KEY_COLUMNS.map(([, column]) => column),
);
