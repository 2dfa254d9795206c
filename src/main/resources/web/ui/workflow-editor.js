// The workflow editor (SPEC §10): a Drawflow canvas of input, model, operation and output nodes from the
// palette, wired port to port (types enforced here and again by the server), each node's parameters edited with
// a form from its JSON Schema; save as a new version, publish, and run the published version with a form made
// from the input nodes, watching each node's status and output while the run progresses.
//
// The canvas holds only the drawing. The graph itself (nodes with their params) lives in `nodes` below, and the
// edges are read back from the canvas's connections when saving (workflow-graph.js maps ports both ways).
import {h, add, clear, notice, usd} from './dom.js';
import {get, post, ApiError} from './api.js';
import {schemaForm} from './schema-form.js';
import {readOnly} from './workflows.js';
import {INPUT_TYPES, autoLayout, canFeed, edgesFromCanvas, freshId, freshName, nodeNamedIn, outputType, paletteEntry,
  parseEnd, portClass, portIndex, portsOf} from './workflow-graph.js';

const POLL_MS = 1000;
const PORT_ROW_PX = 26;   // one port's height on a node (see the ports in style.css)
const HEAD_PX = 46;       // where the first port sits, under the node's head (style.css)
const LABEL_ROOM = 27;    // characters of two port labels that fit side by side on a 190 px node
const NODE_COLUMNS = {input: 0, operation: 1, model: 1, output: 3};
const COL_PX = 250;
const GAP_PX = 30;
const DONE = new Set(['COMPLETED', 'FAILED']);

let drawflowLoading = null;

/** A stylesheet or script from this origin (the CSP allows nothing else), resolved once it has loaded. */
function loaded(el, what) {
  return new Promise((resolve, reject) => {
    el.addEventListener('load', () => resolve());
    el.addEventListener('error', () => reject(new Error(`The editor's ${what} could not be loaded.`)));
  });
}

/**
 * Loads the vendored canvas library and the editor's styles once, when the editor first opens: the library's CSS
 * before style.css and the editor's after it, so the dashboard's rules win over the library's defaults.
 */
function loadDrawflow() {
  if (window.Drawflow) return Promise.resolve(window.Drawflow);
  drawflowLoading ||= (async () => {
    const libCss = h('link', {rel: 'stylesheet', href: '/ui/vendor/drawflow/drawflow.min.css'});
    const ownCss = h('link', {rel: 'stylesheet', href: '/ui/workflow-editor.css'});
    const script = h('script', {src: '/ui/vendor/drawflow/drawflow.min.js'});
    const waits = [loaded(libCss, 'canvas styles'), loaded(ownCss, 'styles'), loaded(script, 'canvas library')];
    document.head.insertBefore(libCss, document.querySelector('link[rel=stylesheet]'));
    document.head.append(ownCss, script);
    try {
      await Promise.all(waits);
    } catch (e) {
      drawflowLoading = null;
      for (const el of [libCss, ownCss, script]) el.remove();
      throw e;
    }
    return window.Drawflow;
  })();
  return drawflowLoading;
}

function latestVersion(wf) {
  if (wf.latest_version !== undefined && wf.latest_version !== null) return wf.latest_version;
  const vs = (wf.versions || []).map(v => (typeof v === 'object' ? v.version : v)).filter(v => typeof v === 'number');
  return vs.length ? Math.max(...vs) : (wf.version ?? null);
}

