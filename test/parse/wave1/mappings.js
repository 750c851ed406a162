"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.cefToCommonSecurityLog = cefToCommonSecurityLog;
exports.panosCsvToCommonSecurityLog = panosCsvToCommonSecurityLog;
exports.zeekToWireData = zeekToWireData;
/** CEF extension keys → CommonSecurityLog columns (Microsoft's CEF name mapping). */
const CEF_COLUMNS = {
    act: 'DeviceAction', app: 'ApplicationProtocol', cat: 'DeviceEventCategory', cnt: 'EventCount',
    deviceExternalId: 'DeviceExternalID', dhost: 'DestinationHostName', dmac: 'DestinationMACAddress',
    dpt: 'DestinationPort', dst: 'DestinationIP', duid: 'DestinationUserID', duser: 'DestinationUserName',
    dvc: 'DeviceAddress', dvchost: 'DeviceName', externalId: 'ExternalID', msg: 'Message', proto: 'Protocol',
    reason: 'Reason', request: 'RequestURL', rt: 'ReceiptTime', shost: 'SourceHostName', smac: 'SourceMACAddress',
    spt: 'SourcePort', src: 'SourceIP', suid: 'SourceUserID', suser: 'SourceUserName', start: 'StartTime', end: 'EndTime',
    sourceTranslatedAddress: 'SourceTranslatedAddress', destinationTranslatedAddress: 'DestinationTranslatedAddress',
    sourceTranslatedPort: 'SourceTranslatedPort', destinationTranslatedPort: 'DestinationTranslatedPort',
    deviceInboundInterface: 'DeviceInboundInterface', deviceOutboundInterface: 'DeviceOutboundInterface',
    cs1: 'DeviceCustomString1', cs2: 'DeviceCustomString2', cs3: 'DeviceCustomString3', cs4: 'DeviceCustomString4',
    cs5: 'DeviceCustomString5', cs6: 'DeviceCustomString6', cs1Label: 'DeviceCustomString1Label',
    cs2Label: 'DeviceCustomString2Label', cs3Label: 'DeviceCustomString3Label', cs4Label: 'DeviceCustomString4Label',
    cs5Label: 'DeviceCustomString5Label', cs6Label: 'DeviceCustomString6Label', cn1: 'DeviceCustomNumber1',
    cn2: 'DeviceCustomNumber2', cn3: 'DeviceCustomNumber3', cn1Label: 'DeviceCustomNumber1Label',
    cn2Label: 'DeviceCustomNumber2Label', cn3Label: 'DeviceCustomNumber3Label', flexString1: 'FlexString1',
    flexString1Label: 'FlexString1Label', flexNumber1: 'FlexNumber1', flexNumber1Label: 'FlexNumber1Label',
};
const INTEGER_COLUMNS = new Set(['SourcePort', 'DestinationPort', 'EventCount', 'SourceTranslatedPort', 'DestinationTranslatedPort',
    'DeviceCustomNumber1', 'DeviceCustomNumber2', 'DeviceCustomNumber3', 'FlexNumber1', 'SentBytes', 'ReceivedBytes']);
