// API keys of the signed-in account over /v1/keys: list, create (the key is shown once), revoke.
import {h, add, clear, table, td, when, secretOnce, notice} from './dom.js';
import {get, post, del} from './api.js';

export async function keysPage(view) {
  const list = h('div', {id: 'keys-list'});
  const created = h('div', {id: 'key-created'});
  const name = h('input', {type: 'text', id: 'key-name', placeholder: 'e.g. production, laptop', maxlength: 100});
  const status = h('div');

  async function refresh() {
    const {keys} = await get('/v1/keys');
    clear(list).appendChild(table(['Name', 'Key', 'Created', 'Last used', 'Status', ''], keys.map(k => h('tr', {dataset: {keyId: k.key_id}},
      td(k.name || '—'), td(h('code', {}, k.prefix + '…')), td(when(k.created_at)), td(when(k.last_used_at)),
      td(h('span', {class: 'badge ' + (k.active ? 'ok' : 'off')}, k.active ? 'active' : 'revoked')),
      td(k.active ? h('button', {type: 'button', class: 'danger small', onclick: () => revoke(k)}, 'Revoke') : '')))));
  }

  async function revoke(k) {
    if (!confirm(`Revoke the key ${k.prefix}… (${k.name || 'no name'})? Calls with it will get 401 at once.`)) return;
    clear(status);
    try {
      await del(`/v1/keys/${encodeURIComponent(k.key_id)}`);
      await refresh();
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }

  const form = h('form', {class: 'inline-form', onsubmit: async ev => {
    ev.preventDefault();
    clear(status);
    try {
      const k = await post('/v1/keys', name.value.trim() ? {name: name.value.trim()} : {});
      name.value = '';
      clear(created).appendChild(secretOnce('New API key', k.api_key));
      await refresh();
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }}, h('label', {for: 'key-name'}, 'Name'), name, h('button', {type: 'submit', class: 'primary', id: 'key-create'}, 'Create key'));

  add(view, h('h1', {}, 'API keys'),
    h('p', {class: 'muted'}, 'All keys of this account share its credits and rate limits. Only a hash of each key is stored.'),
    form, status, created, list);
  await refresh();
}