export async function workflowEditorPage(view, id) {
  const isNew = id === 'new';
  let [Drawflow, palette, wf] = await Promise.all([loadDrawflow(), get('/v1/workflows/palette'),
    isNew ? null : get(`/v1/workflows/${encodeURIComponent(id)}`)]);
  if (wf && readOnly(wf) && wf.version !== null && wf.version !== undefined && latestVersion(wf) !== wf.version) {
    // what someone else's workflow offers is its published version, not a newer draft
    wf = {...await get(`/v1/workflows/${encodeURIComponent(id)}?version=${wf.version}`), latest_version: wf.version};
  }

  const state = {
    id: wf ? wf.workflow_id : null,
    readOnly: !!wf && readOnly(wf),   // a template or another account's public workflow: run and copy, not edit
    published: wf ? (wf.version ?? null) : null,   // the latest published version: the one Run calls
    version: wf ? latestVersion(wf) : null,          // the version on the canvas, until it is edited
    dirty: false,
  };
  const nodes = new Map();   // graph node id → {node, dfId, ports, el}
  const byDf = new Map();    // Drawflow node id → graph node id
  let loading = false;       // true while the canvas is filled from a saved graph: no checks, not an edit
  let refusing = false;      // true while a refused connection is taken back
  let alive = true;
  let runSeq = 0;
  let selected = null;

  // ---- page ---------------------------------------------------------------------------------------------------
  const nameInput = h('input', {type: 'text', id: 'wf-name', value: wf ? wf.name : 'Untitled workflow', 'aria-label': 'Workflow name',
    maxlength: 200, disabled: state.readOnly, oninput: () => markDirty()});
  const versionInfo = h('span', {id: 'wf-version', class: 'muted'});
  const publicBox = h('input', {type: 'checkbox', id: 'wf-public', checked: !!(wf && wf.public), disabled: state.readOnly,
    onchange: () => markDirty()});
  const message = h('div', {id: 'wf-message', 'aria-live': 'polite'});
  const saveBtn = h('button', {type: 'button', id: 'wf-save', class: 'primary', onclick: () => save()}, 'Save version');
  const publishBtn = h('button', {type: 'button', id: 'wf-publish', onclick: () => publish()}, 'Publish');
  const copyBtn = h('button', {type: 'button', id: 'wf-copy', onclick: () => copy()}, 'Copy to edit');
  const canvasEl = h('div', {id: 'wf-canvas', class: 'wf-canvas', 'aria-label': 'Workflow canvas'});
  const inspector = h('aside', {id: 'wf-inspector', class: 'card wf-inspector'});
  const runForm = h('div', {id: 'wf-run-form'});
  const runBtn = h('button', {type: 'submit', id: 'wf-run-button', class: 'primary'}, 'Run');
  const runNote = h('span', {id: 'wf-run-note', class: 'muted small'});
  const runStatus = h('div', {id: 'wf-run-status', 'aria-live': 'polite'});
  const outputsBox = h('div', {id: 'wf-outputs', class: 'wf-outputs'});

  add(view,
    h('p', {}, h('a', {href: '#/workflows'}, '← Workflows')),
    h('div', {class: 'wf-head'}, h('h1', {class: 'sr-only'}, wf ? wf.name : 'New workflow'), nameInput,
      state.readOnly ? h('span', {class: 'badge', id: 'wf-template'}, wf.template ? 'template' : 'read-only') : null, versionInfo),
    h('div', {class: 'row wf-toolbar'}, state.readOnly ? copyBtn : [saveBtn, publishBtn,
      h('label', {class: 'wf-public', title: 'Other accounts may call the published version'}, publicBox, ' Public')],
      h('button', {type: 'button', onclick: () => arrange()}, 'Arrange'),
      h('button', {type: 'button', 'aria-label': 'Zoom in', onclick: () => editor.zoom_in()}, '+'),
      h('button', {type: 'button', 'aria-label': 'Zoom out', onclick: () => editor.zoom_out()}, '−')),
    message,
    h('div', {class: 'wf-editor'}, paletteBox(), canvasEl),
    h('div', {class: 'wf-below'}, inspector,
      h('form', {class: 'card wf-run', id: 'wf-run', onsubmit: ev => { ev.preventDefault(); run(); }},
        h('h2', {}, 'Run'), runForm, h('div', {class: 'row'}, runBtn, runNote), runStatus, outputsBox)));

  const editor = new Drawflow(canvasEl);
  editor.start();

  // ---- canvas events --------------------------------------------------------------------------------------------
  editor.on('connectionCreated', c => {
    if (loading) return;
    const from = nodes.get(byDf.get(String(c.output_id)));
    const to = nodes.get(byDf.get(String(c.input_id)));
    const out = from && from.ports.outputs[portIndex(c.output_class)];
    const inp = to && to.ports.inputs[portIndex(c.input_class)];
    let refusal = null;
    if (!out || !inp) refusal = 'That connection joins no known ports.';
    else if (!canFeed(out.type, inp.type)) {
      refusal = `Not connected: ${from.node.id}.${out.name} gives ${out.type}, but ${to.node.id}.${inp.name} takes ${inp.type}` +
        (inp.type === 'json' ? '.' : ` (only ${inp.type}, or anything into a json port).`);
    } else if (editor.getNodeFromId(c.input_id).inputs[c.input_class].connections.length > 1) {
      refusal = `Not connected: ${to.node.id}.${inp.name} is already wired; remove that connection first.`;
    }
    if (refusal) {
      refusing = true;
      try { editor.removeSingleConnection(c.output_id, c.input_id, c.output_class, c.input_class); } finally { refusing = false; }
      say('error', refusal, 'wf-refused');
      return;
    }
    // a model input is either wired or fixed in params, never both: the wire wins
    if (to.node.params && inp.name in to.node.params && to.node.type === 'model') {
      delete to.node.params[inp.name];
      if (selected === to.node.id) showInspector(selected);
    }
    say(null);
    markDirty();
    if (selected) showInspector(selected);
  });
  editor.on('connectionRemoved', () => {
    if (loading || refusing) return;
    markDirty();
    if (selected) showInspector(selected);
  });
  editor.on('nodeRemoved', dfId => {
    const gid = byDf.get(String(dfId));
    byDf.delete(String(dfId));
    const entry = nodes.get(gid);
    nodes.delete(gid);
    if (selected === gid) showInspector(null);
    markDirty();
    if (entry && entry.node.type === 'input') buildRunForm();
  });
  // selection by our own listener, so that a template (a canvas fixed in place) can still be inspected
  canvasEl.addEventListener('click', ev => {
    const el = ev.target.closest && ev.target.closest('.drawflow-node');
    if (el) showInspector(byDf.get(el.id.slice('node-'.length)));
  });
  editor.on('nodeUnselected', () => { if (!state.readOnly) showInspector(null); });

  // ---- nodes ---------------------------------------------------------------------------------------------------
  function paletteBox() {
    const group = (title, items) => h('div', {class: 'wf-palette-group'}, h('h3', {}, title), items);
    const addBtn = (key, label, title, make) => h('button', {type: 'button', class: 'wf-add', dataset: {add: key}, title,
      disabled: state.readOnly, onclick: () => { const n = make(); placeNew(n); }}, label);
    const models = palette.models || [];
    const ops = palette.operations || [];
    return h('div', {id: 'wf-palette', class: 'wf-palette card', 'aria-label': 'Palette'},
      group('Inputs', (palette.input_types || INPUT_TYPES).map(t => addBtn(`input:${t}`, `${t} input`, `An input of type ${t}`,
        () => ({id: freshId('in_' + t, new Set(nodes.keys())), type: 'input', name: freshName(t, graphNodes(), 'input'), params: {type: t}})))),
      group('Operations', ops.length ? ops.map(o => addBtn(`operation:${o.operation}`, o.title || o.operation, o.operation,
        () => ({id: freshId(o.operation, new Set(nodes.keys())), type: 'operation', name: o.title || o.operation, operation: o.operation, params: {}})))
        : h('p', {class: 'muted small'}, 'None available.')),
      group('Models', models.length ? models.map(m => addBtn(`model:${m.model}`, m.title || m.model, m.model,
        () => ({id: freshId(m.model, new Set(nodes.keys())), type: 'model', name: m.title || m.model, model: m.model, params: {}})))
        : h('p', {class: 'muted small'}, 'No models in the catalog.')),
      group('Outputs', addBtn('output', 'output', 'A result of the run, named in its output',
        () => ({id: freshId('out', new Set(nodes.keys())), type: 'output', name: freshName('result', graphNodes(), 'output'), params: {}}))));
  }

  function graphNodes() {
    return [...nodes.values()].map(e => e.node);
  }

  /** A new node from the palette goes to its kind's column, below what is already there, and is selected. */
  function placeNew(node) {
    const zoom = editor.zoom || 1;
    const x = 40 + NODE_COLUMNS[node.type] * COL_PX - editor.canvas_x / zoom;
    const data = editor.drawflow.drawflow[editor.module].data;
    let y = 30 - editor.canvas_y / zoom;
    for (const e of nodes.values()) {
      const d = data[e.dfId];
      if (Math.abs(d.pos_x - x) < COL_PX / 2) y = Math.max(y, d.pos_y + e.el.offsetHeight + GAP_PX);
    }
    addNode(node, [x, y]);
    markDirty();
    if (node.type === 'input') buildRunForm();
    showInspector(node.id);
  }

  function addNode(node, [x, y]) {
    const ports = portsOf(node, palette);
    const dfId = String(editor.addNode(node.id, ports.inputs.length, ports.outputs.length, x, y, `wf-node wf-${node.type}`, {}, ''));
    const el = canvasEl.querySelector(`#node-${dfId}`);
    const entry = {node, dfId, ports, el};
    nodes.set(node.id, entry);
    byDf.set(dfId, node.id);
    draw(entry);
    if (node.type !== 'input' && node.type !== 'output' && !paletteEntry(node, palette)) {
      say('error', `Node '${node.id}': ${node.type} ${node.model || node.operation} is not available on this Hearth.`);
    }
    return entry;
  }

  /** Fills a node's box: its kind and title, port labels (CSS draws them from data-label), status and preview. */
  function draw(entry) {
    const {node, ports, el} = entry;
    el.dataset.nodeId = node.id;
    el.dataset.kind = node.type;
    el.querySelectorAll('.inputs .input').forEach((p, i) => labelPort(p, ports.inputs[i]));
    el.querySelectorAll('.outputs .output').forEach((p, i) => labelPort(p, ports.outputs[i]));
    // inputs and outputs side by side, unless a row's two labels would run into each other: then the outputs
    // go below the inputs
    const stacked = ports.inputs.some((p, i) => ports.outputs[i] && label(p).length + label(ports.outputs[i]).length > LABEL_ROOM);
    el.querySelector('.outputs').style.paddingTop = stacked ? HEAD_PX + ports.inputs.length * PORT_ROW_PX + 'px' : '';
    const spacer = h('div', {class: 'wf-node-ports'});
    spacer.style.height = (stacked ? ports.inputs.length + ports.outputs.length : Math.max(ports.inputs.length, ports.outputs.length)) * PORT_ROW_PX + 'px';
    clear(el.querySelector('.drawflow_content_node')).append(
      h('div', {class: 'wf-node-head'},
        h('div', {class: 'wf-node-kind'}, kindLabel(node)),
        h('div', {class: 'wf-node-title'}, title(node))),
      spacer,
      h('div', {class: 'wf-node-foot'}, h('span', {class: 'wf-node-status'}), h('div', {class: 'wf-node-preview'})));
  }

  function label(port) {
    return `${port.name} · ${port.type}`;
  }

  function labelPort(el, port) {
    if (!port) return;
    el.dataset.label = port.name;
    el.dataset.type = port.type;
    el.title = `${port.name}: ${port.type}${port.required ? ' (required)' : ''}`;
    if (port.required) el.dataset.required = '';
  }

  function kindLabel(node) {
    switch (node.type) {
      case 'input': return `input · ${(node.params && node.params.type) || 'text'}`;
      case 'output': return 'output';
      case 'model': return `model · ${node.model}`;
      default: return `operation · ${node.operation}`;
    }
  }

  function title(node) {
    const entry = paletteEntry(node, palette);
    return node.name || (entry && entry.title) || node.model || node.operation || node.id;
  }

  /** A node's height on the canvas before it is drawn: head, one row per port, room for a status and preview. */
  function heightOf(node) {
    const e = nodes.get(node.id);
    if (e && e.el.offsetHeight) return e.el.offsetHeight;
    const p = portsOf(node, palette);
    return HEAD_PX + (p.inputs.length + p.outputs.length) * PORT_ROW_PX + 40;
  }

  function arrange() {
    const graph = currentGraph();
    const pos = autoLayout(graph, {colWidth: COL_PX, gap: GAP_PX, heightOf});
    const data = editor.drawflow.drawflow[editor.module].data;
    for (const {node, dfId, el} of nodes.values()) {
      const [x, y] = pos[node.id];
      data[dfId].pos_x = x;
      data[dfId].pos_y = y;
      el.style.left = x + 'px';
      el.style.top = y + 'px';
    }
    for (const {dfId} of nodes.values()) editor.updateConnectionNodes('node-' + dfId);
  }

  function load(graph) {
    loading = true;
    try {
      const pos = autoLayout(graph, {colWidth: COL_PX, gap: GAP_PX, heightOf});
      for (const node of graph.nodes || []) addNode(structuredClone(node), pos[node.id]);
      for (const e of graph.edges || []) {
        const from = parseEnd(e.from);
        const to = parseEnd(e.to);
        const a = nodes.get(from.node);
        const b = nodes.get(to.node);
        const outCls = a && portClass(a.ports, 'output', from.port);
        const inCls = b && portClass(b.ports, 'input', to.port);
        if (outCls && inCls) editor.addConnection(a.dfId, b.dfId, outCls, inCls);
      }
    } finally {
      loading = false;
    }
  }

  function currentGraph() {
    const idOf = dfId => byDf.get(String(dfId));
    const portsById = Object.fromEntries([...nodes.entries()].map(([gid, e]) => [gid, e.ports]));
    return {nodes: graphNodes().map(n => structuredClone(n)), edges: edgesFromCanvas(editor.export().drawflow[editor.module].data, idOf, portsById)};
  }

  // ---- inspector: the selected node's name and parameters ------------------------------------------------------
  function showInspector(gid) {
    selected = gid && nodes.has(gid) ? gid : null;
    for (const e of nodes.values()) e.el.classList.toggle('wf-selected', e.node.id === selected);
    clear(inspector);
    if (!selected) {
      add(inspector, h('h2', {}, 'Node'), h('p', {class: 'muted'}, state.readOnly
        ? 'Read-only: click a node to see its settings, or copy the workflow to change it.'
        : 'Add nodes from the palette and drag from an output port (right) to an input port (left) to wire them. Click a node to set its parameters; select it and press Delete to remove it.'));
      return;
    }
    const entry = nodes.get(selected);
    const node = entry.node;
    const errors = h('div', {class: 'wf-inspector-error'});
    const fields = h('fieldset', {class: 'wf-fields', disabled: state.readOnly});
    add(inspector, h('h2', {}, title(node)), h('p', {class: 'muted small'}, h('code', {}, node.id), ' · ', kindLabel(node)), fields, errors);

    const nameField = h('input', {type: 'text', id: 'wf-node-name', value: node.name || '', maxlength: 100});
    nameField.addEventListener('input', () => {
      node.name = nameField.value.trim();
      entry.el.querySelector('.wf-node-title').textContent = title(node);
      markDirty();
      if (node.type === 'input') buildRunForm();
    });
    add(fields, h('div', {class: 'field'}, h('label', {for: 'wf-node-name'}, node.type === 'input' ? 'Name (the run input key)'
      : node.type === 'output' ? 'Name (the keyname in the run output)' : 'Label'), nameField));

    if (entry.ports.inputs.length) wireFields(entry, fields);
    if (node.type === 'input') {
      inputFields(entry, fields);
    } else if (node.type === 'model' || node.type === 'operation') {
      const pe = paletteEntry(node, palette);
      const wired = currentGraph().edges.filter(e => parseEnd(e.to).node === node.id).map(e => parseEnd(e.to).port);
      const form = schemaForm(withoutWired(pe ? pe.params_schema : {type: 'object'}, node.type === 'model' ? wired : []),
        {values: node.params, idPrefix: 'wf-param-'});
      const update = () => {
        clear(errors);
        try {
          node.params = form.read();
          markDirty();
        } catch (e) {
          errors.appendChild(notice('error', e.message));
        }
      };
      form.element.addEventListener('input', update);
      form.element.addEventListener('change', update);
      add(fields, form.element);
    }
  }

  /**
   * One select per input port listing the outputs that may feed it: the same wiring as dragging on the canvas
   * (and checked by the same handler), for the keyboard and for precise work on a crowded canvas.
   */
  function wireFields(entry, fields) {
    const dfNode = editor.getNodeFromId(entry.dfId);
    const box = h('div', {class: 'wf-wires'}, h('h3', {}, 'Inputs'));
    entry.ports.inputs.forEach((inp, i) => {
      const inCls = `input_${i + 1}`;
      const current = dfNode.inputs[inCls].connections[0];
      const options = [h('option', {value: ''}, inp.required ? '— not wired (required) —' : '— not wired —')];
      for (const other of nodes.values()) {
        if (other === entry) continue;
        other.ports.outputs.forEach((out, k) => {
          if (!canFeed(out.type, inp.type)) return;
          const value = `${other.dfId}|output_${k + 1}`;
          options.push(h('option', {value, selected: !!current && current.node === other.dfId && current.input === `output_${k + 1}`},
            `${other.node.id}.${out.name} (${out.type})`));
        });
      }
      const id = `wf-wire-${inp.name.replace(/[^a-z0-9_-]/gi, '_')}`;
      const sel = h('select', {id}, options);
      sel.addEventListener('change', () => {
        for (const c of [...editor.getNodeFromId(entry.dfId).inputs[inCls].connections]) {
          editor.removeSingleConnection(c.node, entry.dfId, c.input, inCls);
        }
        if (sel.value) {
          const [fromDf, outCls] = sel.value.split('|');
          editor.addConnection(fromDf, entry.dfId, outCls, inCls);
        }
        markDirty();
        showInspector(entry.node.id);
      });
      add(box, h('div', {class: 'field wf-wire'}, h('label', {for: id}, `${inp.name} · ${inp.type}`), sel));
    });
    fields.appendChild(box);
  }

  /** A model's schema less the inputs that are wired: those take their value from the graph, not from params. */
  function withoutWired(schema, wired) {
    if (!wired.length || !schema || !schema.properties) return schema;
    const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !wired.includes(k)));
    return {...schema, properties, required: (schema.required || []).filter(k => !wired.includes(k)), oneOf: undefined, anyOf: undefined};
  }

  function inputFields(entry, fields) {
    const node = entry.node;
    node.params ||= {};
    const typeSel = h('select', {id: 'wf-input-type'}, (palette.input_types || INPUT_TYPES).map(t =>
      h('option', {value: t, selected: (node.params.type || 'text') === t}, t)));
    const def = h('input', {type: node.params.type === 'number' ? 'number' : 'text', step: 'any', id: 'wf-input-default',
      value: node.params.default === undefined ? '' : String(node.params.default),
      placeholder: node.params.type === 'image' || node.params.type === 'audio' ? 'a URL (optional)' : '(none: the run must give it)'});
    typeSel.addEventListener('change', () => {
      node.params.type = typeSel.value;
      def.type = typeSel.value === 'number' ? 'number' : 'text';
      retypeInput(entry);
    });
    def.addEventListener('input', () => {
      if (def.value === '') delete node.params.default;
      else node.params.default = node.params.type === 'number' ? Number(def.value) : def.value;
      markDirty();
      buildRunForm();
    });
    add(fields, h('div', {class: 'field'}, h('label', {for: 'wf-input-type'}, 'Type'), typeSel),
      h('div', {class: 'field'}, h('label', {for: 'wf-input-default'}, 'Default'), def));
  }

  /** An input node's type changed: its port takes the new type and connections that no longer fit are removed. */
  function retypeInput(entry) {
    entry.ports = portsOf(entry.node, palette);
    draw(entry);
    const out = entry.ports.outputs[0];
    const dropped = [];
    for (const c of [...editor.getNodeFromId(entry.dfId).outputs.output_1.connections]) {
      const to = nodes.get(byDf.get(String(c.node)));
      const inp = to && to.ports.inputs[portIndex(c.output)];
      if (inp && !canFeed(out.type, inp.type)) {
        editor.removeSingleConnection(entry.dfId, c.node, 'output_1', c.output);
        dropped.push(`${to.node.id}.${inp.name} (${inp.type})`);
      }
    }
    if (dropped.length) say('info', `Removed connections that no longer fit a ${out.type} input: ${dropped.join(', ')}.`);
    markDirty();
    buildRunForm();
  }

  // ---- save, publish, copy --------------------------------------------------------------------------------------
  function say(kind, text, id) {
    clear(message);
    if (kind) {
      const n = notice(kind, text);
      if (id) n.id = id;
      message.appendChild(n);
    }
  }

  function markDirty() {
    if (loading) return;
    state.dirty = true;
    showState();
  }

  function highlight(gid) {
    for (const e of nodes.values()) e.el.classList.toggle('wf-node-error', e.node.id === gid);
    if (gid && nodes.has(gid)) showInspector(gid);
  }

  function showState() {
    const parts = [];
    if (state.version !== null) parts.push(`version ${state.version}`);
    parts.push(state.published !== null ? `published: v${state.published}` : 'not published');
    if (state.dirty) parts.push('unsaved changes');
    versionInfo.textContent = parts.join(' · ');
    saveBtn.disabled = !state.dirty && state.id !== null;
    publishBtn.disabled = state.dirty || state.version === null || state.version === state.published;
    const runnable = state.published !== null && !state.dirty && state.version === state.published;
    runBtn.disabled = !runnable;
    runNote.textContent = runnable ? `Runs POST /workflows/${state.id}-v${state.published}.`
      : state.dirty || state.version === null ? 'Save and publish this version to run it.'
        : state.published === null ? 'Publish a version to run it.' : `Publish version ${state.version} to run what is on the canvas.`;
  }

  async function save() {
    const body = {name: nameInput.value.trim() || 'Untitled workflow', graph: currentGraph(), public: publicBox.checked};
    if (state.id) body.workflow_id = state.id;
    saveBtn.disabled = true;
    highlight(null);
    try {
      const made = await post('/v1/workflows', body);
      state.id = made.workflow_id;
      // the answer is the workflow's view: latest_version is the one just saved (version is the published one)
      if (made.latest_version !== undefined) {
        state.version = made.latest_version;
        state.published = made.version ?? null;
      } else {
        state.version = made.version;
      }
      state.dirty = false;
      // the URL names the workflow from now on, without drawing the page again
      history.replaceState(null, '', `#/workflows/${encodeURIComponent(state.id)}`);
      say('info', `Saved as version ${state.version}.`, 'wf-saved');
    } catch (e) {
      say('error', e.message, 'wf-save-error');
      highlight(nodeNamedIn(e.message));
    } finally {
      showState();
    }
  }

  async function publish() {
    publishBtn.disabled = true;
    try {
      await post(`/v1/workflows/${encodeURIComponent(state.id)}/publish`, {version: state.version});
      state.published = state.version;
      say('info', `Version ${state.version} is published: POST /workflows/${state.id}-v${state.version}.`, 'wf-published');
    } catch (e) {
      say('error', e.message);
    } finally {
      showState();
    }
  }

  /** Copies what is on the canvas (the published version of someone else's workflow) into a workflow of one's own. */
  async function copy() {
    try {
      const made = await post('/v1/workflows', {name: `${nameInput.value.trim() || 'Workflow'} (copy)`, graph: currentGraph()});
      const newId = made.workflow_id;
      location.hash = `#/workflows/${encodeURIComponent(newId)}`;
    } catch (e) {
      say('error', e.message);
    }
  }

  // ---- run ------------------------------------------------------------------------------------------------------
  let readRun = () => ({});

  /** The run form: one field per input node, typed like it; an input without a default is required. */
  function buildRunForm() {
    const properties = {};
    const required = [];
    for (const n of graphNodes().filter(n => n.type === 'input' && n.name)) {
      const t = (n.params && n.params.type) || 'text';
      const s = t === 'number' ? {type: 'number'}
        : t === 'image' || t === 'audio' ? {type: 'string', format: 'uri', contentMediaType: `${t}/*`}
          : {type: 'string'};
      if (n.params && n.params.default !== undefined) s.default = n.params.default;
      else required.push(n.name);
      properties[n.name] = s;
    }
    const form = schemaForm({type: 'object', properties, required}, {idPrefix: 'wf-run-'});
    readRun = form.read;
    clear(runForm).appendChild(Object.keys(properties).length ? form.element : h('p', {class: 'muted'}, 'This workflow has no inputs.'));
  }

  async function run() {
    let body;
    try { body = readRun(); } catch (e) { clear(runStatus).appendChild(notice('error', e.message)); return; }
    const seq = ++runSeq;
    runBtn.disabled = true;
    clear(outputsBox);
    highlight(null);
    for (const e of nodes.values()) showNode(e, {status: 'pending'});
    clear(runStatus).appendChild(h('p', {}, statusBadge('QUEUED')));
    try {
      const started = await post(`/workflows/${encodeURIComponent(state.id)}-v${state.published}`, body);
      // poll the same-origin path: poll_url carries the public URL, which may be another origin (CSP connect-src)
      let answer;
      while (alive && seq === runSeq) {
        answer = await get(`/workflows/request/${encodeURIComponent(started.request_id)}`);
        showProgress(answer, started.request_id);
        if (DONE.has(answer.status)) break;
        await new Promise(r => setTimeout(r, POLL_MS));
      }
    } catch (e) {
      if (seq === runSeq) {
        clear(runStatus).appendChild(notice('error', e.message));
        highlight(nodeNamedIn(e.message));
      }
    } finally {
      if (seq === runSeq) showState();
    }
  }

  function statusBadge(s) {
    return h('span', {class: 'badge run-' + String(s).toLowerCase(), id: 'wf-run-badge', dataset: {status: s}}, s);
  }

  function showProgress(a, requestId) {
    for (const n of a.nodes || []) {
      const e = nodes.get(n.id);
      if (e) showNode(e, n);
    }
    clear(runStatus).appendChild(h('p', {}, statusBadge(a.status), ' ', h('code', {class: 'small'}, requestId),
      a.cost !== undefined && a.cost !== null ? h('span', {id: 'wf-run-cost'}, ` · cost ${usd(a.cost)}`) : null));
    if (a.status === 'FAILED') {
      runStatus.appendChild(notice('error', a.error || 'The run failed.'));
      highlight(nodeNamedIn(a.error) || ((a.nodes || []).find(n => n.status === 'failed') || {}).id);
    }
    if (a.status === 'COMPLETED') showOutputs(a.output);
  }

  function showNode(entry, n) {
    const badge = entry.el.querySelector('.wf-node-status');
    badge.textContent = n.status;
    badge.className = 'wf-node-status badge node-' + n.status;
    entry.el.dataset.status = n.status;
    const box = clear(entry.el.querySelector('.wf-node-preview'));
    if (n.status === 'failed' && n.error) box.appendChild(h('div', {class: 'error small'}, n.error));
    else if (n.output !== undefined && n.output !== null) {
      const media = entry.ports.outputs.some(p => p.type === 'image') && typeof n.output === 'string' && /^(https?:\/\/|data:image\/|\/)/.test(n.output);
      box.appendChild(media ? h('img', {src: n.output, alt: `${entry.node.id} output`, class: 'wf-preview-image'}) : preview(n.output, 140));
    }
  }

  function showOutputs(output) {
    let list;
    try { list = typeof output === 'string' ? JSON.parse(output) : output; } catch { list = null; }
    clear(outputsBox);
    if (!Array.isArray(list)) { outputsBox.appendChild(h('pre', {class: 'output'}, String(output))); return; }
    const graph = currentGraph();
    for (const item of list) {
      const outNode = graph.nodes.find(n => n.type === 'output' && n.name === item.keyname);
      const type = outNode ? outputType(graph, outNode.id, palette) : null;
      const data = item.value ? item.value.data : undefined;
      add(outputsBox, h('div', {class: 'wf-output card', dataset: {keyname: item.keyname, type: type || ''}},
        h('div', {class: 'muted small'}, item.keyname, type ? ` · ${type}` : ''),
        h('div', {class: 'wf-output-value'}, type === 'image' || looksLikeImage(data)
          ? h('img', {src: String(data), alt: item.keyname, class: 'output-media'})
          : typeof data === 'string' ? h('pre', {class: 'output'}, data)
            : h('pre', {class: 'output'}, typeof data === 'number' ? String(data) : JSON.stringify(data, null, 2)))));
    }
  }

  // ---- start ----------------------------------------------------------------------------------------------------
  if (wf && wf.graph) load(wf.graph);
  // a template stays as its owner published it: the canvas can be panned and its nodes inspected, not edited
  if (state.readOnly) editor.editor_mode = 'fixed';
  buildRunForm();
  showInspector(null);
  showState();
  // closing the tab with unsaved changes asks first (moving to another page of the dashboard does not)
  const guard = ev => { if (state.dirty) ev.preventDefault(); };
  window.addEventListener('beforeunload', guard);
  return () => {
    alive = false;
    window.removeEventListener('beforeunload', guard);
  };
}