/** An integer column: a number, or absent when empty or not a number (KQL null). */
function integer(value) {
    if (value === undefined || value.trim() === '')
        return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
}
/** CEF → CommonSecurityLog columns. String columns default to "" (they cannot be null in KQL). */
function cefToCommonSecurityLog(cef, bytes) {
    const r = {
        DeviceVendor: cef.deviceVendor,
        DeviceProduct: cef.deviceProduct,
        DeviceVersion: cef.deviceVersion,
        DeviceEventClassID: cef.signatureId,
        Activity: cef.name,
        LogSeverity: cef.severity,
        DeviceName: '',
        SourceUserID: '',
        SourceUserName: '',
    };
    const extra = [];
    for (const [key, value] of Object.entries(cef.extension)) {
        if (key === 'in' || key === 'out')
            continue;
        // wave 2 fix: own keys only ("constructor" found Object on the prototype)
        const column = Object.hasOwn(CEF_COLUMNS, key) ? CEF_COLUMNS[key] : undefined;
        if (!column) {
            extra.push(`${key}=${value}`);
            continue;
        }
        const v = INTEGER_COLUMNS.has(column) ? integer(value) : value;
        if (v !== undefined)
            r[column] = v;
    }
    // CEF: in = bytes toward the destination (PAN-OS bytes_sent), out = the reply (bytes_received)
    const toServer = integer(cef.extension.in);
    const toClient = integer(cef.extension.out);
    if (bytes === 'microsoft') {
        // Microsoft's CEF mapping: in → ReceivedBytes, out → SentBytes
        if (toServer !== undefined)
            r.ReceivedBytes = toServer;
        if (toClient !== undefined)
            r.SentBytes = toClient;
    }
    else {
        if (toServer !== undefined)
            r.SentBytes = toServer;
        if (toClient !== undefined)
            r.ReceivedBytes = toClient;
    }
    if (extra.length)
        r.AdditionalExtensions = extra.join(';');
    return r;
}
/**
 * PAN-OS native CSV (positions of the TRAFFIC log, PAN-OS 8-11) → the
 * columns Microsoft's PaloAltoPANOSSyslog parser produces.
 */
function panosCsvToCommonSecurityLog(f, host) {
    const get = (i) => (f[i] ?? '').trim();
    const r = {
        DeviceVendor: 'Palo Alto Networks',
        DeviceProduct: 'PAN-OS',
        DeviceExternalID: get(2),
        Activity: get(3),
        DeviceEventClassID: get(4),
        SourceIP: get(7),
        DestinationIP: get(8),
        SourceTranslatedAddress: get(9),
        DestinationTranslatedAddress: get(10),
        DeviceCustomString1: get(11),
        SourceUserName: get(12),
        SourceUserID: get(12),
        DestinationUserName: get(13),
        ApplicationProtocol: get(14),
        DeviceName: host ?? get(52),
        Protocol: get(29),
        DeviceAction: get(30),
        ReceiptTime: get(1),
    };
    const ints = [['SourcePort', 24], ['DestinationPort', 25], ['FlexNumber1', 31]];
    for (const [column, i] of ints) {
        const v = integer(f[i]);
        if (v !== undefined)
            r[column] = v;
    }
    const bytesSent = integer(f[32]); // client → server
    const bytesReceived = integer(f[33]);
    // Microsoft's CSV parser and the client reading agree here: bytes_sent → SentBytes
    if (bytesSent !== undefined)
        r.SentBytes = bytesSent;
    if (bytesReceived !== undefined)
        r.ReceivedBytes = bytesReceived;
    return r;
}
/** Zeek conn.log fields → WireData columns (datasets/README.md). */
function zeekToWireData(z) {
    const str = (v) => (v === undefined || v === null || v === '-' || v === '(empty)' ? undefined : String(v));
    const num = (v) => {
        const s = str(v);
        if (s === undefined || s === '')
            return undefined;
        const n = Number(s);
        return Number.isFinite(n) ? n : undefined;
    };
    const r = {
        LocalIP: str(z['id.orig_h']),
        LocalPortNumber: num(z['id.orig_p']),
        RemoteIP: str(z['id.resp_h']),
        RemotePortNumber: num(z['id.resp_p']),
        SentBytes: num(z.orig_bytes),
        ReceivedBytes: num(z.resp_bytes),
        ProtocolName: str(z.proto)?.toUpperCase(),
        ApplicationProtocol: str(z.service),
        SessionState: str(z.conn_state),
        SessionID: str(z.uid),
        Duration: num(z.duration),
    };
    for (const k of Object.keys(r))
        if (r[k] === undefined)
            delete r[k];
    return r;
}
