// dom.js - the few helpers every screen uses to build the page.
//
// h() makes elements from a tag, attributes and children; strings become
// text nodes, so nothing that comes from the server is ever parsed as HTML
// (the Content-Security-Policy forbids inline script anyway, and no code
// here assigns innerHTML).  Also: toasts, number, money and date formats,
// a debounce, and the error display that puts a message under the field
// the server names in error.field.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// SVG elements (icons, diff markers): same contract as h().
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.appendChild(c);
  return el;
}

// A 16 px stroke icon from a path list; decorative, hidden from readers.
const ICONS = {
  quotes: 'M4 3h9l4 4v14H4z M13 3v4h4 M7 11h7 M7 15h7',
  materials: 'M3 7l9-4 9 4-9 4z M3 12l9 4 9-4 M3 17l9 4 9-4',
  rules: 'M8 6l-5 6 5 6 M16 6l5 6-5 6 M14 4l-4 16',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M2 21c0-4 3-6 7-6s7 2 7 6 M17 11a3 3 0 1 0 0-6 M19 15c2 .5 3 2.5 3 6',
  system: 'M3 12h4l3-8 4 16 3-8h4',
  plus: 'M12 5v14 M5 12h14',
  upload: 'M12 16V4 M7 9l5-5 5 5 M4 16v4h16v-4',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M21 21l-5-5',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13',
  download: 'M12 4v12 M7 11l5 5 5-5 M4 20h16',
  warn: 'M12 3l10 18H2z M12 10v5 M12 18v.5',
  close: 'M6 6l12 12 M18 6L6 18',
  copy: 'M8 8h12v12H8z M4 16V4h12',
  expand: 'M4 10V4h6 M20 10V4h-6 M4 14v6h6 M20 14v6h-6',
};

export function icon(name) {
  const s = svg('svg', { viewBox: '0 0 24 24', width: 16, height: 16, 'aria-hidden': 'true', class: 'icon' });
  s.appendChild(svg('path', { d: ICONS[name] || '' }));
  return s;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function debounce(fn, ms) {
  let t = 0;
  const d = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
  d.flush = (...args) => {
    clearTimeout(t);
    fn(...args);
  };
  return d;
}

// ---------------------------------------------------------------- formats

let currency = 'EUR';
export function setCurrency(c) {
  if (typeof c === 'string' && /^[A-Z]{3}$/.test(c)) currency = c;
}

export function money(v) {
  if (typeof v !== 'number' || !isFinite(v)) return '–';
  try {
    return v.toLocaleString('en-GB', { style: 'currency', currency, minimumFractionDigits: 2 });
  } catch {
    return v.toFixed(2) + ' ' + currency;
  }
}

export function num(v, digits = 2) {
  if (typeof v !== 'number' || !isFinite(v)) return '–';
  return v.toLocaleString('en-GB', { maximumFractionDigits: digits });
}

export function bytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
}

export function date(s) {
  if (!s) return '–';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short', year: 'numeric' });
}

export function dateTime(s) {
  if (!s) return '–';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleString('en-GB', { day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function duration(s) {
  if (typeof s !== 'number') return '–';
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${hr} h` : hr ? `${hr} h ${m} min` : `${m} min`;
}

// ------------------------------------------------------------------ toasts

export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : null }, text);
  box.appendChild(t);
  setTimeout(() => t.classList.add('out'), kind === 'error' ? 6000 : 3000);
  setTimeout(() => t.remove(), kind === 'error' ? 6400 : 3400);
}

// ------------------------------------------------------------------ fields

let fieldSeq = 0;

// A labelled form field: label, control, hint and the slot for its error.
// The control gets data-field=name so showError() can find it.
export function field(label, control, { name, hint, cls } = {}) {
  const id = control.id || 'f' + ++fieldSeq;
  control.id = id;
  if (name) control.dataset.field = name;
  const err = h('div', { class: 'field-error', id: id + '-err', role: 'alert' });
  control.setAttribute('aria-describedby', id + '-err');
  return h('div', { class: 'field ' + (cls || '') },
    h('label', { for: id }, label), control, hint ? h('div', { class: 'hint' }, hint) : null, err);
}

export function clearErrors(root) {
  for (const e of root.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of root.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  const f = root.querySelector('.form-error');
  if (f) f.textContent = '';
}

// Shows an API error next to the field it names (error.field), or in the
// form's general slot, or as a toast; returns nothing.  Field names from
// the server may be paths ("materials[2].thicknesses[0].thickness_mm"):
// the longest data-field that the name starts with wins.
export function showError(root, err) {
  const msg = err && err.message ? err.message : String(err);
  const name = err && err.field;
  if (root && name) {
    let best = null;
    for (const el of root.querySelectorAll('[data-field]')) {
      const f = el.dataset.field;
      if ((name === f || name.startsWith(f + '.') || name.startsWith(f + '[')) &&
          (!best || f.length > best.dataset.field.length)) best = el;
    }
    if (best) {
      best.setAttribute('aria-invalid', 'true');
      const slot = document.getElementById(best.id + '-err');
      if (slot) slot.textContent = capital(msg);
      else toast(capital(msg), 'error');
      best.focus();
      return;
    }
  }
  const general = root && root.querySelector('.form-error');
  if (general) general.textContent = capital(msg);
  else toast(capital(msg), 'error');
}

export function capital(s) {
  s = String(s);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// A status pill: draft, sent, accepted, rejected, expired, failed, ...
export function pill(status, text) {
  return h('span', { class: 'pill ' + String(status).replace(/[^a-z_]/g, '') }, text || status);
}

// The page heading row: title, optional subtitle, actions on the right.
export function pageHead(title, sub, ...actions) {
  return h('header', { class: 'page-head' },
    h('div', null, h('h1', null, title), sub ? h('p', { class: 'sub' }, sub) : null),
    h('div', { class: 'actions' }, actions));
}

// A modal dialog on <dialog>: focus is trapped and Escape closes it.
export function modal(title, body, { wide, tall, onclose } = {}) {
  const dlg = h('dialog', { class: 'modal' + (wide ? ' wide' : '') + (tall ? ' tall' : ''), 'aria-label': title },
    h('header', null, h('h2', null, title),
      h('button', { class: 'btn ghost icon-only', type: 'button', 'aria-label': 'Close', onclick: () => dlg.close() }, icon('close'))),
    body);
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (onclose) onclose();
  });
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}

// Asks before something that cannot be undone; resolves true or false.
export function confirmBox(title, text, action = 'Delete') {
  return new Promise((resolve) => {
    let ok = false;
    const dlg = modal(title, h('div', { class: 'modal-body' },
      h('p', null, text),
      h('div', { class: 'modal-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => dlg.close() }, 'Cancel'),
        h('button', { class: 'btn danger', type: 'button', onclick: () => { ok = true; dlg.close(); } }, action))),
    { onclose: () => resolve(ok) });
  });
}
