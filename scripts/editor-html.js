'use strict';
/**
 * Writes the dialog rows of a node's edit template from its settings table
 * (src/nodes/settings, compiled): a `<div data-netbeacon-rows="a b #section c">`
 * in the template becomes one form row per setting with an icon (a setting
 * without one joins the row before it, labelled inline) and a collapsible
 * header per `#section`. Rows the table cannot describe stay written by hand.
 * A config node's boxes are `node-config-input-…`: the marker says so with
 * `data-netbeacon-prefix="node-config-input-"`.
 * A `<div data-netbeacon-config="key" data-netbeacon-icon="icon">` becomes the row of a
 * reference to a configuration node (its label from `<type>.label.<key>`).
 * A `<div data-netbeacon-help="name">` in the help becomes src/nodes/help/name.html,
 * text several nodes' help shares.
 */
const MARKER = /^([ \t]*)<div data-netbeacon-rows="([^"]*)"(?: data-netbeacon-prefix="([\w-]+)")?><\/div>[ \t]*$/gm;
const HELP = /^[ \t]*<div data-netbeacon-help="([\w-]+)"><\/div>[ \t]*\n/gm;
/** `<div data-netbeacon-config="nats" data-netbeacon-icon="server">`: the row of a reference to a configuration node (kept out of the tables: Node-RED checks it) */
const CONFIG = /^([ \t]*)<div data-netbeacon-config="([\w-]+)" data-netbeacon-icon="([\w-]+)"><\/div>[ \t]*$/gm;
const fs = require('fs');
const path = require('path');

const escapeHtml = (text) => String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function box(type, key, row, setting, prefix) {
  const width = row.width ? ` style="width:${row.width}"` : '';
  const placeholder = !row.placeholder
    ? ''
    : row.placeholder.startsWith('@')
      ? ` data-i18n="[placeholder]${type}.label.${row.placeholder.slice(1)}"`
      : ` placeholder="${escapeHtml(row.placeholder)}"`;
  const id = `${prefix}${key}`;
  let html;
  if (key === 'name') html = `<input type="text" id="${id}" data-i18n="[placeholder]node-red:common.label.name">`;
  else if (row.input === 'store') html = `<select id="${id}"${width}></select>`;
  else if (row.input === 'checkbox') html = `<input type="checkbox" id="${id}" style="width:auto; vertical-align:top">`;
  else if (row.input === 'textarea') html = `<textarea id="${id}" rows="${row.lines || 3}"${width}${placeholder}></textarea>`;
  else if (row.input === 'select') {
    // the option texts are catalog entries named by value; the empty value's (e.g. no framing) is `none`
    const options = (setting.values || []).map(
      (v) => `<option value="${escapeHtml(v)}" data-i18n="${type}.${row.options}.${escapeHtml(v) || 'none'}"></option>`,
    );
    html = `<select id="${id}"${width}>${options.join('')}</select>`;
  } else html = `<input type="text" id="${id}"${width}${placeholder}>`;
  return row.unit ? `${html} <span data-i18n="${type}.label.${row.unit}"></span>` : html;
}

/** The rows for the keys of one marker. */
function rows(type, table, keys, indent, prefix = 'node-input-') {
  const out = [];
  let current = null;
  const close = () =>
    current &&
    out.push(`${indent}<div class="form-row${current.group ? ' ' + current.group : ''}">`, ...current.lines.map((l) => `${indent}    ${l}`), `${indent}</div>`);
  for (const key of keys) {
    if (key.startsWith('#')) {
      close();
      current = null;
      const name = key.slice(1);
      out.push(
        `${indent}<div class="form-row netbeacon-section" data-section="${name}">`,
        `${indent}    <a href="#"><i class="fa fa-caret-right netbeacon-caret"></i> <span data-i18n="${type}.label.${name}"></span></a>`,
        `${indent}</div>`,
      );
      continue;
    }
    const setting = table[key];
    if (!setting || !setting.row) throw new Error(`${type}: no dialog row for setting "${key}" in its settings table`);
    const row = setting.row;
    if (row.icon) {
      close();
      const label = key === 'name' ? 'node-red:common.label.name' : `${type}.label.${key}`;
      current = {
        group: row.group,
        lines: [
          `<label for="${prefix}${key}"><i class="fa fa-${row.icon}"></i> <span data-i18n="${label}"></span></label>`,
          box(type, key, row, setting, prefix),
        ],
      };
    } else {
      if (!current) throw new Error(`${type}: "${key}" has no icon and no row before it to join`);
      current.lines.push(`<label for="${prefix}${key}" style="width:auto" data-i18n="${type}.label.${key}"></label> ${box(type, key, row, setting, prefix)}`);
    }
  }
  close();
  return out.join('\n');
}

/** What every node's editor loads first (Node-RED serves resources/ at resources/<module>/): the settings tables, then the helpers. */
const EDITOR_SCRIPTS = ['settings.js', 'editor-support.js']
  .map((f) => `<script type="text/javascript" src="resources/@netbeacon/node-red-beaconing/${f}"></script>\n`)
  .join('');

/**
 * A node's HTML as Node-RED gets it: the editor scripts first, the template's
 * markers expanded; `tables` maps node types to their settings tables. Other
 * HTML (a plugin's) is returned as it is.
 */
function expandRows(html, tables) {
  const type = /data-template-name="([\w-]+)"/.exec(html)?.[1];
  if (!type) return html;
  const expanded = html.replace(MARKER, (_, indent, list, prefix) => {
    if (!tables[type]) throw new Error(`no settings table for the template ${type}`);
    return rows(type, tables[type], list.trim().split(/\s+/), indent, prefix);
  });
  const configured = expanded.replace(CONFIG, (_, indent, key, icon) =>
    [
      `${indent}<div class="form-row">`,
      `${indent}    <label for="node-input-${key}"><i class="fa fa-${icon}"></i> <span data-i18n="${type}.label.${key}"></span></label>`,
      `${indent}    <input type="text" id="node-input-${key}">`,
      `${indent}</div>`,
    ].join('\n'),
  );
  const helped = configured.replace(HELP, (_, name) =>
    fs.readFileSync(path.join(__dirname, '..', 'src', 'nodes', 'help', `${name}.html`), 'utf8').replace(/^<!--.*-->\n/, ''),
  );
  return html.includes('/editor-support.js"') ? helped : EDITOR_SCRIPTS + helped;
}

module.exports = { expandRows };
