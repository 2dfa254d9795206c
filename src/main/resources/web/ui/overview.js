// Overview: balances, request counts and the spend chart (account); the same across all accounts (admin).
import {h, add, card, usd, usdAxis, int, utcDay, addDays} from './dom.js';
import {get} from './api.js';
import {dailyBars, chartWidth} from './chart.js';

export async function overview(view) {
  const to = utcDay(new Date());
  const from = addDays(to, -29);
  const u = await get(`/v1/usage?from=${from}&to=${to}`);
  add(view, 
    h('h1', {}, 'Overview'),
    h('div', {class: 'cards'},
      card('Credits', usd(u.credits), 'paid balance', 'card-credits'),
      card('Free credits', usd(u['free-credits']), 'spent before paid credits', 'card-free'),
      card('Requests today', int(u.requests_today), 'UTC day', 'card-today'),
      card('Total requests', int(u.requests_total), 'all time', 'card-total')),
    h('section', {class: 'card'}, dailyBars({rows: u.rows, value: r => Number(r.amount), from, to, format: usd, axis: usdAxis, width: chartWidth(view), title: 'Spend by day'})),
    h('p', {class: 'muted small'}, 'Numbers are current to the second. ', h('a', {href: '#/usage'}, 'Usage breakdown →')));
}

export async function adminOverview(view) {
  const to = utcDay(new Date());
  const from = addDays(to, -29);
  const [u, accounts] = await Promise.all([get(`/admin/usage?from=${from}&to=${to}`), get('/admin/accounts')]);
  const list = accounts.accounts || [];
  add(view, 
    h('h1', {}, 'Overview (all accounts)'),
    h('div', {class: 'cards'},
      card('Accounts', int(list.length), `${int(list.filter(a => a.status === 'suspended').length)} suspended`, 'card-accounts'),
      card('Requests today', int(u.requests_today), 'all accounts, UTC day', 'card-today'),
      card('Total requests', int(u.requests_total), 'all accounts', 'card-total'),
      card('Spend (30 days)', usd(u.rows.reduce((a, r) => a + Number(r.amount), 0)), 'charged to accounts', 'card-spend')),
    h('section', {class: 'card'}, dailyBars({rows: u.rows, value: r => Number(r.amount), from, to, format: usd, axis: usdAxis, width: chartWidth(view), title: 'Spend by day, all accounts'})),
    h('p', {class: 'muted small'}, h('a', {href: '#/admin/accounts'}, 'Accounts →'), ' ', h('a', {href: '#/admin/usage'}, 'Usage across accounts →')));
}
