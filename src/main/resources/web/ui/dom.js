// Small DOM helpers. Text always goes in as textContent (never innerHTML), so names, prompts and model
// outputs can never inject markup or script into the dashboard.

/** h('div', {class: 'x', onclick: fn}, 'text', child, [more]) → an element. */
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && !svg) el.value = v;
    else if (k === 'checked' && !svg) el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Appends children, skipping null, undefined and false (Element.append would write them as text). */
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A USD amount from the API (a JSON number at full ledger precision) as text, never rounding a price away. */
export function usd(v) {
  const n = Number(v || 0);
  if (n === 0) return '$0';
  if (Math.abs(n) >= 1) return '$' + n.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 4});
  return '$' + n.toLocaleString('en-US', {maximumSignificantDigits: 6, maximumFractionDigits: 9});
}

/**
 * Money on a chart axis: two significant digits ("$0.00064", "$13", "$1.2k"), so a label fits the axis where
 * usd's exact "$0.000639361" was cut to "00639361".
 */
export function usdAxis(v) {
  const n = Number(v || 0);
  if (n === 0) return '$0';
  if (Math.abs(n) >= 1000) return '$' + (n / 1000).toLocaleString('en-US', {maximumSignificantDigits: 2}) + 'k';
  return '$' + n.toLocaleString('en-US', {maximumSignificantDigits: 2, maximumFractionDigits: 9});
}

export function int(v) {
  return Number(v || 0).toLocaleString('en-US');
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** YYYY-MM-DD of a Date in UTC (the API's days are UTC). */
export function utcDay(d) {
  return d.toISOString().slice(0, 10);
}

export function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return utcDay(d);
}

/** Every day from `from` to `to` inclusive. */
export function daysBetween(from, to) {
  const out = [];
  for (let d = from; d <= to && out.length < 3700; d = addDays(d, 1)) out.push(d);
  return out;
}

export function table(headers, rows, opts = {}) {
  return h('div', {class: 'table-wrap'},
    h('table', {class: opts.class || null},
      h('thead', {}, h('tr', {}, headers.map(t => h('th', {scope: 'col', class: opts.numeric?.includes(t) ? 'num' : null}, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', {colspan: headers.length, class: 'muted empty'}, opts.empty || 'Nothing yet.')))));
}

export function td(v, cls) {
  return h('td', {class: cls || null}, v);
}

export function card(title, value, note, id) {
  return h('div', {class: 'card stat', id: id || null},
    h('div', {class: 'stat-title'}, title),
    h('div', {class: 'stat-value'}, value),
    note ? h('div', {class: 'stat-note muted'}, note) : null);
}

export function notice(kind, text) {
  return h('p', {class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status'}, text);
}

/** Shows a secret once (a new API key) with a copy button; the caller decides where it goes. */
export function secretOnce(label, secret) {
  const input = h('input', {type: 'text', readonly: true, value: secret, class: 'secret', 'aria-label': label, spellcheck: 'false'});
  const copy = h('button', {type: 'button', onclick: async () => {
    input.select();
    try { await navigator.clipboard.writeText(secret); copy.textContent = 'Copied'; }
    catch { document.execCommand && document.execCommand('copy'); copy.textContent = 'Selected'; }
  }}, 'Copy');
  return h('div', {class: 'card secret-once', role: 'status'},
    h('strong', {}, label),
    h('p', {class: 'muted small'}, 'Copy it now: it is shown only once and cannot be recovered.'),
    h('div', {class: 'row'}, input, copy));
}

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {href: url, download: filename});
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** One CSV field per RFC 4180; a leading = + - @ is neutralised so spreadsheets do not run it as a formula. */
export function csvField(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && isNaN(Number(s))) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
