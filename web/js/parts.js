// parts.js - one part of a quote on screen, and the uploads that make parts.
//
// partCard() draws a part: its detail preview (click to enlarge, with the
// warnings marked where they are), the figures, the warnings listed, the
// material, thickness, quantity and option pickers, and the price with its
// breakdown lines.  A change re-prices after a short pause (PATCH
// /api/parts/{id}); answers that arrive out of order are dropped, so the
// price shown is always that of the latest choice.
//
// uploadFiles() sends each file in its own request (XMLHttpRequest, for
// the upload progress), then follows its job live by Server-Sent Events,
// falling back to polling GET /api/jobs/{id} when the stream breaks.  One
// progress bar per file covers both: the upload is the first 30 %, the
// job's stages the rest.  A busy server (503) is retried after the
// Retry-After it gives.

import { h, clear, icon, money, num, toast, debounce, svg, pill, confirmBox } from './dom.js';
import * as api from './api.js';

const STAGE_TEXT = { queued: 'Waiting for a free worker', stored: 'Stored', upload: 'Uploading', parse: 'Reading the drawing',
  analyse: 'Measuring', price: 'Pricing', render: 'Drawing the preview', done: 'Done' };
// The options of the shipped rules (rules/pricing.lua, OPTIONS); the API
// does not list the options of the active rules yet.
const OPTIONS = [['rush', 'Rush'], ['deburr', 'Deburr'], ['customer_supplies_material', 'Their material']];

// --------------------------------------------------------------- figures

export function figures(g) {
  if (!g) return [];
  const bb = g.bbox;
  return [
    ['Size (mm)', bb ? `${num(bb.width, 1)}×${num(bb.height, 1)}` : '–'],
    ['Cut length', g.cut_length_mm != null ? `${num(g.cut_length_mm / 1000, 2)} m` : '–'],
    ['Pierces', num(g.pierces, 0)],
    ['Holes', g.holes != null ? num(g.holes, 0) : '–', g.smallest_hole_mm ? `min ⌀ ${num(g.smallest_hole_mm, 1)} mm` : ''],
    ['Area', g.area_mm2 != null ? `${num(g.area_mm2 / 1e6, 4)} m²` : '–'],
  ];
}

// Where a drawing point (mm, y up) lies on the detail image, as a fraction
// of its width and height: the server's mapping of that preview
// (preview.detail: pixel x = offset_x + x * scale, pixel y = offset_y -
// y * scale), or null when the drawing has no box.
export function placeOf(part, x, y) {
  const m = part.preview && part.preview.detail;
  if (!m || typeof m.scale !== 'number' || !m.width || !m.height) return null;
  return [(m.offset_x + x * m.scale) / m.width, (m.offset_y - y * m.scale) / m.height];
}

export function detailUrl(part) {
  return part.preview && part.preview.detail ? part.preview.detail.url : null;
}

