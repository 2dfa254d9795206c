// The operator's views over the /admin API: accounts (list, create), one account (grant credits, change plan,
// suspend, keys) and its usage.
import {h, add, clear, table, td, usd, when, secretOnce, notice, card} from './dom.js';
import {get, post, put, del} from './api.js';
import {usagePanel} from './usage.js';

const PLANS = ['free', 'pro', 'enterprise'];

function planInput(id, value) {
  // plans are configurable: suggest the default ones, accept any name (the server lists the valid ones on 422)
  return [h('input', {type: 'text', id, list: id + '-list', value: value || 'free', required: true, autocomplete: 'off'}),
    h('datalist', {id: id + '-list'}, PLANS.map(p => h('option', {value: p})))];
}

function statusBadge(s) {
  return h('span', {class: 'badge ' + (s === 'active' ? 'ok' : 'off')}, s);
}

export async function accountsPage(view) {
  const list = h('div', {id: 'accounts-list'});
  const created = h('div', {id: 'account-created'});
  const status = h('div');
  const name = h('input', {type: 'text', id: 'account-name', required: true, maxlength: 200, placeholder: 'Team or person'});
  const [plan, plans] = planInput('account-plan', 'free');
  const free = h('input', {type: 'number', id: 'account-free', min: 0, step: 'any', placeholder: 'default'});

  async function refresh() {
    const {accounts} = await get('/admin/accounts');
    // users' accounts first; Hearth's own (system) accounts last, marked
    accounts.sort((a, b) => Number(a.system) - Number(b.system));
    clear(list).appendChild(table(['Account', 'Plan', 'Status', 'Credits', 'Free credits'], accounts.map(a => h('tr', {dataset: {accountId: a.account_id}},
      td([h('a', {href: `#/admin/accounts/${encodeURIComponent(a.account_id)}`}, a.name),
        a.system ? [' ', h('span', {class: 'badge system', title: 'Hearth\'s own account: it owns the workflow templates; no keys, no credits'}, 'system')] : null,
        h('br'), h('code', {class: 'small muted'}, a.account_id)]),
      td(a.plan), td(statusBadge(a.status)), td(usd(a.credits), 'num'), td(usd(a['free-credits']), 'num'))),
      {numeric: ['Credits', 'Free credits'], empty: 'No accounts yet.'}));
  }

  const form = h('form', {class: 'card grid-form', onsubmit: async ev => {
    ev.preventDefault();
    clear(status);
    const body = {name: name.value.trim(), plan: plan.value.trim()};
    if (free.value !== '') body.free_credits = Number(free.value);
    try {
      const a = await post('/admin/accounts', body);
      name.value = '';
      clear(created).appendChild(secretOnce(`API key of ${body.name} (${a.account_id})`, a.api_key));
      await refresh();
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }}, h('h2', {}, 'New account'),
    h('label', {for: 'account-name'}, 'Name'), name,
    h('label', {for: 'account-plan'}, 'Plan'), plan, plans,
    h('label', {for: 'account-free'}, 'Free credits (USD)'), free,
    h('button', {type: 'submit', class: 'primary', id: 'account-create'}, 'Create account'));

  add(view, h('h1', {}, 'Accounts'), form, status, created, list);
  await refresh();
}

export async function accountPage(view, id) {
  const status = h('div', {id: 'account-status'});
  const head = h('div');
  const keys = h('div', {id: 'account-keys'});
  const created = h('div');
  const usage = h('div');
  let account;

  async function act(fn) {
    clear(status);
    try { await fn(); await refresh(); }
    catch (e) { status.appendChild(notice('error', e.message)); }
  }

  async function refresh() {
    account = await get(`/admin/accounts/${encodeURIComponent(id)}`);
    add(clear(head), 
      h('h1', {}, account.name, ' ', statusBadge(account.status)),
      h('p', {}, h('code', {}, account.account_id), ` · plan ${account.plan} · created ${when(account.created_at)}`),
      h('div', {class: 'cards'},
        card('Credits', usd(account.credits), 'paid balance', 'acct-credits'),
        card('Free credits', usd(account['free-credits']), null, 'acct-free'),
        card('Held', usd(account.held), 'by running calls')));
    clear(keys).appendChild(table(['Name', 'Key', 'Created', 'Last used', 'Status', ''], account.keys.map(k => h('tr', {},
      td(k.name || '—'), td(h('code', {}, k.prefix + '…')), td(when(k.created_at)), td(when(k.last_used_at)),
      td(h('span', {class: 'badge ' + (k.active ? 'ok' : 'off')}, k.active ? 'active' : 'revoked')),
      td(k.active ? h('button', {type: 'button', class: 'danger small', onclick: () => {
        if (confirm(`Revoke key ${k.prefix}…?`)) act(() => del(`/admin/keys/${encodeURIComponent(k.key_id)}`));
      }}, 'Revoke') : '')))));
    suspend.textContent = account.status === 'suspended' ? 'Unsuspend' : 'Suspend';
    plan.value = account.plan;
  }

  const amount = h('input', {type: 'number', id: 'grant-amount', step: 'any', required: true, placeholder: '10'});
  const kind = h('select', {id: 'grant-kind'}, h('option', {value: 'paid'}, 'paid'), h('option', {value: 'free'}, 'free'));
  const reference = h('input', {type: 'text', id: 'grant-reference', required: true, maxlength: 200});
  const newReference = () => { reference.value = 'dashboard-' + new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '') + '-' + Math.random().toString(36).slice(2, 8); };
  newReference();
  const grant = h('form', {class: 'card grid-form', onsubmit: ev => {
    ev.preventDefault();
    act(async () => {
      // the amount goes as a JSON number; the server converts it exactly (nine decimals)
      await post(`/admin/accounts/${encodeURIComponent(id)}/credits`, {amount: Number(amount.value), kind: kind.value, reference: reference.value.trim()});
      amount.value = '';
      newReference();
    });
  }}, h('h2', {}, 'Grant or correct credits'),
    h('label', {for: 'grant-amount'}, 'Amount (USD, negative to correct)'), amount,
    h('label', {for: 'grant-kind'}, 'Kind'), kind,
    h('label', {for: 'grant-reference'}, 'Reference (a repeat with the same reference adds nothing)'), reference,
    h('button', {type: 'submit', class: 'primary', id: 'grant-submit'}, 'Grant'));

  const [plan, plans] = planInput('plan-name', 'free');
  const planForm = h('form', {class: 'card grid-form', onsubmit: ev => {
    ev.preventDefault();
    act(() => put(`/admin/accounts/${encodeURIComponent(id)}/plan`, {plan: plan.value.trim()}));
  }}, h('h2', {}, 'Plan'), h('label', {for: 'plan-name'}, 'Plan'), plan, plans, h('button', {type: 'submit', id: 'plan-submit'}, 'Change plan'));

  const suspend = h('button', {type: 'button', class: 'danger', id: 'suspend', onclick: () => {
    const on = account.status !== 'suspended';
    if (on && !confirm('Suspend this account? Its keys get 403 until it is unsuspended; its ledger is kept.')) return;
    act(() => post(`/admin/accounts/${encodeURIComponent(id)}/${on ? 'suspend' : 'unsuspend'}`));
  }}, 'Suspend');

  const newKey = h('button', {type: 'button', id: 'account-key-create', onclick: () => act(async () => {
    const k = await post(`/admin/accounts/${encodeURIComponent(id)}/keys`, {name: 'admin-issued'});
    clear(created).appendChild(secretOnce('New API key for this account', k.api_key));
  })}, 'Create key');

  add(view, h('p', {}, h('a', {href: '#/admin/accounts'}, '← Accounts')), head, status,
    h('div', {class: 'two-col'}, grant, h('div', {}, planForm, h('div', {class: 'card'}, h('h2', {}, 'Access'), h('div', {class: 'row'}, suspend, newKey)))),
    h('h2', {}, 'Keys'), created, keys, h('h2', {}, 'Usage'), usage);
  await refresh();
  await usagePanel(usage, {csvName: `hearth-usage-${id}`, withFailed: true,
    load: (f, t, m) => get(`/admin/usage?account_id=${encodeURIComponent(id)}&from=${f}&to=${t}${m ? '&model=' + encodeURIComponent(m) : ''}`)});
}
