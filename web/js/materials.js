// materials.js - the Materials screen (admin): the catalog as an editable
// table, one block per material with its thicknesses.  Edits stay in the
// page until "Save", which replaces the catalog in one PUT (all or nothing
// on the server); figures are checked here first with the server's own
// rules (docs/api.md, PUT /api/materials), and whatever the server still
// refuses is shown under the field it names.  CSV import posts the file as
// text/csv and shows the server's line-numbered error; export is a link.

import { h, clear, field, clearErrors, showError, toast, pageHead, icon, num, confirmBox } from './dom.js';
import * as api from './api.js';

const MAT_FIELDS = [
  ['density_kg_m3', 'Density', 'kg/m³', 'pos'],
  ['price_per_kg', 'Price', '/kg', 'nonneg'],
];
const TH_FIELDS = [
  ['thickness_mm', 'Thickness', 'mm', 'pos'],
  ['cutting_speed_mm_min', 'Cutting speed', 'mm/min', 'pos'],
  ['pierce_time_s', 'Pierce time', 's', 'nonneg'],
  ['sheet_w_mm', 'Sheet width', 'mm', 'pos'],
  ['sheet_h_mm', 'Sheet height', 'mm', 'pos'],
];

export function render(root) {
  let cat = [];
  let currency = 'EUR';
  let dirty = false;
  const list = h('div');
  const status = h('span', { class: 'muted', role: 'status' });
  const save = h('button', { class: 'btn primary', type: 'button', disabled: true, onclick: () => saveAll() }, 'Save changes');
  const discard = h('button', { class: 'btn', type: 'button', disabled: true, onclick: () => load() }, 'Discard');
  const file = h('input', { type: 'file', accept: '.csv,text/csv', class: 'sr', id: 'csv-file', 'aria-label': 'CSV file to import' });
  const csvBox = h('div');
  const form = h('form', { class: 'card', novalidate: true },
    h('header', null, h('div', { class: 'row' }, h('h2', null, 'Catalog'), status),
      h('div', { class: 'row' }, discard, save)),
    h('div', { class: 'form-error banner error' }),
    list,
    h('div', { class: 'body' }, h('button', { class: 'btn', type: 'button', onclick: addMaterial }, icon('plus'), 'Add material')));
  form.addEventListener('submit', (e) => { e.preventDefault(); saveAll(); });
  form.addEventListener('input', () => setDirty(true));

  root.append(
    pageHead('Materials', 'What the shop cuts: price and density per material, cutting figures per thickness. The pricing rules read these.',
      h('label', { class: 'btn', for: 'csv-file' }, icon('upload'), 'Import CSV'), file,
      h('a', { class: 'btn', href: '/api/materials.csv', download: 'materials.csv' }, icon('download'), 'Export CSV')),
    csvBox, form);

  const keys = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 's') {
      e.preventDefault();
      saveAll();
    }
  };
  document.addEventListener('keydown', keys);
  const leave = (e) => { if (dirty) { e.preventDefault(); e.returnValue = ''; } };
  window.addEventListener('beforeunload', leave);

  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (!f) return;
    clear(csvBox);
    if (dirty && !(await confirmBox('Replace the catalog?', 'Your unsaved edits below are lost: the file replaces the whole catalog.', 'Import'))) return;
    try {
      const text = await f.text();
      const r = await api.post('/api/materials.csv', text, { type: 'text/csv' });
      csvBox.appendChild(h('p', { class: 'banner ok', role: 'status' },
        `Imported ${f.name}: ${r.rows} rows, ${r.materials} materials. The catalog below is the new one.`));
      load();
    } catch (err) {
      const m = /^line (\d+):\s*(.*)$/s.exec(err.message);
      csvBox.appendChild(h('div', { class: 'banner error', role: 'alert', 'data-csv-error': '' },
        h('strong', null, `${f.name} was not imported. `),
        m ? h('span', null, h('strong', null, `Line ${m[1]}: `), m[2]) : err.message,
        h('div', { class: 'muted' }, m ? 'Fix that line and import the file again.' : 'Fix the file and import it again.')));
    }
  });

  function setDirty(v) {
    dirty = v;
    save.disabled = discard.disabled = !v;
    status.textContent = v ? 'Unsaved changes' : '';
  }

  async function load() {
    try {
      const r = await api.get('/api/materials');
      cat = r.materials;
      currency = r.currency || currency;
      draw();
      setDirty(false);
    } catch (err) {
      clear(list).appendChild(h('p', { class: 'banner error' }, err.message));
    }
  }

  function numInput(obj, key, label, unit, idPath) {
    const i = h('input', { type: 'text', inputmode: 'decimal', value: obj[key] ?? '', 'aria-label': label + (unit ? ` (${unit})` : ''), class: 'num' });
    i.dataset.field = idPath;
    i.id = 'm-' + idPath.replace(/[^a-z0-9]/gi, '-');
    i.addEventListener('input', () => { obj[key] = i.value; });
    return i;
  }

  function draw() {
    clear(list);
    if (!cat.length) list.appendChild(h('div', { class: 'empty' }, h('h2', null, 'No materials yet'), h('p', null, 'Add one, or import a CSV file.')));
    cat.forEach((m, mi) => {
      const p = `materials[${mi}]`;
      const name = h('input', { value: m.name, maxlength: 100 });
      name.addEventListener('input', () => { m.name = name.value; });
      const notes = h('input', { value: m.notes || '', maxlength: 2000 });
      notes.addEventListener('input', () => { m.notes = notes.value; });
      const tb = h('tbody');
      m.thicknesses.forEach((t, ti) => {
        const tp = `${p}.thicknesses[${ti}]`;
        const cells = TH_FIELDS.map(([k, label, unit]) => {
          const inp = numInput(t, k, `${m.name} ${label}`, unit, `${tp}.${k}`);
          return h('td', null, inp, h('div', { class: 'field-error', id: inp.id + '-err' }));
        });
        tb.appendChild(h('tr', null, cells, h('td', { class: 'actions' },
          h('button', { class: 'btn small ghost icon-only', type: 'button', 'aria-label': `Remove ${num(Number(t.thickness_mm))} mm from ${m.name}`,
            title: 'Remove this thickness', onclick: () => { m.thicknesses.splice(ti, 1); draw(); setDirty(true); } }, icon('trash')))));
      });
      const matNums = MAT_FIELDS.map(([k, label, unit]) => field(`${label} (${k === 'price_per_kg' ? currency + unit : unit})`,
        numInput(m, k, label, unit, `${p}.${k}`)));
      list.appendChild(h('section', { class: 'mat', 'aria-label': m.name || 'New material' },
        h('div', { class: 'mat-head' },
          field('Material', name, { name: `${p}.name` }), matNums,
          field('Notes', notes, { name: `${p}.notes` }),
          h('button', { class: 'btn small danger', type: 'button', onclick: () => { cat.splice(mi, 1); draw(); setDirty(true); } }, 'Remove')),
        h('table', { class: 'table compact' },
          h('thead', null, h('tr', null, TH_FIELDS.map(([, label, unit]) => h('th', null, `${label} (${unit})`)), h('th'))),
          tb,
          h('tfoot', null, h('tr', null, h('td', { colspan: TH_FIELDS.length + 1 },
            h('button', { class: 'btn small ghost', type: 'button', onclick: () => addThickness(m) }, icon('plus'), 'Add thickness'))))),
        Object.keys(m.extra || {}).length ? h('p', { class: 'muted body' }, 'Shop figures kept as they are: ' +
          Object.entries(m.extra).map(([k, v]) => `${k} = ${v}`).join(', ')) : null));
    });
  }

  function addThickness(m) {
    const last = m.thicknesses[m.thicknesses.length - 1] || { sheet_w_mm: 3000, sheet_h_mm: 1500, pierce_time_s: 0.5, cutting_speed_mm_min: 3000 };
    m.thicknesses.push({ ...last, thickness_mm: '' });
    draw();
    setDirty(true);
    const inputs = list.querySelectorAll(`[data-field$=".thicknesses[${m.thicknesses.length - 1}].thickness_mm"]`);
    const mi = cat.indexOf(m);
    for (const i of inputs) if (i.dataset.field.startsWith(`materials[${mi}]`)) i.focus();
  }

  function addMaterial() {
    cat.push({ name: '', density_kg_m3: '', price_per_kg: '', notes: '', extra: {},
      thicknesses: [{ thickness_mm: '', cutting_speed_mm_min: '', pierce_time_s: '', sheet_w_mm: 3000, sheet_h_mm: 1500 }] });
    draw();
    setDirty(true);
    list.querySelector(`[data-field="materials[${cat.length - 1}].name"]`).focus();
  }

  // The server's checks, here first, so most mistakes show at once.
  function check() {
    const seen = new Set();
    const out = [];
    const numOk = (v, kind) => {
      const s = String(v).trim().replace(',', '.');
      const n = Number(s);
      if (s === '' || !isFinite(n)) return [null, 'Enter a number.'];
      if (kind === 'pos' && n <= 0) return [null, 'Must be above 0.'];
      if (kind === 'nonneg' && n < 0) return [null, 'Must be 0 or more.'];
      if (n > 1e9) return [null, 'Must be at most 1,000,000,000.'];
      return [n, null];
    };
    for (const [mi, m] of cat.entries()) {
      const p = `materials[${mi}]`;
      const name = m.name.trim();
      if (!name) return [null, { field: `${p}.name`, message: 'Give the material a name.' }];
      if (seen.has(name.toLowerCase())) return [null, { field: `${p}.name`, message: `"${name}" is already in the catalog.` }];
      seen.add(name.toLowerCase());
      const mo = { name, notes: m.notes || '', extra: m.extra || {}, thicknesses: [] };
      for (const [k, , , kind] of MAT_FIELDS) {
        const [n, e] = numOk(m[k], kind);
        if (e) return [null, { field: `${p}.${k}`, message: e }];
        mo[k] = n;
      }
      if (!m.thicknesses.length) return [null, { field: `${p}.name`, message: `${name} needs at least one thickness.` }];
      const ths = [];
      for (const [ti, t] of m.thicknesses.entries()) {
        const to = {};
        for (const [k, , , kind] of TH_FIELDS) {
          const [n, e] = numOk(t[k], kind);
          if (e) return [null, { field: `${p}.thicknesses[${ti}].${k}`, message: e }];
          to[k] = n;
        }
        if (ths.some((x) => Math.abs(x - to.thickness_mm) < 0.001))
          return [null, { field: `${p}.thicknesses[${ti}].thickness_mm`, message: `${name} has ${to.thickness_mm} mm twice.` }];
        ths.push(to.thickness_mm);
        mo.thicknesses.push(to);
      }
      out.push(mo);
    }
    return [out, null];
  }

  async function saveAll() {
    if (!dirty) return;
    clearErrors(form);
    const [body, err] = check();
    if (err) return showError(form, err);
    save.disabled = true;
    try {
      const r = await api.put('/api/materials', { materials: body });
      cat = r.materials;
      draw();
      setDirty(false);
      toast('Catalog saved', 'ok');
    } catch (e) {
      save.disabled = false;
      showError(form, e);
    }
  }

  load();
  return () => {
    document.removeEventListener('keydown', keys);
    window.removeEventListener('beforeunload', leave);
  };
}