// An SVG layer over an image with a ring at each warning that has a place.
export function markLayer(part, img) {
  const layer = svg('svg', { class: 'marks', viewBox: '0 0 100 100', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const place = () => {
    while (layer.firstChild) layer.removeChild(layer.firstChild);
    const ws = (part.geometry && part.geometry.warnings) || [];
    const W = img.naturalWidth, H = img.naturalHeight;
    // object-fit: contain letterboxes the image inside its box
    const bw = img.clientWidth || W, bh = img.clientHeight || H;
    const k = Math.min(bw / W, bh / H) || 1;
    const dx = (bw - W * k) / 2 / bw, dy = (bh - H * k) / 2 / bh;
    ws.forEach((w) => {
      if (typeof w.x !== 'number' || typeof w.y !== 'number') return;
      const p = placeOf(part, w.x, w.y);
      if (!p) return;
      const cx = (dx + p[0] * (W * k) / bw) * 100, cy = (dy + p[1] * (H * k) / bh) * 100;
      layer.appendChild(svg('ellipse', { cx, cy, rx: 600 / bw, ry: 600 / bh, class: 'mark', 'data-code': w.code }));
    });
  };
  if (img.complete && img.naturalWidth) requestAnimationFrame(place);
  img.addEventListener('load', place);
  return layer;
}

// --------------------------------------------------------------- a part

// partCard(part, ctx): ctx.materials (the catalog), ctx.onChange(part)
// after a re-price or delete (part null), ctx.readOnly for decided quotes.
export function partCard(part, ctx) {
  const el = h('article', { class: 'part', 'aria-label': part.file || 'part', dataset: { part: part.id } });
  draw();
  return el;

  function draw() {
    clear(el);
    el.className = 'part' + (part.state === 'failed' || part.state === 'cancelled' ? ' failed' : '');
    const del = ctx.readOnly ? null : h('button', { class: 'btn small ghost icon-only', type: 'button', 'aria-label': `Remove ${part.file}`, title: 'Remove this part', onclick: remove }, icon('trash'));
    if (part.state === 'failed' || part.state === 'cancelled') {
      el.append(h('div', null,
        h('div', { class: 'part-head' }, h('h3', null, part.file), h('span', { class: 'row' }, pill(part.state), del)),
        h('p', { class: 'banner error part-error', role: 'alert' }, part.error || 'This drawing could not be measured.'),
        h('p', { class: 'muted' }, 'Ask the customer for a corrected file, or export it again from CAD (DXF R12 or newer, ASCII or binary), then upload it.')));
      return;
    }
    if (part.state !== 'done' || !part.geometry) {
      el.append(h('div', { class: 'preview' }), h('div', null,
        h('div', { class: 'part-head' }, h('h3', null, part.file), h('span', { class: 'row' }, pill(part.state || 'queued'), del)),
        h('p', { class: 'muted' }, 'Being measured…')));
      return;
    }
    const url = detailUrl(part);
    const img = url ? h('img', { src: url, alt: `Drawing of ${part.file}` }) : h('img', { alt: 'No preview' });
    const ws = part.geometry.warnings || [];
    const prev = h('button', { class: 'preview', type: 'button', 'aria-label': `Enlarge the drawing of ${part.file}`, title: 'Click to enlarge' },
      img, markLayer(part, img),
      ws.length ? h('span', { class: 'badge' }, pill('warn', `${ws.length} warning${ws.length > 1 ? 's' : ''}`)) : null);
    prev.addEventListener('click', async () => (await import('./viewer.js')).openViewer(part));

    const right = h('div', null,
      h('div', { class: 'part-head' }, h('h3', { title: part.file }, part.file), h('span', { class: 'row' }, del)),
      h('dl', { class: 'figs' }, figures(part.geometry).map(([k, v, sub]) => h('div', null, h('dt', null, k),
        h('dd', null, v, sub ? h('small', { class: 'muted' }, ' ' + sub) : null)))),
      ws.length ? h('ul', { class: 'warnings', 'aria-label': 'Warnings' }, ws.map((w) => h('li', null, icon('warn'), h('span', null, w.message || w.code)))) : null,
      pickers(),
      priceBlock());
    el.append(prev, right);
  }

  function pickers() {
    const mats = ctx.materials || [];
    const ro = !!ctx.readOnly;
    const mat = h('select', { 'aria-label': 'Material', disabled: ro, 'data-pick': 'material' },
      h('option', { value: '' }, 'Choose material…'),
      mats.map((m) => h('option', { value: m.name, selected: m.name === part.material }, m.name)));
    const th = h('select', { 'aria-label': 'Thickness', disabled: ro, 'data-pick': 'thickness' });
    const qty = h('input', { type: 'number', min: 1, max: 1000000, step: 1, value: part.qty || part.quantity || 1, 'aria-label': 'Quantity', disabled: ro, 'data-pick': 'qty', class: 'num' });
    const opts = part.options && typeof part.options === 'object' ? part.options : {};
    const checks = OPTIONS.map(([k, label]) => {
      const c = h('input', { type: 'checkbox', checked: !!opts[k], disabled: ro, 'data-option': k });
      c.addEventListener('change', changed);
      return h('label', { class: 'check' }, c, label);
    });
    const fillTh = () => {
      clear(th);
      const m = mats.find((x) => x.name === mat.value);
      const list = m ? m.thicknesses : [];
      th.appendChild(h('option', { value: '' }, list.length ? 'mm…' : '–'));
      for (const t of list) th.appendChild(h('option', { value: t.thickness_mm, selected: Math.abs(t.thickness_mm - (part.thickness_mm || 0)) < 1e-6 }, `${num(t.thickness_mm, 2)} mm`));
      if (list.length === 1) th.value = String(list[0].thickness_mm);
    };
    fillTh();
    const send = debounce(reprice, 300);
    function changed() {
      const body = { material: mat.value || null, thickness_mm: th.value ? Number(th.value) : null, qty: Math.max(1, Math.round(Number(qty.value) || 1)) };
      body.options = {};
      for (const c of el.querySelectorAll('[data-option]')) if (c.checked) body.options[c.dataset.option] = true;
      if (!body.material || !body.thickness_mm) return;
      el.querySelector('.price-block')?.classList.add('repricing');
      send(body);
    }
    mat.addEventListener('change', () => { fillTh(); changed(); });
    th.addEventListener('change', changed);
    qty.addEventListener('input', changed);
    mat.id = `mat-${part.id}`; th.id = `th-${part.id}`; qty.id = `qty-${part.id}`;
    return h('div', { class: 'pick' },
      h('div', { class: 'field' }, h('label', { for: mat.id }, 'Material'), mat),
      h('div', { class: 'field' }, h('label', { for: th.id }, 'Thickness'), th),
      h('div', { class: 'field' }, h('label', { for: qty.id }, 'Quantity'), qty),
      h('div', { class: 'field opts-field' }, h('span', { class: 'label' }, 'Options'), h('div', { class: 'opts' }, checks)));
  }

  function priceBlock() {
    const p = part.price;
    if (!p) {
      return h('div', { class: 'price-block muted', 'aria-live': 'polite' }, part.material ? (part.price_error || 'Not priced yet.') : 'Choose a material and thickness to price this part.');
    }
    return h('div', { class: 'price-block', 'aria-live': 'polite' },
      h('div', { class: 'part-price' }, h('span', { class: 'big', 'data-part-total': '' }, money(p.total)),
        h('span', { class: 'muted' }, `${money(p.unit_price)} each · ${num(part.qty, 0)} ${part.qty === 1 ? 'piece' : 'pieces'}`)),
      h('details', null, h('summary', { class: 'muted' }, 'Price breakdown'),
        h('table', { class: 'table lines' }, h('tbody', null,
          (p.lines || []).map((l) => h('tr', null, h('td', null, l.label, l.detail ? h('div', { class: 'muted' }, l.detail) : null),
            h('td', { class: 'num' }, money(l.amount)))),
          h('tr', { class: 'total' }, h('td', null, 'Line total'), h('td', { class: 'num' }, money(p.total))))),
        (p.notes || []).length ? h('ul', { class: 'warnings' }, p.notes.map((n) => h('li', null, String(n)))) : null));
  }

  // PATCH answers 200 with the part priced, or 202 while its price job
  // waits behind a busy queue or a measurement: then the job is followed.
  async function reprice(body) {
    const mine = (el._seq = (el._seq || 0) + 1);
    const stale = () => mine !== el._seq || !el.isConnected;
    try {
      let fresh = await api.patch('/api/parts/' + part.id, body);
      while (fresh.state === 'queued' || fresh.state === 'running') {
        if (stale()) return;
        await new Promise((r) => setTimeout(r, 400));
        fresh = await api.get('/api/parts/' + part.id);
      }
      if (stale()) return;
      Object.assign(part, fresh);
      el.querySelector('.price-block').replaceWith(priceBlock());
      ctx.onChange(part);
    } catch (err) {
      if (stale()) return;
      el.querySelector('.price-block').replaceWith(h('div', { class: 'price-block' }, h('p', { class: 'field-error', role: 'alert' }, err.message)));
    }
  }

  async function remove() {
    if (!(await confirmBox(`Remove ${part.file}?`, 'The part and its price leave this quote.', 'Remove'))) return;
    try {
      await api.del('/api/parts/' + part.id);
      el.remove();
      ctx.onChange(null);
    } catch (err) {
      toast(err.message, 'error');
    }
  }
}

// ------------------------------------------------------------- uploads

// uploadFiles(quoteId, files, listEl, fields, onPart): fields are the
// material, thickness, quantity and options for new parts; onPart(id) is
// called when a part's job has ended (done or failed).
export function uploadFiles(quoteId, files, listEl, fields, onPart) {
  for (const file of files) uploadOne(quoteId, file, listEl, fields, onPart);
}

function uploadOne(quoteId, file, listEl, fields, onPart) {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': `Progress of ${file.name}` });
  const stage = h('span', { class: 'stage' }, 'Uploading');
  const msg = h('div', { class: 'msg', role: 'alert' });
  const act = h('span', { class: 'act' });
  const row = h('div', { class: 'upl', dataset: { file: file.name } }, h('span', { class: 'name', title: file.name }, file.name), stage, act, bar, msg);
  listEl.appendChild(row);
  const set = (pct, text) => {
    bar.value = Math.max(bar.value, Math.min(100, pct));
    if (text) stage.textContent = text;
  };
  const fail = (text) => {
    row.classList.add('failed');
    stage.textContent = 'Failed';
    msg.textContent = text;
    bar.remove();
    clear(act).appendChild(h('button', { class: 'btn small ghost', type: 'button', onclick: () => row.remove() }, 'Dismiss'));
    row.dataset.state = 'failed';
  };

  const send = async (attempt) => {
    const form = new FormData();
    form.append('file', file, file.name);
    for (const [k, v] of Object.entries(fields)) if (v !== '' && v != null) form.append(k, String(v));
    try {
      const r = await api.upload(`/api/quotes/${quoteId}/parts`, form, (f) => set(f * 30, `Uploading ${Math.round(f * 100)} %`));
      const p = r.parts[0];
      set(30, STAGE_TEXT.queued);
      follow(p.job_id, p.part_id);
    } catch (err) {
      if (err.status === 503 && attempt < 6) {
        const wait = Math.min(30, err.retryAfter || 2);
        set(0, `Server busy, trying again in ${wait} s`);
        setTimeout(() => send(attempt + 1), wait * 1000);
        return;
      }
      const hint = err.status === 413 ? ' Ask for a smaller file, or split the drawing.' : '';
      fail(err.message + hint);
    }
  };

  function show(j) {
    if (j.state === 'queued') return set(30, STAGE_TEXT.queued);
    let p = typeof j.progress === 'number' ? j.progress : 0;
    if (p > 1) p /= 100;
    // the job's own 0..100 % fills the bar after the upload's 30 %
    set(30 + 70 * p, STAGE_TEXT[j.stage] || j.stage);
  }

  function end(j, partId) {
    if (row.dataset.state) return;
    row.dataset.state = j.state;
    if (j.state === 'done') {
      set(100, 'Done');
      setTimeout(() => row.remove(), 600);
    } else {
      row.remove();
    }
    onPart(partId, j);
  }

  function follow(jobId, partId) {
    let es = null;
    let polling = false;
    const handle = (ev) => {
      let j;
      try {
        j = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!j.state && ev.type && ev.type !== 'message') j.state = ev.type === 'progress' ? 'running' : ev.type;
      if (j.state === 'done' || j.state === 'failed' || j.state === 'cancelled') {
        es && es.close();
        end(j, partId);
      } else show(j);
    };
    const poll = async () => {
      if (row.dataset.state) return;
      try {
        const j = await api.get('/api/jobs/' + jobId);
        if (j.state === 'done' || j.state === 'failed' || j.state === 'cancelled') return end(j, partId);
        show(j);
      } catch (err) {
        if (err.status === 404) return end({ state: 'failed', error: err.message }, partId);
      }
      setTimeout(poll, 700);
    };
    if (window.EventSource) {
      es = new EventSource(`/api/jobs/${jobId}/events`);
      for (const t of ['message', 'progress', 'stage', 'state', 'done', 'failed', 'cancelled']) es.addEventListener(t, handle);
      es.onerror = () => {
        es.close();
        if (!polling && !row.dataset.state) {
          polling = true;
          poll();
        }
      };
    } else {
      polling = true;
      poll();
    }
    clear(act).appendChild(h('button', { class: 'btn small ghost', type: 'button', 'aria-label': `Cancel ${file.name}`, onclick: async (e) => {
      e.target.disabled = true;
      try {
        await api.del('/api/jobs/' + jobId);
      } catch (err) {
        toast(err.message, 'error');
      }
    } }, 'Cancel'));
  }

  send(0);
}
