// Dedicated endpoints of the signed-in account (SPEC §9): create, edit and delete them over /endpoint/*, and
// watch each one's status and workers live (polled every second). Calls to an endpoint go to POST /v1/<name>.
import {h, add, clear, table, td, usd, int, notice} from './dom.js';
import {api, get} from './api.js';

const REFRESH_MS = 1000;

function badge(status) {
  return h('span', {class: 'badge status-' + status}, status);
}

/** A labelled input of the form; `id` is also the field's key in `fields`. */
function field(label, input, hint) {
  return h('label', {class: 'field'}, h('span', {}, label), input, hint ? h('span', {class: 'muted small'}, hint) : null);
}

export async function endpointsPage(view) {
  const [{data: models}, first] = await Promise.all([get('/v1/models'), get('/endpoint/list')]);
  const list = h('div', {id: 'endpoints-list'});
  const status = h('div', {id: 'endpoint-status'});
  let editing = null;   // the endpoint being edited, or null when the form creates one

  const inputs = {
    endpoint_name: h('input', {type: 'text', id: 'ep-name', required: true, maxlength: 128, placeholder: 'e.g. my-embedder', pattern: '[a-z0-9][a-z0-9._\\-]*'}),
    model_name: h('select', {id: 'ep-model', required: true},
      (models || []).filter(m => !m.disabled).map(m => h('option', {value: m.id}, m.id))),
    workers_min: h('input', {type: 'number', id: 'ep-min', min: 0, max: 10, value: 0}),
    workers_max: h('input', {type: 'number', id: 'ep-max', min: 1, max: 10, value: 1}),
    idle_timeout: h('input', {type: 'number', id: 'ep-idle', min: 1, value: 300}),
    execution_timeout: h('input', {type: 'number', id: 'ep-exec', min: 1, max: 3600, placeholder: 'the model\'s'}),
    scaler_value: h('input', {type: 'number', id: 'ep-scaler', min: 1, value: 1}),
    gpu_id: h('select', {id: 'ep-gpu'}, Object.entries(first.hardware || {cpu: 0}).map(([g, rate]) =>
      h('option', {value: g}, `${g} (${usd(rate)} per worker-hour)`))),
  };
  const submit = h('button', {type: 'submit', class: 'primary', id: 'ep-save'}, 'Create endpoint');
  const cancel = h('button', {type: 'button', id: 'ep-cancel', hidden: true, onclick: () => edit(null)}, 'Cancel');
  const title = h('h2', {}, 'New endpoint');

  function body() {
    const b = {scaler_type: 'REQUEST_COUNT'};
    for (const [k, el] of Object.entries(inputs)) {
      if (el.value === '') continue;
      b[k] = el.type === 'number' ? Number(el.value) : el.value;
    }
    if (editing) b.endpoint_id = editing.endpoint_id;
    return b;
  }

  function edit(e) {
    editing = e;
    title.textContent = e ? `Edit ${e.endpoint_name}` : 'New endpoint';
    submit.textContent = e ? 'Save changes' : 'Create endpoint';
    cancel.hidden = !e;
    for (const [k, el] of Object.entries(inputs)) {
      if (e) el.value = e[k] ?? '';
      else if (k === 'endpoint_name' || k === 'execution_timeout') el.value = '';
    }
    if (e) inputs.endpoint_name.focus();
  }

  const form = h('form', {class: 'card endpoint-form', id: 'endpoint-form', onsubmit: async ev => {
    ev.preventDefault();
    clear(status);
    try {
      const r = await api(editing ? 'PUT' : 'POST', editing ? '/endpoint/update' : '/endpoint/add', body());
      status.appendChild(notice('info', r.message));
      edit(null);
      await refresh();
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }}, title,
    h('div', {class: 'form-grid'},
      field('Name', inputs.endpoint_name, 'called as POST /v1/<name>'), field('Model', inputs.model_name),
      field('Workers min', inputs.workers_min, '0 scales to zero'), field('Workers max', inputs.workers_max, '1 to 10'),
      field('Idle timeout (s)', inputs.idle_timeout), field('Execution timeout (s)', inputs.execution_timeout),
      field('Calls per worker', inputs.scaler_value, 'REQUEST_COUNT target'), field('Hardware', inputs.gpu_id)),
    h('div', {class: 'row'}, submit, cancel));

  async function remove(e) {
    if (!confirm(`Delete the endpoint ${e.endpoint_name}? Its workers stop and its billing ends; calls to it get 404.`)) return;
    clear(status);
    try {
      const r = await api('DELETE', '/endpoint/delete', {endpoint_id: e.endpoint_id});
      status.appendChild(notice('info', r.message));
      if (editing && editing.endpoint_id === e.endpoint_id) edit(null);
      await refresh();
    } catch (err) {
      status.appendChild(notice('error', err.message));
    }
  }

  function draw(endpoints) {
    clear(list).appendChild(table(['Endpoint', 'Model', 'Status', 'Workers', 'Worker states', 'Billed', ''], endpoints.map(e =>
      h('tr', {dataset: {endpointName: e.endpoint_name}},
        td([h('strong', {}, e.endpoint_name), h('br'), h('code', {class: 'small'}, 'POST /v1/' + e.endpoint_name)]),
        td([e.model_name, h('br'), h('span', {class: 'muted small'}, `${e.gpu_id}, ${usd(e.hourly_rate)}/h`)]),
        td([badge(e.status), e.status_detail ? h('div', {class: 'muted small'}, e.status_detail) : null], 'ep-status'),
        td(h('span', {class: 'ep-count'}, `${int((e.workers || []).length)} up (${e.workers_min}–${e.workers_max})`), 'ep-workers'),
        td((e.workers || []).map(w => h('span', {class: 'badge worker-' + w.state, title: `${w.worker_id}: up ${Math.round(w.up_seconds)} s, ${w.calls_served} calls`}, w.state)), 'ep-worker-states'),
        td([usd(e.amount_billed), h('br'), h('span', {class: 'muted small'}, `${int(Math.round(e.worker_seconds_billed))} worker-s`)]),
        td([h('button', {type: 'button', class: 'small ep-edit', onclick: () => edit(e)}, 'Edit'), ' ',
          h('button', {type: 'button', class: 'danger small ep-delete', onclick: () => remove(e)}, 'Delete')]))),
    {empty: 'No endpoints yet.'}));
  }

  async function refresh() {
    const {endpoints} = await get('/endpoint/list');
    draw(endpoints);
  }

  add(view, h('h1', {}, 'Endpoints'),
    h('p', {class: 'muted'}, 'A dedicated endpoint is your own pool of workers for one model: it never shares the public queue, ',
      'scales between its minimum and maximum on load, and is billed per worker-second while a worker is up (boot included), ',
      'not per call. Status refreshes every second.'),
    form, status, list);
  draw(first.endpoints);
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}
