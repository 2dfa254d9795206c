// The account's workflows (SPEC §10) and the shared templates over /v1/workflows: open one in the editor, copy a
// template into an editable workflow of one's own, delete one's own.
import {h, add, clear, table, td, notice} from './dom.js';
import {get, post, del} from './api.js';

/** A template, or another account's public workflow: it can be opened, run and copied, not changed. */
export function readOnly(w) {
  return !!w.template || w.owned === false;
}

function ports(list) {
  return (list || []).map(p => `${p.name} (${p.type})`).join(', ') || '—';
}

/** Copies a workflow's latest graph into a new workflow owned by the caller; resolves to its id. */
async function duplicate(id, name) {
  const wf = await get(`/v1/workflows/${encodeURIComponent(id)}`);
  const made = await post('/v1/workflows', {name: name || `${wf.name} (copy)`, graph: wf.graph});
  return made.workflow_id;
}

export async function workflowsPage(view) {
  const status = h('div', {id: 'workflows-status'});
  const own = h('div', {id: 'workflows-list'});
  const templates = h('div', {id: 'templates-list'});
  const others = h('div', {id: 'public-list'});
  add(view, h('h1', {}, 'Workflows'),
    h('p', {class: 'muted'}, 'A workflow chains models and operations into a graph; each published version is an API: ',
      h('code', {}, 'POST /workflows/<id>-v<n>'), '.'),
    h('p', {}, h('a', {class: 'button primary', href: '#/workflows/new', id: 'workflow-new'}, 'New workflow')),
    status, h('h2', {}, 'Yours'), own, h('h2', {}, 'Templates'),
    h('p', {class: 'muted small'}, 'Shared with every account. Open one to run it, or copy it to change it.'), templates, others);

  async function copy(w) {
    clear(status);
    try {
      const id = await duplicate(w.workflow_id);
      location.hash = `#/workflows/${encodeURIComponent(id)}`;
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }

  async function remove(w) {
    if (!confirm(`Delete the workflow "${w.name}"? Its published API stops answering.`)) return;
    clear(status);
    try {
      await del(`/v1/workflows/${encodeURIComponent(w.workflow_id)}`);
      await refresh();
    } catch (e) {
      status.appendChild(notice('error', e.message));
    }
  }

  function row(w) {
    const open = h('a', {href: `#/workflows/${encodeURIComponent(w.workflow_id)}`}, h('strong', {}, w.name));
    return h('tr', {dataset: {workflowId: w.workflow_id}},
      td([open, h('br'), h('code', {class: 'small'}, w.workflow_id)]),
      td(w.version === null || w.version === undefined ? h('span', {class: 'muted'}, 'not published') : `v${w.version}`),
      td(ports(w.inputs)), td(ports(w.outputs)),
      td(h('div', {class: 'row'},
        h('button', {type: 'button', class: 'small', onclick: () => copy(w)}, readOnly(w) ? 'Copy to edit' : 'Duplicate'),
        readOnly(w) ? null : h('button', {type: 'button', class: 'small danger', onclick: () => remove(w)}, 'Delete'))));
  }

  async function refresh() {
    const answer = await get('/v1/workflows');
    const list = Array.isArray(answer) ? answer : (answer && (answer.workflows || answer.data)) || [];
    const headers = ['Workflow', 'Published', 'Inputs', 'Outputs', ''];
    clear(own).appendChild(table(headers, list.filter(w => !readOnly(w)).map(row), {empty: 'No workflows yet: start a new one or copy a template.'}));
    clear(templates).appendChild(table(headers, list.filter(w => w.template).map(row), {empty: 'No templates on this Hearth.'}));
    // other accounts' public workflows, when the server says which ones are not the caller's
    const shared = list.filter(w => !w.template && w.owned === false);
    clear(others);
    if (shared.length) add(others, h('h2', {}, 'Public workflows of other accounts'), table(headers, shared.map(row)));
  }
  await refresh();
}
