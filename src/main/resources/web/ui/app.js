// Entry point: sign-in, navigation and the hash router (#/usage, #/models/<slug>...). Only ids and slugs ever
// appear in the URL; the API key stays in sessionStorage and the x-api-key header.
import {h, clear, notice} from './dom.js';
import {ApiError, get, setKey, signedIn} from './api.js';
import {overview, adminOverview} from './overview.js';
import {usagePage, adminUsagePage} from './usage.js';
import {keysPage} from './keys.js';
import {modelsPage, playgroundPage} from './models.js';
import {assetsPage} from './assets.js';
import {accountsPage, accountPage} from './admin.js';
import {workflowsPage} from './workflows.js';
import {workflowEditorPage} from './workflow-editor.js';
import {endpointsPage} from './endpoints.js';
import {generationsPage} from './generations.js';

const ACCOUNT_NAV = [['#/', 'Overview'], ['#/usage', 'Usage'], ['#/generations', 'Generations'], ['#/keys', 'API keys'], ['#/models', 'Models'], ['#/endpoints', 'Endpoints'], ['#/workflows', 'Workflows'], ['#/assets', 'Assets']];
const ADMIN_NAV = [['#/', 'Overview'], ['#/admin/accounts', 'Accounts'], ['#/admin/usage', 'Usage'], ['#/models', 'Models']];

const ACCOUNT_ROUTES = [
  [/^\/$/, overview], [/^\/usage$/, usagePage], [/^\/generations$/, generationsPage], [/^\/keys$/, keysPage], [/^\/models$/, modelsPage],
  [/^\/models\/([^/]+)$/, playgroundPage], [/^\/endpoints$/, endpointsPage], [/^\/assets$/, assetsPage],
  [/^\/workflows$/, workflowsPage], [/^\/workflows\/([^/]+)$/, workflowEditorPage]];
const ADMIN_ROUTES = [
  [/^\/$/, adminOverview], [/^\/admin\/accounts$/, accountsPage], [/^\/admin\/accounts\/([^/]+)$/, accountPage],
  [/^\/admin\/usage$/, adminUsagePage], [/^\/models$/, modelsPage], [/^\/models\/([^/]+)$/, playgroundPage]];

let role = null;        // 'account' | 'admin'
let cleanup = null;     // stops the current page's timers when navigating away
let renderSeq = 0;

const $ = id => document.getElementById(id);

/** Which views a key opens: /v1/whoami answers 200 for both kinds of key, so signing in logs no error. */
async function whoIs() {
  const {role} = await get('/v1/whoami');
  return role === 'admin' ? 'admin' : 'account';
}

async function signIn(ev) {
  ev.preventDefault();
  const input = $('signin-key');
  const err = $('signin-error');
  err.hidden = true;
  const key = input.value.trim();
  if (!key) return;
  setKey(key);
  try {
    role = await whoIs();
    input.value = '';
    if (!location.hash || location.hash === '#') location.hash = '#/';
    showShell();
  } catch (e) {
    setKey(null);
    err.textContent = e instanceof ApiError ? e.message : 'Hearth could not be reached: ' + e.message;
    err.hidden = false;
  }
}

function signOut() {
  setKey(null);
  role = null;
  if (cleanup) cleanup();
  cleanup = null;
  clear($('view'));
  $('shell').hidden = true;
  $('signin').hidden = false;
  history.replaceState(null, '', '#/');
  $('signin-key').focus();
}

function showShell() {
  $('signin').hidden = true;
  $('shell').hidden = false;
  $('who').textContent = role === 'admin' ? 'Admin' : 'Account';
  $('who').className = 'badge ' + role;
  render();
}

function renderNav(path) {
  const nav = clear($('nav'));
  for (const [href, label] of role === 'admin' ? ADMIN_NAV : ACCOUNT_NAV) {
    const target = href.slice(1);
    const active = target === '/' ? path === '/' : path === target || path.startsWith(target + '/');
    nav.appendChild(h('a', {href, class: active ? 'active' : null, 'aria-current': active ? 'page' : null}, label));
  }
}

async function render() {
  if (!role) return;
  const seq = ++renderSeq;
  if (cleanup) cleanup();
  cleanup = null;
  const path = decodeURIComponent((location.hash || '#/').slice(1).split('?')[0]) || '/';
  renderNav(path);
  // each render draws into its own box: a slower, older render that finishes late writes into a detached box
  const view = h('div', {class: 'page'});
  clear($('view')).appendChild(view);
  const routes = role === 'admin' ? ADMIN_ROUTES : ACCOUNT_ROUTES;
  for (const [re, page] of routes) {
    const m = path.match(re);
    if (!m) continue;
    try {
      const stop = await page(view, ...m.slice(1));
      if (seq !== renderSeq) { if (typeof stop === 'function') stop(); return; }
      cleanup = typeof stop === 'function' ? stop : null;
    } catch (e) {
      if (seq !== renderSeq) return;
      if (e instanceof ApiError && e.status === 401) { signOut(); return; }
      view.appendChild(notice('error', e.message));
    }
    return;
  }
  view.appendChild(h('section', {}, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, path), '. ', h('a', {href: '#/'}, 'Back to the overview'))));
}

async function start() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', render);
  if (signedIn()) {
    try {
      role = await whoIs();
      showShell();
      return;
    } catch {
      setKey(null);
    }
  }
  $('signin').hidden = false;
  $('signin-key').focus();
}

start();