function looksLikeImage(v) {
  return typeof v === 'string' && (/^data:image\//.test(v) || /^https?:\/\/\S+\.(png|jpe?g|webp|gif)(\?\S*)?$/i.test(v));
}

/** A small view of a node's output: a number, a text, an image, a vector's size, or JSON cut short. */
function preview(v, max) {
  if (typeof v === 'number') return h('code', {class: 'wf-preview-number'}, String(v));
  if (looksLikeImage(v)) return h('img', {src: v, alt: 'node output', class: 'wf-preview-image'});
  if (typeof v === 'string') return h('div', {class: 'wf-preview-text'}, v.length > max ? v.slice(0, max) + '…' : v);
  if (Array.isArray(v) && v.length && v.every(x => typeof x === 'number')) {
    return h('div', {class: 'wf-preview-text'}, `vector · ${v.length} · [${v.slice(0, 3).map(x => x.toFixed(3)).join(', ')}${v.length > 3 ? ', …' : ''}]`);
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length === 1) return preview(entries[0][1], max);
    if (entries.length <= 3 && entries.every(([, x]) => typeof x !== 'object' || x === null || Array.isArray(x))) {
      return h('div', {}, entries.map(([k, x]) => h('div', {class: 'wf-preview-row'}, h('span', {class: 'muted'}, k + ': '), preview(x, Math.floor(max / 2)))));
    }
  }
  const s = JSON.stringify(v);
  return h('code', {class: 'wf-preview-text'}, s.length > max ? s.slice(0, max) + '…' : s);
}
