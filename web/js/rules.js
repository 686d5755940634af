// rules.js - the Pricing rules screen (admin): a Lua editor with line
// numbers and colouring, Check (errors marked at their line), Try (price a
// stored part with the draft, beside its price under the active version),
// Save as a new version with a note, and the version history with a diff
// between any two versions or the draft.
//
// The editor is a transparent <textarea> over a coloured <pre> of the same
// text in the same font; the two scroll together (the pre and the gutter
// are moved by the textarea's scroll offsets), so typing, selection, undo
// and screen readers all work on a plain textarea.

import { h, clear, toast, pageHead, modal, confirmBox, money, dateTime, pill, field } from './dom.js';
import * as api from './api.js';
import { tokens, diff } from './lua.js';

const LINE_PX = 19;

export function render(root) {
  let versions = [];
  let base = null; // the version the draft started from: {version, source, active}
  let errLine = 0;
  const sources = new Map(); // version -> source, fetched once each

  const ta = h('textarea', { spellcheck: 'false', wrap: 'off', autocapitalize: 'off', autocomplete: 'off',
    'aria-label': 'Pricing rules (Lua)', 'aria-describedby': 'rules-problems' });
  const pre = h('pre', { 'aria-hidden': 'true' });
  const mark = h('div', { class: 'errline', hidden: true });
  const layer = h('div', { class: 'layer-abs' }, pre, mark);
  const gutterIn = h('div');
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' }, gutterIn);
  const editor = h('div', { class: 'editor' }, gutter, h('div', { class: 'code' }, layer, ta));
  const title = h('span', { class: 'muted' });
  const problems = h('div', { id: 'rules-problems', 'aria-live': 'polite' },
    h('p', { class: 'muted body' }, 'Check compiles the rules and prices the built-in sample parts with them.'));
  const checkBtn = h('button', { class: 'btn', type: 'button', title: 'Ctrl+Enter', onclick: () => check() }, 'Check');
  const saveBtn = h('button', { class: 'btn primary', type: 'button', title: 'Ctrl+S', onclick: () => save() }, 'Save as new version');
  const verList = h('ul', { class: 'versions' });
  const cmpA = h('select', { 'aria-label': 'Compare from' });
  const cmpB = h('select', { 'aria-label': 'Compare to' });
  const tryBox = h('div', { class: 'body' });

  root.append(
    pageHead('Pricing rules', 'The Lua that prices every part. Check and try a draft, then save it as the new active version; earlier versions are kept.',
      checkBtn, saveBtn),
    h('div', { class: 'rules-grid' },
      h('div', null, h('div', { class: 'row editor-bar' }, title), editor),
      h('div', { class: 'side-panel' },
        h('section', { class: 'card', 'aria-label': 'Check' }, h('header', null, h('h2', null, 'Check')), problems),
        h('section', { class: 'card', 'aria-label': 'Try on a part' }, h('header', null, h('h2', null, 'Try on a part')), tryBox),
        h('section', { class: 'card', 'aria-label': 'Versions' },
          h('header', null, h('h2', null, 'Versions')),
          h('div', { class: 'body row' }, cmpA, h('span', { class: 'muted' }, '→'), cmpB,
            h('button', { class: 'btn small', type: 'button', onclick: () => showDiff() }, 'Diff')),
          verList))));

  // ------------------------------------------------------------ editor
  let raf = 0;
  function paint() {
    raf = 0;
    const src = ta.value;
    clear(pre);
    const frag = document.createDocumentFragment();
    for (const [kind, text] of tokens(src)) {
      if (kind) frag.appendChild(h('span', { class: 'tk-' + kind }, text));
      else frag.appendChild(document.createTextNode(text));
    }
    frag.appendChild(document.createTextNode('\n'));
    pre.appendChild(frag);
    const lines = src.split('\n').length;
    if (gutterIn.childElementCount !== lines || errLine) {
      clear(gutterIn);
      for (let i = 1; i <= lines; i++)
        gutterIn.appendChild(h('div', { class: i === errLine ? 'bad' : null }, String(i)));
    }
    markLine();
    const dirty = base && src !== base.source;
    title.textContent = base && base.version ? (dirty ? `Draft, changed from version ${base.version}` : `Version ${base.version}${base.active ? ' (active)' : ''}`) : '';
  }
  function schedule() {
    if (!raf) raf = requestAnimationFrame(paint);
  }
  function sync() {
    const t = `translate(${-ta.scrollLeft}px, ${-ta.scrollTop}px)`;
    layer.style.transform = t;
    gutterIn.style.transform = `translateY(${-ta.scrollTop}px)`;
  }
  function markLine() {
    mark.hidden = !errLine;
    if (errLine) mark.style.top = 10 + (errLine - 1) * LINE_PX + 'px';
  }
  ta.addEventListener('input', () => {
    if (errLine) {
      errLine = 0;
      gutterIn.textContent = '';
    }
    schedule();
  });
  ta.addEventListener('scroll', sync);
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      // indent with spaces; Escape then Tab leaves the editor (below)
      if (ta.dataset.escaped) {
        delete ta.dataset.escaped;
        return;
      }
      e.preventDefault();
      document.execCommand('insertText', false, '  ');
    } else if (e.key === 'Escape') {
      ta.dataset.escaped = '1';
    } else if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      check();
    } else if ((e.ctrlKey || e.metaKey) && e.key === 's') {
      e.preventDefault();
      save();
    }
  });

  function goLine(line) {
    const lines = ta.value.split('\n');
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    ta.focus();
    ta.setSelectionRange(pos, pos + (lines[line - 1] || '').length);
    ta.scrollTop = Math.max(0, (line - 6) * LINE_PX);
    sync();
  }

  // The line of a message like "rules:12: ..." or "[string]:12:" or "line 12".
  function lineOf(msg) {
    const m = /(?:^|[\]:\s])(\d+):\s/.exec(msg) || /\bline (\d+)/.exec(msg);
    return m ? parseInt(m[1], 10) : 0;
  }

  function showProblems(list, okText) {
    clear(problems);
    errLine = 0;
    if (!list.length) {
      problems.appendChild(h('p', { class: 'banner ok body', role: 'status' }, okText));
    } else {
      const ul = h('ul', { class: 'problems' });
      for (const p of list) {
        const line = p.line || lineOf(p.message);
        if (line && !errLine) errLine = line;
        ul.appendChild(h('li', { role: 'alert' },
          line ? h('button', { type: 'button', onclick: () => goLine(line), 'data-line': line }, `Line ${line}`) : null,
          p.message));
      }
      problems.appendChild(ul);
    }
    gutterIn.textContent = '';
    paint();
    if (errLine) goLine(errLine);
  }

  // ------------------------------------------------------------ actions
  async function check() {
    checkBtn.disabled = true;
    try {
      const r = await api.post('/api/rules/check', { source: ta.value });
      showProblems(r.ok ? [] : r.errors,
        `No problems. ${r.trial.calls} sample prices computed in ${r.trial.ms} ms.`);
      return r.ok;
    } catch (err) {
      showProblems([{ line: lineOf(err.message), message: err.message }]);
      return false;
    } finally {
      checkBtn.disabled = false;
    }
  }

  function save() {
    if (base && ta.value === base.source && base.active) {
      toast('Nothing to save: the editor holds the active version.', 'info');
      return;
    }
    const note = h('input', { maxlength: 500, placeholder: 'e.g. setup fee 30 for small runs' });
    const form = h('form', { class: 'form modal-body' },
      h('p', { class: 'muted' }, 'The rules are checked again; if they pass, they become the active version for every new price.'),
      field('What changed (optional)', note, { name: 'note' }),
      h('div', { class: 'form-error' }),
      h('div', { class: 'modal-actions' }, h('button', { class: 'btn', type: 'button', onclick: () => dlg.close() }, 'Cancel'),
        h('button', { class: 'btn primary', type: 'submit' }, 'Save and activate')));
    const dlg = modal('Save as a new version', form);
    note.focus();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await api.post('/api/rules', { source: ta.value, note: note.value });
        dlg.close();
        toast(r.created ? `Saved as version ${r.version.version}, now active` : 'Unchanged: this is the active version', 'ok');
        sources.set(r.version.version, ta.value);
        await loadVersions();
        base = { ...r.version, source: ta.value };
        showProblems([], `Version ${r.version.version} is active.`);
      } catch (err) {
        dlg.close();
        showProblems([{ line: lineOf(err.message), message: err.message }]);
      }
    });
  }

  async function source(v) {
    if (!sources.has(v)) sources.set(v, (await api.get('/api/rules/' + v)).version.source);
    return sources.get(v);
  }

  async function open(v) {
    if (base && ta.value !== base.source &&
        !(await confirmBox('Discard the draft?', 'The editor holds changes that are not saved.', 'Discard'))) return;
    try {
      const src = await source(v.version);
      base = { ...v, source: src };
      ta.value = src;
      errLine = 0;
      gutterIn.textContent = '';
      paint();
      ta.scrollTop = 0;
      sync();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function loadVersions() {
    const r = await api.get('/api/rules');
    versions = r.versions;
    clear(verList);
    const opts = (sel, withDraft, pickIdx) => {
      clear(sel);
      if (withDraft) sel.appendChild(h('option', { value: 'draft' }, 'Draft (editor)'));
      versions.forEach((v, i) => sel.appendChild(h('option', { value: v.version, selected: i === pickIdx },
        `v${v.version}${v.active ? ' (active)' : ''}`)));
    };
    opts(cmpA, false, versions.length > 1 ? 1 : 0);
    opts(cmpB, true, -1);
    for (const v of versions) {
      verList.appendChild(h('li', null,
        h('strong', null, 'v' + v.version),
        h('span', { class: 'muted' }, `${v.author || 'built in'} · ${dateTime(v.created)}`),
        h('span', { class: 'row' }, v.active ? pill('active') : null,
          h('button', { class: 'btn small', type: 'button', onclick: () => open(v), 'aria-label': `Open version ${v.version}` }, 'Open')),
        h('span', { class: 'note' }, v.note || '')));
    }
    return versions;
  }

  async function showDiff() {
    try {
      const a = cmpA.value, b = cmpB.value;
      const ta1 = await source(Number(a));
      const tb1 = b === 'draft' ? ta.value : await source(Number(b));
      const rows = diff(ta1, tb1);
      const box = h('div', { class: 'diff', role: 'region', 'aria-label': 'Differences' });
      const changed = rows.map((r) => r[0] !== ' ');
      let adds = 0, dels = 0;
      for (let i = 0; i < rows.length; i++) {
        const [op, la, lb, text] = rows[i];
        if (op === '+') adds++;
        if (op === '-') dels++;
        // three lines of context around each change
        let near = false;
        for (let k = Math.max(0, i - 3); k <= Math.min(rows.length - 1, i + 3) && !near; k++) near = changed[k];
        if (!near) {
          if (!box.lastChild || !box.lastChild.classList.contains('gap')) box.appendChild(h('div', { class: 'gap', 'aria-label': 'unchanged lines' }, '⋯'));
          continue;
        }
        box.appendChild(h('div', { class: op === '+' ? 'add' : op === '-' ? 'del' : null },
          h('span', { class: 'ln' }, la || ''), h('span', { class: 'ln' }, lb || ''), h('span', null, op === ' ' ? '' : op), text));
      }
      const label = b === 'draft' ? 'the draft' : 'v' + b;
      modal(`v${a} → ${label}`, h('div', { class: 'modal-body' },
        h('p', { class: 'muted' }, adds || dels ? `${plural(adds, 'line')} added, ${dels} removed.` : 'The two are the same.'), box), { wide: true });
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  // ---------------------------------------------------------- try
  // Prices one stored part with the draft; parts come from recent quotes.
  function drawTry() {
    const pick = h('select', { 'aria-label': 'Part to price' }, h('option', { value: '' }, 'Choose a part…'));
    const out = h('div');
    const btn = h('button', { class: 'btn small', type: 'button' }, 'Try');
    clear(tryBox).append(h('div', { class: 'row' }, pick, btn), out);
    let filled = false;
    pick.addEventListener('focus', async () => {
      if (filled) return;
      filled = true;
      try {
        const qs = (await api.get('/api/quotes?limit=15')).quotes || [];
        for (const q of qs) {
          const full = await api.get('/api/quotes/' + q.id);
          const parts = (full.parts || []).filter((p) => p.total_minor != null);
          if (!parts.length) continue;
          pick.appendChild(h('optgroup', { label: `${q.number}${q.customer_name ? ' · ' + q.customer_name : ''}` },
            parts.map((p) => h('option', { value: p.part_id }, p.file || 'part ' + p.part_id))));
        }
        if (pick.options.length === 1) pick.appendChild(h('option', { value: '', disabled: true }, 'No priced parts yet'));
      } catch (err) {
        out.textContent = err.message;
      }
    });
    btn.addEventListener('click', async () => {
      if (!pick.value) return pick.focus();
      clear(out).appendChild(h('p', { class: 'muted' }, 'Pricing…'));
      try {
        const [r, part] = await Promise.all([
          api.post('/api/rules/check', { source: ta.value, part_id: Number(pick.value) }),
          api.get('/api/parts/' + pick.value),
        ]);
        if (!r.ok) {
          clear(out);
          showProblems(r.errors);
          return;
        }
        const t = r.trial || {};
        clear(out).appendChild(h('div', { class: 'compare' },
          priceCol('Draft', t.draft, t.draft_error),
          priceCol(`Active (${t.active_rules || 'in effect'})`, t.active || part.price, t.active_error)));
      } catch (err) {
        clear(out).appendChild(h('p', { class: 'field-error' }, err.message));
      }
    });
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  function priceCol(label, p, error) {
    if (!p) return h('div', null, h('h3', null, label), h('p', { class: error ? 'field-error' : 'muted' }, error || 'no price'));
    return h('div', null, h('h3', null, label),
      h('table', { class: 'table lines' }, h('tbody', null,
        (p.lines || []).map((l) => h('tr', null, h('td', null, l.label || l.name || ''), h('td', { class: 'num' }, money(l.amount ?? l.total ?? l.value)))),
        h('tr', { class: 'total' }, h('td', null, 'Total'), h('td', { class: 'num', 'data-total': label.toLowerCase() }, money(p.total))))));
  }

  // --------------------------------------------------------------- start
  (async () => {
    try {
      await loadVersions();
      const active = versions.find((v) => v.active) || versions[0];
      if (active) await open(active);
      else {
        // No version saved: start from the rules in effect (the appliance's
        // built-in rules, or the file named in appliance.ini).
        const cur = (await api.get('/api/rules/current')).current;
        base = { version: 0, source: cur.source, active: true };
        ta.value = cur.source;
        problems.prepend(h('p', { class: 'banner info' },
          `No rules version is saved yet: the ${cur.origin === 'config' ? 'rules file ' + cur.name : 'rules built into the appliance'} price the parts. ` +
          'Edit them here and save to make version 1.'));
        paint();
        sync();
      }
    } catch (err) {
      problems.textContent = err.message;
    }
    drawTry();
  })();

  const leave = (e) => {
    if (base && ta.value !== base.source) {
      e.preventDefault();
      e.returnValue = '';
    }
  };
  window.addEventListener('beforeunload', leave);
  return () => {
    window.removeEventListener('beforeunload', leave);
    if (raf) cancelAnimationFrame(raf);
  };
}
