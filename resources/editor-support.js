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

    window.NetbeaconEditor = NB;
})();
