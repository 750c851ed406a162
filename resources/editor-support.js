/*
 * Editor helpers shared by the package's node editors (served by Node-RED at
 * resources/@netbeacon/node-red-beaconing/editor-support.js, loaded by each
 * node's .html before it registers). Text is set with .text()/.val() only.
 */
(function () {
    'use strict';
    var NB = {};

    /** A validator's answer: given opt, the reason in the editor's language; else false. */
    NB.reason = function (node, opt, key, vars) { return opt && node && node._ ? node._(key, vars) : false; };

    /** A comma-separated list of field names, none empty (split, not a regular expression: no backtracking). */
    NB.fieldList = function (optional, errorKey) {
        return function (v, opt) {
            var text = v === undefined || v === null ? '' : String(v);
            var ok = (optional && text.trim() === '') || text.split(',').every(function (p) { return p.trim() !== ''; });
            return ok || NB.reason(this, opt, errorKey);
        };
    };

    /** Fills the State store select: none (memory only), then the context stores configured in settings.js. */
    NB.fillStoreSelect = function (node, noStoreKey) {
        var select = $('#node-input-store');
        var stores = (RED.settings.context && RED.settings.context.stores) || [];
        select.empty().append($('<option></option>').val('').text(node._(noStoreKey)));
        stores.forEach(function (name) { select.append($('<option></option>').val(name).text(name)); });
        if (node.store && stores.indexOf(node.store) < 0) { select.append($('<option></option>').val(node.store).text(node.store)); }
        select.val(node.store || '');
    };

    var ZONE = /^(Z|UTC|GMT|[+-]\d{2}:?\d{2})$/i;
    var PARSE_CATALOG = '@netbeacon/node-red-beaconing/beacon-parse:';

    /**
     * The parse settings beacon-parse and beacon-syslog-in share: their editor defaults.
     * `type` names the catalog holding errors.offsetShort.
     */
    NB.parseDefaults = function (type) {
        return {
            format: { value: 'auto', required: true },
            timeSource: { value: 'event', required: true },
            byteDirection: { value: 'microsoft', required: true },
            deviceOffset: {
                value: '',
                validate: function (v, opt) { return !v || ZONE.test(String(v).trim()) || NB.reason(this, opt, type + '.errors.offsetShort'); }
            }
        };
    };

    /**
     * The parse setting rows (format, TimeGenerated, device zone, bytes) into `container`,
     * filled from `node`: one definition for both editors, labels from beacon-parse's catalog.
     */
    NB.parseRows = function (container, node) {
        var t = function (key) { return RED._(PARSE_CATALOG + 'beacon-parse.' + key); };
        var rows = [
            ['format', 'fa-file-text-o', [['auto', t('format.auto')], ['cef', 'CEF (CommonSecurityLog)'], ['panos-csv', 'PAN-OS CSV (CommonSecurityLog)'],
                ['zeek-tsv', 'Zeek conn.log TSV (WireData)'], ['zeek-json', 'Zeek conn.log JSON (WireData)'], ['json', 'JSON records']]],
            ['timeSource', 'fa-clock-o', [['event', t('time.event')], ['receipt', t('time.receipt')], ['syslog', t('time.syslog')]]],
            ['deviceOffset', 'fa-globe', null],
            ['byteDirection', 'fa-exchange', [['microsoft', t('bytes.microsoft')], ['client', t('bytes.client')]]]
        ];
        var box = $(container).empty();
        rows.forEach(function (row) {
            var id = 'node-input-' + row[0];
            var div = $('<div class="form-row"></div>').appendTo(box);
            var label = $('<label></label>').attr('for', id).appendTo(div);
            $('<i class="fa"></i>').addClass(row[1]).appendTo(label);
            $('<span></span>').text(' ' + t('label.' + row[0])).appendTo(label);
            var input;
            if (row[2]) {
                input = $('<select></select>').css('width', '70%');
                row[2].forEach(function (o) { input.append($('<option></option>').val(o[0]).text(o[1])); });
            } else {
                input = $('<input type="text">').css('width', '100px').attr('placeholder', 'UTC');
            }
            input.attr('id', id).appendTo(div);
            var value = node[row[0]];
            input.val(value === undefined || value === null ? (row[2] ? row[2][0][0] : '') : value);
        });
    };

    window.NetbeaconEditor = NB;
})();
