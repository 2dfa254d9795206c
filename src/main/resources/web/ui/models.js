// The model catalog with live status, and a playground per model: a form generated from the input schema,
// run with POST /v1/{slug}, and the output shown as what it is (vectors, text, images, audio, video).
import {h, add, clear, table, td, usd, notice, int} from './dom.js';
import {get, send} from './api.js';
import {schemaForm} from './schema-form.js';
import {sparkline} from './chart.js';

const REFRESH_MS = 5000;

function statusBadge(status) {
  return h('span', {class: 'badge status-' + status}, status);
}

export async function modelsPage(view) {
  const body = h('div', {id: 'models-list'});
  async function refresh() {
    const list = await get('/v1/models');
    clear(body).appendChild(table(['Model', 'Category', 'Price', 'Status', ''], (list.data || []).map(m => h('tr', {dataset: {model: m.id}},
      td([h('strong', {}, m.title || m.id), h('br'), h('code', {class: 'small'}, m.id), m.premium ? h('span', {class: 'badge premium'}, 'premium') : null]),
      td(m.category || '—'), td(m.pricing ? m.pricing.description : '—'),
      td([statusBadge(m.status), m.disabled ? h('div', {class: 'muted small'}, m.disabled) : null]),
      td(m.disabled ? '' : h('a', {class: 'button small', href: `#/models/${encodeURIComponent(m.id)}`}, 'Try it'))))));
  }
  add(view, h('h1', {}, 'Models'),
    h('p', {class: 'muted'}, 'Cold models boot on their first call; warm ones answer at once and go cold after their idle timeout. Status refreshes every 5 s.'),
    body);
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

export async function playgroundPage(view, slug) {
  const m = await get(`/v1/models/${encodeURIComponent(slug)}`);
  const form = schemaForm(m.input_schema);
  const status = h('span', {id: 'model-status'});
  const result = h('div', {id: 'run-result', class: 'result', 'aria-live': 'polite'});
  const run = h('button', {type: 'submit', class: 'primary', id: 'run'}, 'Run');

  // while the model boots: its current step (a first boot downloads weights) and, for a download, a progress bar
  function showStatus(s) {
    add(clear(status), statusBadge(s.status), s.instances !== undefined ? ` ${int(s.instances)} instance(s), ${int(s.busy)} busy, ${int(s.queued)} queued` : '',
      s.status_detail ? h('span', {class: 'muted', id: 'model-status-detail'}, ` — ${s.status_detail}`) : '',
      s.status === 'booting' && s.boot_progress != null
        ? [' ', h('progress', {id: 'model-boot-progress', max: 1, value: s.boot_progress}, `${Math.round(s.boot_progress * 100)}%`)] : null);
  }
  showStatus(m);

  const el = h('form', {class: 'card playground', onsubmit: async ev => {
    ev.preventDefault();
    let body;
    try { body = form.read(); } catch (e) { clear(result).appendChild(notice('error', e.message)); return; }
    run.disabled = true;
    const started = performance.now();
    clear(result).appendChild(h('p', {class: 'muted'}, m.status === 'warm' ? 'Running…' : 'Running… (a cold model boots first)'));
    // a first boot may take minutes (weights are downloaded): follow it every second while the call waits
    const following = setInterval(() => get(`/v1/models/${encodeURIComponent(slug)}`).then(showStatus).catch(() => {}), 1000);
    try {
      const res = await send('POST', `/v1/${encodeURIComponent(slug)}`, body);
      await showResult(result, res, performance.now() - started, body);
    } catch (e) {
      clear(result).appendChild(notice('error', e.message));
    } finally {
      clearInterval(following);
      run.disabled = false;
      get(`/v1/models/${encodeURIComponent(slug)}`).then(showStatus).catch(() => {});
    }
  }}, form.element, h('div', {class: 'row'}, run, h('span', {class: 'muted small'}, m.pricing ? m.pricing.description : '')));

  add(view, 
    h('p', {}, h('a', {href: '#/models'}, '← Models')),
    h('h1', {}, m.title || m.id),
    h('p', {}, h('code', {}, m.id), ' · ', m.category || '', ' · ', status),
    m.description ? h('p', {class: 'muted'}, m.description) : null,
    el, result);

  const timer = setInterval(() => get(`/v1/models/${encodeURIComponent(slug)}`).then(showStatus).catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

async function showResult(box, res, millis, request = {}) {
  const type = res.headers.get('content-type') || '';
  const meta = h('dl', {class: 'meta'},
    h('dt', {}, 'Status'), h('dd', {id: 'run-code'}, String(res.status)),
    res.headers.get('x-cost') ? [h('dt', {}, 'Cost'), h('dd', {id: 'run-cost'}, usd(res.headers.get('x-cost')))] : null,
    res.headers.get('x-generation-time') ? [h('dt', {}, 'Processing'), h('dd', {}, res.headers.get('x-generation-time') + ' s')] : null,
    res.headers.get('x-queue-time') ? [h('dt', {}, 'Queue'), h('dd', {}, res.headers.get('x-queue-time') + ' s')] : null,
    [h('dt', {}, 'Round trip'), h('dd', {}, (millis / 1000).toFixed(3) + ' s')],
    res.headers.get('x-remaining-credits') ? [h('dt', {}, 'Credits left'), h('dd', {}, usd(res.headers.get('x-remaining-credits')))] : null,
    res.headers.get('x-seed-value') ? [h('dt', {}, 'Seed'), h('dd', {}, res.headers.get('x-seed-value'))] : null,
    res.headers.get('x-request-id') ? [h('dt', {}, 'Request id'), h('dd', {}, h('code', {}, res.headers.get('x-request-id')))] : null);
  clear(box);
  if (/^(image|audio|video)\//.test(type)) {
    const url = URL.createObjectURL(await res.blob());
    add(box, meta, media(type, url));
    return;
  }
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* plain text */ }
  if (!res.ok) {
    add(box, meta, notice('error', json && json.error ? json.error : text));
    return;
  }
  add(box, meta, json === null ? h('pre', {class: 'output'}, text) : renderJson(json, request));
}

export function media(type, src) {
  if (type.startsWith('image/')) return h('img', {src, alt: 'model output', class: 'output-media'});
  if (type.startsWith('audio/')) return h('audio', {src, controls: true, class: 'output-media'});
  return h('video', {src, controls: true, class: 'output-media'});
}

/** Finds what a person wants to see in a JSON output: media, vectors, texts; the raw JSON is always there too. */
function renderJson(json, request = {}) {
  const parts = [];
  const boxes = detections(json, request);
  if (boxes) parts.push(boxes);
  for (const kind of ['image', 'audio', 'video']) {
    if (typeof json[kind] === 'string' && json.content_type) parts.push(media(json.content_type, `data:${json.content_type};base64,${json[kind]}`));
  }
  const vectors = [];
  const texts = [];
  walk(json, '$', vectors, texts, 0);
  vectors.slice(0, 8).forEach(({path, values}, i) => {
    const norm = Math.sqrt(values.reduce((a, v) => a + v * v, 0));
    parts.push(h('div', {class: 'vector', dataset: {dimensions: String(values.length)}},
      h('div', {}, h('strong', {}, `Vector ${i + 1}`), ` · ${values.length} dimensions · norm ${norm.toFixed(4)} `, h('code', {class: 'muted small'}, path)),
      sparkline(values),
      h('code', {class: 'vector-head'}, '[' + values.slice(0, 8).map(v => v.toFixed(5)).join(', ') + (values.length > 8 ? ', …]' : ']'))));
  });
  if (vectors.length > 8) parts.push(h('p', {class: 'muted'}, `…and ${vectors.length - 8} more vectors.`));
  texts.slice(0, 10).forEach(({path, value}) => parts.push(h('div', {class: 'text-out'}, h('code', {class: 'muted small'}, path), h('pre', {class: 'output'}, value))));
  const raw = JSON.stringify(json, null, 2);
  parts.push(h('details', {class: 'raw'}, h('summary', {}, 'Raw JSON'),
    h('pre', {class: 'output'}, raw.length > 20000 ? raw.slice(0, 20000) + '\n… (truncated)' : raw)));
  return h('div', {class: 'output-json'}, parts);
}

/**
 * A detector's answer ({"faces" | "objects": [{box: {x, y, width, height}, label?, score}], width, height}) drawn
 * over the image that was sent: boxes in percent of the image, so they follow its displayed size.
 */
function detections(json, request) {
  const found = json.faces || json.objects;
  if (!Array.isArray(found) || !json.width || !json.height || typeof request.image !== 'string') return null;
  const pct = (v, of) => `${(100 * v / of).toFixed(3)}%`;
  const box = f => {
    const label = `${f.label || (json.faces ? 'face' : '')} ${typeof f.score === 'number' ? f.score.toFixed(2) : ''}`.trim();
    const el = h('div', {class: 'detection'}, h('span', {}, label));
    // positioned through CSSOM: the page's CSP forbids style attributes
    Object.assign(el.style, {left: pct(f.box.x, json.width), top: pct(f.box.y, json.height),
      width: pct(f.box.width, json.width), height: pct(f.box.height, json.height)});
    return el;
  };
  return h('figure', {class: 'detections'},
    h('img', {src: request.image, alt: 'input with detections', class: 'output-media'}),
    found.filter(f => f.box).map(box),
    h('figcaption', {class: 'muted small'}, `${found.length} found`));
}

function walk(v, path, vectors, texts, depth) {
  if (depth > 6) return;
  if (Array.isArray(v)) {
    if (v.length >= 8 && v.every(x => typeof x === 'number')) { vectors.push({path, values: v}); return; }
    v.slice(0, 64).forEach((x, i) => walk(x, `${path}[${i}]`, vectors, texts, depth + 1));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (['image', 'audio', 'video'].includes(k) && typeof x === 'string' && v.content_type) continue;
      walk(x, `${path}.${k}`, vectors, texts, depth + 1);
    }
  } else if (typeof v === 'string' && (v.length > 40 || /text|content|output|caption|answer/i.test(path))) {
    texts.push({path, value: v});
  }
}

