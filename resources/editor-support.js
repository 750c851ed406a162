/*
 * Editor helpers shared by the package's node editors (served by Node-RED at
 * resources/@netbeacon/node-red-beaconing/editor-support.js, loaded by each
 * node's .html before it registers). Text is set with .text()/.val() only.
 */
(function () {
  'use strict';
  var NB = {};

  /** A validator's answer: given opt, the reason in the editor's language; else false. */
  NB.reason = function (node, opt, key, vars) {
    return opt && node && node._ ? node._(key, vars) : false;
  };

  /** A node with a name of its own shows it in italics (the convention of Node-RED's core nodes). */
  NB.labelStyle = function () {
    return this.name ? 'node_label_italic' : '';
  };

  /** Fills the State store select: none (memory only), then the context stores configured in settings.js. */
  NB.fillStoreSelect = function (node, noStoreKey) {
    var select = $('#node-input-store');
    var stores = (RED.settings.context && RED.settings.context.stores) || [];
    select.empty().append($('<option></option>').val('').text(node._(noStoreKey)));
    stores.forEach(function (name) {
      select.append($('<option></option>').val(name).text(name));
    });
    if (node.store && stores.indexOf(node.store) < 0) {
      select.append($('<option></option>').val(node.store).text(node.store));
    }
    select.val(node.store || '');
  };

  function absent(v) {
    return v === undefined || v === null;
  }

  /**
   * The node type's editor defaults, from its settings table (src/nodes/settings, bundled
   * into resources/settings.js): each setting's default, and a validator running the same
   * check as the runtime, an absent setting (a flow saved before it existed) read as its
   * default. `extra` adds editor-only properties (e.g. a config node's type), and
   * settings the table does not hold: references to a configuration node.
   */
  NB.defaults = function (type, extra) {
    var S = window.NetbeaconSettings;
    var table = S.SETTINGS[type];
    var defaults = {};
    Object.keys(table).forEach(function (key) {
      var setting = table[key];
      var d = { value: setting.value };
      if (setting.required) {
        d.required = true;
      }
      d.validate = function (v, opt) {
        var problem = S.problemOf(setting, v, S.viewOf(table, this));
        return !problem || NB.reason(this, opt, type + '.errors.' + problem.error, problem.vars);
      };
      defaults[key] = Object.assign(d, (extra || {})[key]);
    });
    // a reference to a configuration node (e.g. the stream a NATS node uses) is Node-RED's to check, not a table's
    Object.keys(extra || {}).forEach(function (key) {
      if (!table[key]) {
        defaults[key] = extra[key];
      }
    });
    return defaults;
  };

  /** One setting of a node, its default when absent (for labels and dialogs). */
  NB.value = function (node, key) {
    var defaults = (node && node._def && node._def.defaults) || {};
    return node && !absent(node[key]) ? node[key] : (defaults[key] || {}).value;
  };

  /**
   * Called first in oneditprepare: the editor fills each box from the node's property, so an
   * absent one leaves a select blank and a box empty; show the default instead (it is saved on Done).
   */
  NB.fillAbsent = function (node, prefix) {
    var defaults = (node && node._def && node._def.defaults) || {};
    Object.keys(defaults).forEach(function (key) {
      if (!absent(node[key])) {
        return;
      }
      var input = $('#' + (prefix || 'node-input-') + key); // config nodes: 'node-config-input-'
      if (input.attr('type') === 'checkbox') {
        input.prop('checked', !!defaults[key].value);
      } else {
        input.val(defaults[key].value);
      }
    });
  };

  /**
   * A collapsible group of dialog rows: the header row `.netbeacon-section[data-section=name]`
   * opens and closes the rows `.netbeacon-in-<name>`; it opens by itself when the node sets any
   * of `keys` away from its default, so nothing configured is hidden.
   */
  NB.section = function (node, name, keys) {
    var header = $('.netbeacon-section[data-section="' + name + '"]');
    var rows = $('.netbeacon-in-' + name);
    var defaults = (node && node._def && node._def.defaults) || {};
    var used = keys.some(function (k) {
      return !absent(node[k]) && String(node[k]) !== String((defaults[k] || {}).value);
    });
    function set(open) {
      rows.toggle(open);
      header.find('i.netbeacon-caret').toggleClass('fa-caret-down', open).toggleClass('fa-caret-right', !open);
    }
    header.find('a').on('click', function (e) {
      e.preventDefault();
      set(!rows.first().is(':visible'));
    });
    set(used);
  };

  /** The column names to complete: what the parsers produce and the nodes add (core/parse/columns, via RED.settings). */
  NB.columnNames = function () {
    var tables = (RED.settings && RED.settings.beaconParseColumns) || {};
    var names = [];
    Object.keys(tables).forEach(function (table) {
      (Array.isArray(tables[table]) ? tables[table] : []).forEach(function (n) {
        if (typeof n === 'string' && names.indexOf(n) < 0) {
          names.push(n);
        }
      });
    });
    return names;
  };

  /**
   * Field-name completion (the editor's autoComplete widget, as TypedInput's msg. type uses) on the
   * boxes of `keys`, for the entry after the last comma. `part` says where the field name sits:
   * 'list' (default) — the entry is a field name, those already listed left out;
   * 'name' — `Field=value` entries (the filter's Only where): the name before '=' is completed;
   * 'value' — `Name=Field` entries (the scorer's entities): the field after '=' is completed.
   * The box stays free text: any field name is still accepted.
   */
  NB.fieldNames = function (keys, part) {
    var names = NB.columnNames();
    if (!names.length || !$.fn || !$.fn.autoComplete) {
      return;
    }
    part = part || 'list';
    function complete(value) {
      var cut = value.lastIndexOf(',') + 1;
      var entry = value.slice(cut);
      var eq = entry.indexOf('=');
      var before,
        typed,
        after = '',
        taken = [];
      if (part === 'value') {
        if (eq < 0) {
          return [];
        }
        before = value.slice(0, cut + eq + 1);
        typed = entry.slice(eq + 1);
      } else {
        if (part === 'name' && eq >= 0) {
          return [];
        }
        before = value.slice(0, cut) + (cut ? ' ' : '');
        typed = entry;
        after = part === 'name' ? '=' : '';
        taken = value
          .slice(0, cut)
          .split(',')
          .map(function (f) {
            return f.split('=')[0].trim();
          });
      }
      typed = typed.trim().toLowerCase();
      return names
        .filter(function (n) {
          return n.toLowerCase().indexOf(typed) >= 0 && taken.indexOf(n) < 0;
        })
        .map(function (n) {
          return { value: before + n + after, label: n };
        });
    }
    keys.forEach(function (key) {
      $('#node-input-' + key).autoComplete({ minLength: 0, search: complete });
    });
  };

  var PARSE_CATALOG = '@netbeacon/node-red-beaconing/beacon-parse:';

  /**
   * The parse setting rows (format, TimeGenerated, device zone, bytes) into `container`,
   * filled from `node`: one definition for both editors, labels from beacon-parse's catalog.
   */
  NB.parseRows = function (container, node) {
    var t = function (key) {
      return RED._(PARSE_CATALOG + 'beacon-parse.' + key);
    };
    var rows = [
      [
        'format',
        'fa-file-text-o',
        [
          ['auto', t('format.auto')],
          ['cef', 'CEF (CommonSecurityLog)'],
          ['panos-csv', 'PAN-OS CSV (CommonSecurityLog)'],
          ['zeek-tsv', 'Zeek conn.log TSV (WireData)'],
          ['zeek-json', 'Zeek conn.log JSON (WireData)'],
          ['json', 'JSON records'],
        ],
      ],
      [
        'timeSource',
        'fa-clock-o',
        [
          ['event', t('time.event')],
          ['receipt', t('time.receipt')],
          ['syslog', t('time.syslog')],
        ],
      ],
      ['deviceOffset', 'fa-globe', null],
      [
        'byteDirection',
        'fa-exchange',
        [
          ['microsoft', t('bytes.microsoft')],
          ['client', t('bytes.client')],
        ],
      ],
    ];
    var box = $(container).empty();
    var tip;
    rows.forEach(function (row) {
      var id = 'node-input-' + row[0];
      var div = $('<div class="form-row"></div>').appendTo(box);
      var label = $('<label></label>').attr('for', id).appendTo(div);
      $('<i class="fa"></i>').addClass(row[1]).appendTo(label);
      $('<span></span>')
        .text(' ' + t('label.' + row[0]))
        .appendTo(label);
      var input;
      if (row[2]) {
        input = $('<select></select>').css('width', '70%');
        row[2].forEach(function (o) {
          input.append($('<option></option>').val(o[0]).text(o[1]));
        });
      } else {
        input = $('<input type="text">').css('width', '100px').attr('placeholder', 'UTC');
      }
      input.attr('id', id).appendTo(div);
      div.addClass('netbeacon-parse-' + row[0]);
      var value = node[row[0]];
      input.val(value === undefined || value === null ? (row[2] ? row[2][0][0] : '') : value);
      // what the chosen format reads, under its select
      if (row[0] === 'format') {
        tip = $('<div class="form-tips netbeacon-parse-tip"></div>').appendTo(box);
      }
    });
    var show = function () {
      var format = $('#node-input-format').val();
      var syslogTime = $('#node-input-timeSource').val() === 'syslog';
      Object.keys(NB.PARSE_ROWS).forEach(function (key) {
        box.find('.netbeacon-parse-' + key).toggle(NB.PARSE_ROWS[key](format, syslogTime));
      });
      tip.text(t('tip.' + format));
    };
    box.find('#node-input-format, #node-input-timeSource').on('change', show);
    show();
  };

  /**
   * The parse rows that apply only to some formats (src/core/parse/parser.ts): the byte direction
   * is CEF's mapping; the device zone reads CEF and PAN-OS times and BSD syslog header times
   * (Zeek's ts is epoch seconds, a JSON record keeps its TimeGenerated). Auto-detect may meet any.
   */
  NB.PARSE_ROWS = {
    byteDirection: function (format) {
      return format === 'auto' || format === 'cef';
    },
    deviceOffset: function (format, syslogTime) {
      return syslogTime || ['auto', 'cef', 'panos-csv'].indexOf(format) >= 0;
    },
  };

  window.NetbeaconEditor = NB;
})();
