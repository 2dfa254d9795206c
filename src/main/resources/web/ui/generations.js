// Generations: the account's model calls, newest first, from the same API Segmind's SDK reads
// (GET /inference-request/generations), filtered by model and UTC dates, paged; a stored output opens below.
import {h, add, clear, table, td, usd, when, notice, int} from './dom.js';
import {get} from './api.js';
import {media} from './models.js';

export async function generationsPage(view) {
  const model = h('select', {id: 'gen-model'}, h('option', {value: ''}, 'All models'));
  const from = h('input', {type: 'date', id: 'gen-from'});
  const to = h('input', {type: 'date', id: 'gen-to'});
  const status = h('div', {class: 'gen-status'});
  const out = h('div', {id: 'gen-out'});
  const viewer = h('section', {id: 'gen-output', class: 'card', hidden: true});
  let page = 1;

  const form = h('form', {class: 'filters', onsubmit: ev => { ev.preventDefault(); page = 1; refresh(); }},
    h('label', {}, 'Model', model), h('label', {}, 'From', from), h('label', {}, 'To', to),
    h('button', {type: 'submit', class: 'primary'}, 'Apply'));

  async function refresh() {
    clear(status);
    if (from.value && to.value && from.value > to.value) { status.appendChild(notice('error', 'The start date is after the end date.')); return; }
    const q = new URLSearchParams({page: String(page)});
    if (model.value) q.set('model_name', model.value);
    if (from.value) q.set('start_date', from.value);
    if (to.value) q.set('end_date', to.value);
    let answer;
    try {
      answer = await get(`/inference-request/generations?${q}`);
    } catch (e) {
      status.appendChild(notice('error', e.message));
      return;
    }
    const pages = Math.max(1, answer.total_pages);
    const nav = h('div', {class: 'row pager'},
      h('button', {type: 'button', id: 'gen-prev', disabled: page <= 1, onclick: () => { page--; refresh(); }}, 'Newer'),
      h('span', {id: 'gen-page', class: 'muted'}, `Page ${answer.page} of ${pages}`),
      h('button', {type: 'button', id: 'gen-next', disabled: page >= pages, onclick: () => { page++; refresh(); }}, 'Older'));
    add(clear(out),
      h('p', {class: 'summary', id: 'gen-summary'}, `${int(answer.total)} generations`),
      table(['Created', 'Model', 'Status', 'Time', 'Cost', 'Seed', 'Output'], answer.generations.map(g => h('tr', {dataset: {requestId: g.request_id}},
        td(when(g.created_at)), td(g.model), td(h('span', {class: 'badge ' + g.status.toLowerCase(), title: g.error || null}, g.status)),
        td(`${Number(g.generation_time).toFixed(3)} s`, 'num'), td(usd(g.cost), 'num'), td(g.seed === null ? '—' : String(g.seed), 'num'),
        td(g.output_url ? h('button', {type: 'button', class: 'small', onclick: () => open(g)}, 'Open') : (g.error ? g.error : '—')))),
      {numeric: ['Time', 'Cost', 'Seed'], empty: 'No generations match.', class: 'gen-table'}),
      nav);
  }

  /** Shows a stored output as what it is (image, audio, video) with a link to the file; output URLs need no key. */
  async function open(g) {
    viewer.hidden = false;
    clear(viewer).appendChild(h('h2', {}, `Output of ${g.model}`));
    let type = '';
    try {
      const res = await fetch(g.output_url, {method: 'HEAD', credentials: 'omit', cache: 'no-store'});
      if (!res.ok) throw new Error(`the output answered ${res.status}`);
      type = res.headers.get('content-type') || '';
    } catch (e) {
      viewer.appendChild(notice('error', 'The output could not be opened: ' + e.message));
      return;
    }
    add(viewer, /^(image|audio|video)\//.test(type) ? media(type, g.output_url) : null,
      h('p', {}, h('a', {href: g.output_url, target: '_blank', rel: 'noopener noreferrer', id: 'gen-output-link'}, 'Open the file'),
        h('span', {class: 'muted'}, ` · ${type} · request ${g.request_id}`)));
    viewer.scrollIntoView({block: 'nearest'});
  }

  add(view, h('h1', {}, 'Generations'),
    h('p', {class: 'muted'}, 'Every model call of this account, newest first. Stored outputs (v2 media) can be opened while they are kept.'),
    form, status, out, viewer);
  // the filter offers every model this account may call
  get('/inference-model-information/list').then(list => {
    for (const m of list.models || []) model.appendChild(h('option', {value: m.slug}, m.slug));
  }).catch(() => {});
  await refresh();
}
