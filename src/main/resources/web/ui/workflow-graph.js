// Workflow graphs (SPEC §10) as the editor sees them: the ports of each node, which port types may be wired
// together, where each node goes on the canvas, and the edges read back from the canvas. Pure functions, no DOM:
// the canvas library (Drawflow) numbers its ports input_1, output_1…, the graph names them; this module maps one
// onto the other.

export const INPUT_TYPES = ['text', 'image', 'audio', 'number'];

/** An output of type `from` may feed an input of the same type, and anything may feed a json input. */
export function canFeed(from, to) {
  return from === to || to === 'json';
}

/** "node.port" → {node, port}; the node id is everything before the last dot. */
export function parseEnd(end) {
  const i = String(end).lastIndexOf('.');
  return i < 0 ? {node: String(end), port: ''} : {node: end.slice(0, i), port: end.slice(i + 1)};
}

/** The palette entry a model or operation node refers to, or null when the palette has none by that name. */
export function paletteEntry(node, palette) {
  if (node.type === 'model') return (palette.models || []).find(m => m.model === node.model) || null;
  if (node.type === 'operation') return (palette.operations || []).find(o => o.operation === node.operation) || null;
  return null;
}

/**
 * The ports of a graph node: {inputs: [{name, type, required}], outputs: [{name, type}]}. An input node has one
 * output `value` of its declared type; an output node one input `value` that takes any type (shown as json).
 */
export function portsOf(node, palette) {
  if (node.type === 'input') return {inputs: [], outputs: [{name: 'value', type: (node.params && node.params.type) || 'text'}]};
  if (node.type === 'output') return {inputs: [{name: 'value', type: 'json', required: true}], outputs: []};
  const entry = paletteEntry(node, palette);
  return entry ? {inputs: entry.inputs || [], outputs: entry.outputs || []} : {inputs: [], outputs: []};
}

/** A fresh node id from a readable stem (a slug or operation name), unique among `taken`. */
export function freshId(stem, taken) {
  const base = String(stem).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  for (let n = 1; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A fresh input or output name (the run's input keys and output keynames must be unique). */
export function freshName(stem, nodes, type) {
  const taken = new Set(nodes.filter(n => n.type === type).map(n => n.name));
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}_${n}`)) return `${stem}_${n}`;
}

/**
 * Canvas positions laid out by dependency depth: a node with no incoming edge sits in the first column, every
 * other one a column right of its deepest predecessor; within a column nodes stack in graph order, each as tall
 * as `heightOf(node)` says. Cycles (which the server refuses anyway) are cut so the layout always ends.
 * Returns {id: [x, y]}.
 */
export function autoLayout(graph, {colWidth = 250, gap = 30, left = 40, top = 30, heightOf = () => 160} = {}) {
  const nodes = graph.nodes || [];
  const preds = new Map(nodes.map(n => [n.id, []]));
  for (const e of graph.edges || []) {
    const from = parseEnd(e.from).node;
    const to = parseEnd(e.to).node;
    if (preds.has(to) && preds.has(from)) preds.get(to).push(from);
  }
  const depth = new Map();
  const visiting = new Set();
  function depthOf(id) {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = preds.get(id).reduce((m, p) => Math.max(m, depthOf(p) + 1), 0);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  }
  const nextY = [];
  const out = {};
  for (const n of nodes) {
    const d = depthOf(n.id);
    const y = nextY[d] ?? top;
    out[n.id] = [left + d * colWidth, y];
    nextY[d] = y + heightOf(n) + gap;
  }
  return out;
}

/**
 * The graph's edges from the canvas's export: each Drawflow connection output_k → input_j becomes
 * "from.port" → "to.port" with the ports' names. `idOf` maps a Drawflow node id to the graph node id,
 * `portsById` a graph node id to its ports.
 */
export function edgesFromCanvas(canvasData, idOf, portsById) {
  const edges = [];
  for (const [dfId, dfNode] of Object.entries(canvasData)) {
    const from = idOf(dfId);
    if (!from) continue;
    for (const [outClass, out] of Object.entries(dfNode.outputs || {})) {
      const outPort = portsById[from].outputs[portIndex(outClass)];
      for (const c of out.connections || []) {
        const to = idOf(String(c.node));
        if (!to || !outPort) continue;
        const inPort = portsById[to].inputs[portIndex(c.output)];
        if (inPort) edges.push({from: `${from}.${outPort.name}`, to: `${to}.${inPort.name}`});
      }
    }
  }
  return edges;
}

/** "input_3" → 2 (Drawflow counts ports from 1). */
export function portIndex(cls) {
  return Number(String(cls).split('_').pop()) - 1;
}

/** Drawflow's class for port `name` of a node: "input_<k>" or "output_<k>", or null when it has none. */
export function portClass(ports, side, name) {
  const i = ports[side === 'input' ? 'inputs' : 'outputs'].findIndex(p => p.name === name);
  return i < 0 ? null : `${side}_${i + 1}`;
}

/** The graph node id a server error names ("… node 'embed_a' …"), or null. */
export function nodeNamedIn(message) {
  const m = /node '([^']+)'/.exec(String(message || ''));
  return m ? m[1] : null;
}

/** The type that reaches an output node: the type of the port wired into it, or null when it is unwired. */
export function outputType(graph, outputNodeId, palette) {
  const edge = (graph.edges || []).find(e => parseEnd(e.to).node === outputNodeId);
  if (!edge) return null;
  const from = parseEnd(edge.from);
  const node = (graph.nodes || []).find(n => n.id === from.node);
  if (!node) return null;
  const port = portsOf(node, palette).outputs.find(p => p.name === from.port);
  return port ? port.type : null;
}
