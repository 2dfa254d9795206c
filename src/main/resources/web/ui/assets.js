// The account's stored assets over /v1/assets: list, preview, delete. A Hearth without storage answers 404,
// which is shown as such instead of an error.
import {h, add, clear, table, td, when, notice, int} from './dom.js';
import {get, del, ApiError} from './api.js';

function items(answer) {
  if (Array.isArray(answer)) return answer;
  return (answer && (answer.assets || answer.data || answer.items)) || [];
}

function preview(a, url, type) {
  if (!url) return '—';
  if (type.startsWith('image/')) return h('a', {href: url, target: '_blank', rel: 'noopener noreferrer'}, h('img', {src: url, alt: a.name || 'asset', class: 'thumb', loading: 'lazy'}));
  if (type.startsWith('audio/')) return h('audio', {src: url, controls: true, preload: 'none', class: 'thumb-media'});
  if (type.startsWith('video/')) return h('video', {src: url, controls: true, preload: 'none', class: 'thumb-media'});
  return h('a', {href: url, target: '_blank', rel: 'noopener noreferrer'}, 'Open');
}

export async function assetsPage(view) {
  const body = h('div', {id: 'assets-list'});
  const status = h('div');
  add(view, h('h1', {}, 'Assets'), h('p', {class: 'muted'}, 'Files uploaded with POST /upload-asset. Asset URLs work without a key: share them with care.'), status, body);

  async function refresh() {
    let answer;
    try {
      answer = await get('/v1/assets');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) {
        clear(body).appendChild(notice('info', 'Storage is not available on this Hearth, so there are no assets to show.'));
        body.firstChild.id = 'assets-unavailable';
        return;
      }
      throw e;
    }
    const list = items(answer);
    clear(body).appendChild(table(['Preview', 'Type', 'Size', 'Created', ''], list.map(a => {
      const id = a.id || a.asset_id;
      const url = a.url || a.file_url;
      const type = a.content_type || a.type || a.mime_type || '';
      return h('tr', {dataset: {assetId: id}}, td(preview(a, url, type)), td(type || '—'),
        td(a.size !== undefined || a.bytes !== undefined ? int(a.size ?? a.bytes) + ' B' : '—', 'num'), td(when(a.created_at)),
        td(h('button', {type: 'button', class: 'danger small', onclick: async () => {
          if (!confirm('Delete this asset? Its URL stops working at once.')) return;
          clear(status);
          try { await del(`/v1/assets/${encodeURIComponent(id)}`); await refresh(); }
          catch (e) { status.appendChild(notice('error', e.message)); }
        }}, 'Delete')));
    }), {empty: 'No assets yet.', numeric: ['Size']}));
  }
  await refresh();
}
