// Builds a playground form from a model's input JSON Schema (GET /v1/models/{slug} → input_schema) and reads
// it back into a request body. Only fields the user filled are sent, so the model's defaults apply to the rest.
import {h} from './dom.js';

const MEDIA = /image|audio|video|mask|file/i;

function kindOf(name, s) {
  if (s.enum) return 'enum';
  const types = s.oneOf || s.anyOf;
  if (types) {
    // e.g. "input": a string or a list of strings → one text per line
    const hasString = types.some(t => t.type === 'string');
    const hasList = types.some(t => t.type === 'array' && (!t.items || t.items.type === 'string'));
    if (hasString && hasList) return 'lines';
    if (hasString) return 'text';
    return 'json';
  }
  switch (s.type) {
    case 'string':
      if (MEDIA.test(name) || s.format === 'uri' || s.contentMediaType || s.contentEncoding) return 'media';
      return (s.maxLength && s.maxLength <= 200) ? 'short' : 'text';
    case 'integer': return 'integer';
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'array':
      if (s.items && s.items.type === 'string') return 'list';
      if (s.items && (s.items.type === 'number' || s.items.type === 'integer')) return 'numbers';
      return 'json';
    default: return 'json';
  }
}

/**
 * Returns {element, read()} where read() gives the body or throws Error naming the field. `values` (optional)
 * fills the fields in, e.g. a workflow node's saved parameters; `idPrefix` keeps two forms on one page apart.
 */
export function schemaForm(schema, {values, idPrefix = 'f-'} = {}) {
  const props = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const fields = [];
  const rows = [];
  for (const [name, s] of Object.entries(props)) {
    const kind = kindOf(name, s);
    const id = idPrefix + name.replace(/[^a-z0-9_-]/gi, '_');
    const hint = [s.description, s.default !== undefined ? `Default: ${JSON.stringify(s.default)}` : null,
      s.minimum !== undefined || s.maximum !== undefined ? `Range: ${s.minimum ?? '…'} to ${s.maximum ?? '…'}` : null,
      kind === 'lines' || kind === 'list' ? 'One text per line.' : null,
      kind === 'media' ? 'A URL, a data: URL or base64 — or pick a file.' : null].filter(Boolean).join(' ');
    let input;
    let extra = null;
    switch (kind) {
      case 'enum':
        input = h('select', {id, name}, h('option', {value: ''}, s.default !== undefined ? `(default: ${s.default})` : '—'),
          s.enum.map(v => h('option', {value: JSON.stringify(v)}, String(v))));
        break;
      case 'boolean':
        input = h('input', {id, name, type: 'checkbox', checked: s.default === true});
        break;
      case 'integer':
      case 'number':
        input = h('input', {id, name, type: 'number', step: kind === 'integer' ? '1' : 'any', min: s.minimum, max: s.maximum,
          placeholder: s.default !== undefined ? String(s.default) : ''});
        break;
      case 'short':
        input = h('input', {id, name, type: 'text', maxlength: s.maxLength, placeholder: s.default !== undefined ? String(s.default) : ''});
        break;
      case 'media': {
        input = h('input', {id, name, type: 'text', placeholder: 'https://… or data:…'});
        const file = h('input', {type: 'file', 'aria-label': `${name} file`, accept: s.contentMediaType || (/audio/i.test(name) ? 'audio/*' : /video/i.test(name) ? 'video/*' : 'image/*')});
        file.addEventListener('change', () => {
          const f = file.files[0];
          if (!f) return;
          const reader = new FileReader();
          reader.onload = () => { input.value = reader.result; };
          reader.readAsDataURL(f);
        });
        extra = file;
        break;
      }
      case 'json':
        input = h('textarea', {id, name, rows: 3, class: 'mono', placeholder: 'JSON'});
        break;
      default:
        input = h('textarea', {id, name, rows: kind === 'text' ? 4 : 3, placeholder: s.default !== undefined ? String(s.default) : ''});
    }
    if (values && values[name] !== undefined) fill(input, kind, values[name]);
    fields.push({name, kind, input, schema: s});
    rows.push(h('div', {class: 'field'},
      h('label', {for: id}, name, required.has(name) ? h('span', {class: 'req', title: 'required'}, ' *') : null),
      input, extra, hint ? h('small', {class: 'muted'}, hint) : null));
  }
  const choices = (schema && (schema.oneOf || schema.anyOf) || []).map(c => (c.required || []).join(' + ')).filter(Boolean);
  const element = h('div', {class: 'schema-form'},
    choices.length > 1 ? h('p', {class: 'muted small'}, 'Give one of: ' + choices.join(', or ') + '.') : null,
    rows.length ? rows : h('p', {class: 'muted'}, 'This model takes no parameters.'));

  function read() {
    const body = {};
    for (const f of fields) {
      const v = f.input.type === 'checkbox' ? f.input.checked : f.input.value;
      if (f.kind === 'boolean') {
        if (v !== (f.schema.default === true) || required.has(f.name)) body[f.name] = v;
        continue;
      }
      if (v === '' || v === null) continue;
      switch (f.kind) {
        case 'enum': body[f.name] = JSON.parse(v); break;
        case 'integer':
        case 'number': body[f.name] = Number(v); break;
        case 'lines': {
          const lines = v.split('\n').map(l => l.trim()).filter(Boolean);
          body[f.name] = lines.length === 1 ? lines[0] : lines;
          break;
        }
        case 'list': body[f.name] = v.split('\n').map(l => l.trim()).filter(Boolean); break;
        case 'numbers': body[f.name] = v.split(/[\s,]+/).filter(Boolean).map(Number); break;
        case 'json':
          try { body[f.name] = JSON.parse(v); }
          catch { throw new Error(`${f.name}: not valid JSON`); }
          break;
        default: body[f.name] = v;
      }
    }
    return body;
  }
  return {element, read};
}

/** Puts a saved value back into its field, the inverse of read(). */
function fill(input, kind, v) {
  switch (kind) {
    case 'boolean': input.checked = v === true; break;
    case 'enum': input.value = JSON.stringify(v); break;
    case 'lines':
    case 'list': input.value = Array.isArray(v) ? v.join('\n') : String(v); break;
    case 'numbers': input.value = Array.isArray(v) ? v.join(', ') : String(v); break;
    case 'json': input.value = JSON.stringify(v, null, 2); break;
    default: input.value = typeof v === 'string' ? v : JSON.stringify(v);
  }
}
