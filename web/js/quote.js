// quote.js - the quote editor (#/quote/ID): customer (pick one or create
// one inline), validity and notes, saved as you go; the parts with their
// uploads; the totals; and the actions: PDF preview and download, mark
// sent / accepted / rejected, duplicate, revise.
//
// A quote that was sent is kept as it was sent: its fields are read-only
// here, and "Revise" makes the next revision (Q-...-B) to edit instead.

import { h, clear, icon, money, toast, debounce, pill, field, pageHead, dateTime, showError, clearErrors, capital } from './dom.js';
import * as api from './api.js';
import { partCard, uploadFiles } from './parts.js';

const NEXT = { draft: [['sent', 'Mark sent']], sent: [['accepted', 'Mark accepted'], ['rejected', 'Mark rejected']] };

export function render(root, ctx) {
  const id = ctx.arg;
  let quote = null;
  let catalog = [];
  const parts = new Map(); // part id -> part
  const closers = [];

  async function load() {
    try {
      const [q, m] = await Promise.all([api.get('/api/quotes/' + encodeURIComponent(id)), api.get('/api/materials')]);
      quote = q;
      catalog = m.materials;
      // the quote lists its parts in short; each part's own answer has the
      // figures, warnings with their places, price lines and preview mapping
      quote.full = await Promise.all((q.parts || []).map((p) => api.get('/api/parts/' + p.part_id)));
      const { setCurrency } = await import('./dom.js');
      setCurrency(quote.currency || m.currency);
      draw();
    } catch (err) {
      if (!(err instanceof api.ApiError)) console.error(err);
      clear(root).appendChild(h('div', { class: 'empty' }, h('h1', null, err.status === 404 ? 'No such quote' : 'This quote did not load'),
        h('p', null, err instanceof api.ApiError ? err.message : 'Something went wrong showing it. Reload the page; if it happens again, tell the administrator.'),
        h('a', { href: '#/quotes' }, 'Back to the quotes')));
    }
  }

  function readOnly() {
    return quote.status !== 'draft';
  }

  function draw() {
    clear(root);
    document.title = quote.number + ' · DXF Quote';
    const st = quote.expired ? 'expired' : quote.status;
    const actions = [];
    actions.push(h('button', { class: 'btn', type: 'button', onclick: () => pdf(false) }, 'Preview PDF'));
    actions.push(h('button', { class: 'btn', type: 'button', onclick: () => pdf(true), 'data-action': 'pdf' }, icon('download'), 'Download PDF'));
    actions.push(h('button', { class: 'btn', type: 'button', onclick: () => copy('duplicate') }, icon('copy'), 'Duplicate'));
    if (quote.status === 'sent' || quote.status === 'rejected')
      actions.push(h('button', { class: 'btn', type: 'button', onclick: () => copy('revise'), title: 'A new draft revision; this one stays as sent' }, 'Revise'));
    for (const [to, label] of NEXT[quote.status] || [])
      actions.push(h('button', { class: 'btn' + (to === 'sent' || to === 'accepted' ? ' primary' : ''), type: 'button', 'data-status': to, onclick: () => setStatus(to) }, label));

    const sub = [`Made ${dateTime(quote.created)}`];
    if (quote.created_by) sub.push('by ' + quote.created_by);
    if (quote.revision_of) sub.push('revision of ' + quote.revision_of.number);
    root.appendChild(h('div', { class: 'quote-page' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/quotes' }, 'Quotes'), ' / '),
      pageHead(h('span', { class: 'row' }, quote.number, pill(st)), sub.join(' · '), actions),
      readOnly() ? h('p', { class: 'banner info' }, quote.status === 'sent'
        ? 'This quote was sent: it stays exactly as the customer has it. To change it, make a revision.'
        : `This quote was ${quote.status}. Duplicate it to quote the same parts again.`) : null,
      h('div', { class: 'qgrid' },
        h('div', { class: 'stack' }, partsCard()),
        h('aside', { class: 'qside' }, details(), totalsCard()))));
  }

  // ------------------------------------------------------------- details
  function details() {
    const ro = readOnly();
    const valid = h('input', { type: 'date', value: quote.valid_until || '', disabled: ro });
    const notes = h('textarea', { rows: 3, maxlength: 10000, disabled: ro, placeholder: 'Delivery, drawing revision: anything the customer should read' });
    notes.value = quote.notes || '';
    const saved = h('span', { class: 'muted', role: 'status' });
    const form = h('div', { class: 'card' },
      h('header', null, h('h2', null, 'Customer and terms'), saved),
      h('div', { class: 'body' },
        customerPicker(ro), field('Valid until', valid, { name: 'valid_until' }),
        field('Notes', notes, { name: 'notes' }),
        h('div', { class: 'form-error' })));
    const save = async (body) => {
      clearErrors(form);
      try {
        const q = await api.patch('/api/quotes/' + quote.id, body);
        delete q.parts;
        Object.assign(quote, q);
        saved.textContent = 'Saved';
        setTimeout(() => { saved.textContent = ''; }, 1500);
      } catch (err) {
        showError(form, err);
      }
    };
    const saveNotes = debounce(() => save({ notes: notes.value }), 600);
    notes.addEventListener('input', () => { saved.textContent = 'Editing…'; saveNotes(); });
    notes.addEventListener('blur', () => saveNotes.flush());
    valid.addEventListener('change', () => save({ valid_until: valid.value || null }));
    form._save = save;
    closers.push(() => saveNotes.flush && notes.value !== (quote.notes || '') && saveNotes.flush());
    return form;
  }

  function customerPicker(ro) {
    const input = h('input', { value: quote.customer ? quote.customer.name : quote.customer_name || '', placeholder: 'Type to find or add a customer', autocomplete: 'off', disabled: ro,
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'cust-list' });
    const list = h('ul', { class: 'suggest', id: 'cust-list', role: 'listbox', hidden: true });
    let items = [], active = -1;
    const wrap = h('div', { class: 'cust-pick' }, field('Customer', input, { name: 'customer_id' }), list);
    const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
    const choose = async (it) => {
      close();
      let c = it.customer;
      if (!c) {
        try {
          c = await api.post('/api/customers', { name: it.name });
          toast(`Customer ${c.name} added`, 'ok');
        } catch (err) {
          showError(wrap, { ...err, field: err.field === 'name' ? 'customer_id' : err.field });
          return;
        }
      }
      input.value = c.name;
      const form = wrap.closest('.card');
      await form._save({ customer_id: c.id });
      quote.customer = c;
    };
    const paint = () => {
      clear(list);
      items.forEach((it, i) => {
        const li = h('li', { role: 'option', id: 'cust-opt-' + i, 'aria-selected': i === active ? 'true' : 'false', class: it.customer ? null : 'new' },
          it.customer ? [it.customer.name, it.customer.company ? h('span', { class: 'cust-sub' }, ' · ' + it.customer.company) : null] : `Add “${it.name}” as a new customer`);
        li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(it); });
        list.appendChild(li);
      });
      list.hidden = !items.length;
      input.setAttribute('aria-expanded', String(!list.hidden));
      if (active >= 0) input.setAttribute('aria-activedescendant', 'cust-opt-' + active);
      else input.removeAttribute('aria-activedescendant');
    };
    let seq = 0;
    const find = debounce(async () => {
      const q = input.value.trim();
      const mine = ++seq;
      let found = [];
      try {
        const r = await api.get('/api/customers' + api.qs({ q, limit: 8 }));
        found = r.customers || [];
      } catch (err) {
        toast(err.message, 'error');
      }
      if (mine !== seq) return;
      items = found.map((c) => ({ customer: c }));
      if (q && !found.some((c) => c.name.toLowerCase() === q.toLowerCase())) items.push({ name: q });
      active = items.length ? 0 : -1;
      paint();
    }, 150);
    input.addEventListener('input', find);
    input.addEventListener('focus', find);
    input.addEventListener('blur', () => setTimeout(close, 100));
    input.addEventListener('keydown', (e) => {
      if (list.hidden) return;
      if (e.key === 'ArrowDown') { active = Math.min(items.length - 1, active + 1); paint(); e.preventDefault(); }
      else if (e.key === 'ArrowUp') { active = Math.max(0, active - 1); paint(); e.preventDefault(); }
      else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(items[active]); }
      else if (e.key === 'Escape') close();
    });
    return wrap;
  }

  // --------------------------------------------------------------- parts
  let partList, uploads, count;
  function partsCard() {
    partList = h('div', { class: 'parts' });
    uploads = h('div', { class: 'uploads', 'aria-live': 'polite' });
    count = h('span', { class: 'muted' });
    const ro = readOnly();
    const card = h('section', { class: 'card', 'aria-label': 'Parts' },
      h('header', null, h('div', { class: 'row' }, h('h2', null, 'Parts'), count)),
      ro ? null : dropZone(),
      partList);
    for (const p of quote.full || []) addPart(p);
    updateCount();
    // parts still being measured when the page opened: follow them too
    for (const p of quote.full || []) if (p.state === 'queued' || p.state === 'running') watch(p.id);
    return card;
  }

  function updateCount() {
    const n = parts.size;
    count.textContent = n ? (n === 1 ? '1 part' : `${n} parts`) : '';
    if (!n && !partList.querySelector('.part')) {
      if (!partList.querySelector('.empty')) partList.appendChild(h('div', { class: 'empty' }, h('p', null, 'No parts yet. Drop the customer’s DXF files above.')));
    } else partList.querySelector('.empty')?.remove();
  }

  function addPart(p) {
    parts.set(p.id, p);
    const card = partCard(p, { materials: catalog, readOnly: readOnly(), onChange: (np) => { if (!np) parts.delete(p.id); updateCount(); refreshTotals(); } });
    const old = partList.querySelector(`[data-part="${p.id}"]`);
    if (old) old.replaceWith(card);
    else partList.appendChild(card);
    updateCount();
  }

  async function watch(partId) {
    // polling for parts that were in progress before this page opened
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!root.isConnected) return;
      try {
        const p = await api.get('/api/parts/' + partId);
        if (p.state !== 'queued' && p.state !== 'running') {
          addPart(p);
          refreshTotals();
          return;
        }
      } catch {
        return;
      }
    }
  }

  function dropZone() {
    const mat = h('select', { 'aria-label': 'Material for new parts' }, h('option', { value: '' }, 'Material: choose later'),
      catalog.map((m) => h('option', { value: m.name }, m.name)));
    const th = h('select', { 'aria-label': 'Thickness for new parts' }, h('option', { value: '' }, '–'));
    const qty = h('input', { type: 'number', min: 1, value: 1, 'aria-label': 'Quantity for new parts', class: 'num qty-small' });
    mat.addEventListener('change', () => {
      clear(th).appendChild(h('option', { value: '' }, '–'));
      const m = catalog.find((x) => x.name === mat.value);
      for (const t of m ? m.thicknesses : []) th.appendChild(h('option', { value: t.thickness_mm }, t.thickness_mm + ' mm'));
      if (m && m.thicknesses.length) th.value = String(m.thicknesses[0].thickness_mm);
    });
    const input = h('input', { type: 'file', multiple: true, accept: '.dxf,application/dxf,image/vnd.dxf', class: 'sr', id: 'dxf-files', 'aria-label': 'DXF files' });
    const zone = h('div', { class: 'drop', 'data-drop': '' },
      icon('upload'), ' ', h('strong', null, 'Drop DXF files here'), ' or ', h('label', { for: 'dxf-files', class: 'linkish' }, 'choose files'), input,
      h('div', { class: 'row drop-opts' }, mat, th, h('span', { class: 'muted' }, '×'), qty));
    const go = (files) => {
      const list = [...files];
      if (!list.length) return;
      uploadFiles(quote.id, list, uploads, { material: mat.value, thickness: th.value, quantity: qty.value || 1 }, async (partId) => {
        try {
          addPart(await api.get('/api/parts/' + partId));
        } catch (err) {
          toast(err.message, 'error');
        }
        refreshTotals();
      });
    };
    input.addEventListener('change', () => { go(input.files); input.value = ''; });
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); go(e.dataTransfer.files); });
    // a file dropped anywhere on the page lands here rather than opening
    const page = (e) => { if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault(); };
    window.addEventListener('dragover', page);
    window.addEventListener('drop', page);
    closers.push(() => { window.removeEventListener('dragover', page); window.removeEventListener('drop', page); });
    return h('div', { class: 'body' }, zone, uploads);
  }

  // -------------------------------------------------------------- totals
  let totalsBody;
  function totalsCard() {
    totalsBody = h('div', { class: 'body', 'aria-live': 'polite' });
    fillTotals();
    return h('section', { class: 'card', 'aria-label': 'Totals' }, h('header', null, h('h2', null, 'Totals')), totalsBody,
      quote.sent_at ? h('div', { class: 'body kv-extra' }, h('dl', { class: 'kv' },
        h('dt', null, 'Sent'), h('dd', null, dateTime(quote.sent_at)),
        quote.decided_at ? [h('dt', null, capital(quote.status)), h('dd', null, dateTime(quote.decided_at))] : null)) : null);
  }
  function fillTotals() {
    const t = quote.totals || {};
    const priced = [...parts.values()].filter((p) => p.price).length;
    clear(totalsBody).append(h('table', { class: 'table totals' }, h('tbody', null,
      h('tr', null, h('td', null, 'Parts priced'), h('td', { class: 'num' }, `${priced} of ${parts.size}`)),
      h('tr', null, h('td', null, 'Subtotal'), h('td', { class: 'num' }, money(t.subtotal))),
      h('tr', null, h('td', null, t.tax_rate != null ? `Tax ${Math.round(t.tax_rate * 1000) / 10} %` : 'Tax'), h('td', { class: 'num' }, money(t.tax))),
      h('tr', { class: 'grand' }, h('td', null, 'Total'), h('td', { class: 'num', 'data-quote-total': '' }, money(t.total))))),
    t.complete === false && parts.size ? h('p', { class: 'muted totals-note' }, 'The total shows when every part is priced: give each a material and thickness, or remove the ones that failed.') : '');
  }
  const refreshTotals = debounce(async () => {
    try {
      const q = await api.get('/api/quotes/' + quote.id);
      quote.totals = q.totals;
      fillTotals();
    } catch {
      /* the next change tries again */
    }
  }, 250);

  // ------------------------------------------------------------- actions
  async function setStatus(to) {
    try {
      await api.patch('/api/quotes/' + quote.id, { status: to });
      toast(`${quote.number} marked ${to}`, 'ok');
      parts.clear();
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  // The PDF is fetched first, so a refusal (nothing priced yet, a busy
  // server) is a message here rather than an error page in a new tab.
  async function pdf(download) {
    const win = download ? null : window.open('', '_blank');
    try {
      const res = await api.call('GET', `/api/quotes/${quote.id}/pdf${download ? '?download=1' : ''}`, undefined, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      if (win) win.location.href = url;
      else {
        const a = h('a', { href: url, download: quote.number + '.pdf' });
        document.body.appendChild(a);
        a.click();
        a.remove();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      if (win) win.close();
      toast(err.message, 'error');
    }
  }

  async function copy(how) {
    try {
      const n = await api.post(`/api/quotes/${quote.id}/${how}`, {});
      ctx.go('#/quote/' + n.id);
      toast(how === 'revise' ? `Revision ${n.number} made` : `Copy ${n.number} made`, 'ok');
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  load();
  return () => closers.forEach((f) => f());
}
