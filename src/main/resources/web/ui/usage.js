// Usage breakdown: date range and model filters, spend chart, table by day and model, CSV export.
import {h, add, clear, table, td, usd, usdAxis, int, utcDay, addDays, download, csvField, notice} from './dom.js';
import {get} from './api.js';
import {dailyBars, chartWidth} from './chart.js';

/**
 * A usage panel over any usage source: load(from, to, model) → the /v1/usage (or /admin/usage) answer.
 * withFailed adds the failed-calls column the operator's views carry; withAccounts the per-account totals.
 */
export async function usagePanel(view, {title, load, csvName, withFailed = false, withAccounts = false}) {
  const today = utcDay(new Date());
  const from = h('input', {type: 'date', id: 'usage-from', value: addDays(today, -29), max: today, required: true});
  const to = h('input', {type: 'date', id: 'usage-to', value: today, required: true});
  const model = h('select', {id: 'usage-model'}, h('option', {value: ''}, 'All models'));
  const status = h('div', {class: 'usage-status'});
  const out = h('div', {id: 'usage-out'});
  let last = null;

  const csv = h('button', {type: 'button', id: 'usage-csv', disabled: true, onclick: () => {
    const cols = ['date', 'model', 'inferences', 'amount'].concat(withFailed ? ['failed'] : []);
    const lines = [cols.join(',')].concat(last.rows.map(r => cols.map(c => csvField(r[c])).join(',')));
    download(`${csvName}-${last.from}-to-${last.to}.csv`, lines.join('\r\n') + '\r\n', 'text/csv');
  }}, 'Export CSV');

  const form = h('form', {class: 'filters', onsubmit: ev => { ev.preventDefault(); refresh(); }},
    h('label', {}, 'From', from), h('label', {}, 'To', to), h('label', {}, 'Model', model),
    h('button', {type: 'submit', class: 'primary'}, 'Apply'), csv);

  async function refresh() {
    clear(status);
    if (from.value > to.value) { status.appendChild(notice('error', 'The start date is after the end date.')); return; }
    try {
      last = await load(from.value, to.value, model.value);
    } catch (e) {
      status.appendChild(notice('error', e.message));
      return;
    }
    for (const r of last.rows) {
      if (![...model.options].some(o => o.value === r.model)) model.appendChild(h('option', {value: r.model}, r.model));
    }
    csv.disabled = false;
    const totalInf = last.rows.reduce((a, r) => a + r.inferences, 0);
    const totalAmt = last.rows.reduce((a, r) => a + Number(r.amount), 0);
    const sorted = [...last.rows].sort((a, b) => b.date.localeCompare(a.date) || a.model.localeCompare(b.model));
    const headers = ['Date', 'Model', 'Inferences', 'Amount'].concat(withFailed ? ['Failed'] : []);
    add(clear(out), 
      h('p', {class: 'summary', id: 'usage-summary'}, `${int(totalInf)} inferences, ${usd(totalAmt)} from ${last.from} to ${last.to}`),
      h('section', {class: 'card'}, dailyBars({rows: last.rows, value: r => Number(r.amount), from: last.from, to: last.to, format: usd, axis: usdAxis, width: chartWidth(view), title: 'Spend by day'})),
      table(headers, sorted.map(r => h('tr', {}, td(r.date), td(r.model), td(int(r.inferences), 'num'), td(usd(r.amount), 'num'),
        withFailed ? td(int(r.failed), 'num') : null)), {numeric: ['Inferences', 'Amount', 'Failed'], empty: 'No usage in this range.', class: 'usage-table'}),
      withAccounts && last.accounts ? h('section', {}, h('h2', {}, 'Accounts in this range'),
        table(['Account', 'Inferences', 'Failed', 'Amount'], last.accounts.map(a => h('tr', {},
          td(h('a', {href: `#/admin/accounts/${encodeURIComponent(a.account_id)}`}, a.account_id)), td(int(a.inferences), 'num'),
          td(int(a.failed), 'num'), td(usd(a.amount), 'num'))), {numeric: ['Inferences', 'Failed', 'Amount']})) : null);
  }

  add(view, title ? h('h1', {}, title) : '', form, status, out);
  await refresh();
  // the catalog fills the model filter; models with usage but no longer listed were added from the rows
  get('/v1/models').then(list => {
    for (const m of list.data || []) {
      if (![...model.options].some(o => o.value === m.id)) model.appendChild(h('option', {value: m.id}, m.id));
    }
  }).catch(() => {});
}

function query(from, to, model) {
  const q = new URLSearchParams({from, to});
  if (model) q.set('model', model);
  return q.toString();
}

export function usagePage(view) {
  return usagePanel(view, {title: 'Usage', csvName: 'hearth-usage', load: (f, t, m) => get(`/v1/usage?${query(f, t, m)}`)});
}

export function adminUsagePage(view) {
  return usagePanel(view, {title: 'Usage (all accounts)', csvName: 'hearth-usage-all', withFailed: true, withAccounts: true,
    load: (f, t, m) => get(`/admin/usage?${query(f, t, m)}`)});
}
