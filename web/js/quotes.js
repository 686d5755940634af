// quotes.js - the Quotes list: search (number, customer, file name),
// status filter, date range, paging.  Only one page of rows (50) is ever
// in the page, so a shop with thousands of quotes scrolls as lightly as one
// with ten; the filters live in the address (#/quotes?q=...&status=...),
// so the back button and a reload keep them.

import { h, clear, pill, money, date, pageHead, icon, debounce, toast, setCurrency } from './dom.js';
import * as api from './api.js';

const PAGE = 50;
const STATUSES = [['', 'All statuses'], ['draft', 'Draft'], ['sent', 'Sent'], ['accepted', 'Accepted'], ['rejected', 'Rejected'], ['expired', 'Expired']];

export function render(root, ctx) {
  const p = ctx.params;
  const state = { q: p.get('q') || '', status: p.get('status') || '', from: p.get('from') || '', to: p.get('to') || '', offset: Number(p.get('offset')) || 0 };
  const search = h('input', { type: 'search', value: state.q, placeholder: 'Search number, customer or file name', 'aria-label': 'Search quotes', 'data-search': '' });
  const status = h('select', { 'aria-label': 'Status' }, STATUSES.map(([v, t]) => h('option', { value: v, selected: v === state.status }, t)));
  const from = h('input', { type: 'date', value: state.from, 'aria-label': 'Made from' });
  const to = h('input', { type: 'date', value: state.to, 'aria-label': 'Made until' });
  const body = h('tbody');
  const pager = h('div', { class: 'pager' });
  const count = h('span', { class: 'muted', role: 'status' });

  root.append(
    pageHead('Quotes', null, h('button', { class: 'btn primary', type: 'button', onclick: newQuote, title: 'Shortcut: n' }, icon('plus'), 'New quote')),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, h('div', { class: 'search' }, icon('search'), search), status, from, h('span', { class: 'muted' }, '–'), to,
        h('span', { class: 'grow' }), count),
      h('table', { class: 'table quotes' },
        h('thead', null, h('tr', null, h('th', null, h('span', { class: 'sr' }, 'Preview')), h('th', null, 'Quote'), h('th', null, 'Customer'),
          h('th', null, 'Parts'), h('th', null, 'Status'), h('th', null, 'Valid until'), h('th', null, 'Made'), h('th', { class: 'num' }, 'Total'))),
        body),
      pager));

  async function newQuote() {
    try {
      const q = await api.post('/api/quotes', {});
      ctx.go('#/quote/' + q.id);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  function remember() {
    const s = api.qs({ q: state.q, status: state.status, from: state.from, to: state.to, offset: state.offset || '' });
    history.replaceState(null, '', '#/quotes' + s);
  }

  let ctrl = null;
  async function load() {
    remember();
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const params = { q: state.q, limit: PAGE, offset: state.offset, from: state.from, to: state.to };
    if (state.status) params.status = state.status;
    let r;
    try {
      r = await api.get('/api/quotes' + api.qs(params), { signal: ctrl.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(body).appendChild(h('tr', null, h('td', { colspan: 8 }, h('p', { class: 'banner error' }, err.message))));
      return;
    }
    const frag = document.createDocumentFragment();
    if (r.quotes[0] && r.quotes[0].totals) setCurrency(r.quotes[0].totals.currency);
    for (const q of r.quotes) frag.appendChild(row(q));
    clear(body).appendChild(frag);
    if (!r.quotes.length) {
      body.appendChild(h('tr', null, h('td', { colspan: 8 }, h('div', { class: 'empty' },
        h('h2', null, state.q || state.status ? 'No quote matches' : 'No quotes yet'),
        h('p', null, state.q || state.status ? 'Try other words or another status.' : 'Make the first one: press n, or the button above.')))));
    }
    const total = r.total ?? r.quotes.length;
    count.textContent = total === 1 ? '1 quote' : `${total} quotes`;
    const last = Math.min(state.offset + r.quotes.length, total);
    clear(pager).append(h('span', null, total ? `${state.offset + 1}–${last} of ${total}` : ''),
      h('span', { class: 'row' },
        h('button', { class: 'btn small', type: 'button', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, 'Previous'),
        h('button', { class: 'btn small', type: 'button', disabled: last >= total, onclick: () => { state.offset += PAGE; load(); } }, 'Next')));
  }

  function row(q) {
    const st = q.expired ? 'expired' : q.status;
    const total = q.totals && q.totals.complete ? money(q.totals.total) : h('span', { class: 'muted', title: 'Not every part is priced yet' }, '–');
    const thumb = q.thumb
      ? h('img', { class: 'thumb', src: q.thumb, alt: '', loading: 'lazy', width: 44, height: 32 })
      : h('span', { class: 'thumb none', 'aria-hidden': 'true' });
    const href = '#/quote/' + q.id;
    const tr = h('tr', { class: 'link', dataset: { quote: q.number } },
      h('td', null, thumb),
      h('td', null, h('a', { href, class: 'quote-no' }, q.number)),
      h('td', null, q.customer_name || h('span', { class: 'muted' }, 'No customer yet')),
      h('td', { class: 'muted' }, q.part_count),
      h('td', null, pill(st)),
      h('td', { class: 'muted' }, date(q.valid_until)),
      h('td', { class: 'muted' }, date(q.created)),
      h('td', { class: 'num' }, total));
    tr.addEventListener('click', (e) => {
      if (e.target.closest('a')) return;
      location.hash = href;
    });
    return tr;
  }

  const reload = debounce(() => { state.offset = 0; load(); }, 200);
  search.addEventListener('input', () => { state.q = search.value.trim(); reload(); });
  status.addEventListener('change', () => { state.status = status.value; reload.flush(); });
  from.addEventListener('change', () => { state.from = from.value; reload.flush(); });
  to.addEventListener('change', () => { state.to = to.value; reload.flush(); });
  load();
  return () => { if (ctrl) ctrl.abort(); };
}
