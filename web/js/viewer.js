// viewer.js - a part's drawing enlarged, with pan and zoom, and its
// warnings marked and numbered where they are (the list beside names
// them).  Drag or arrow keys to pan, wheel or +/- to zoom (about the
// pointer), 0 to fit.  The image and its marks are one layer moved by a
// CSS transform, so the marks stay on their places at every zoom.

import { h, modal, icon, svg } from './dom.js';
import { placeOf, detailUrl } from './parts.js';

export function openViewer(part) {
  const img = h('img', { src: detailUrl(part), alt: `Drawing of ${part.file}`, draggable: 'false' });
  const marks = svg('svg', { class: 'marks', 'aria-hidden': 'true' });
  const layer = h('div', { class: 'layer' }, img, marks);
  const view = h('div', { class: 'viewer', tabindex: 0, role: 'img', 'aria-label': `Drawing of ${part.file}; drag to pan, plus and minus to zoom, 0 to fit` }, layer,
    h('div', { class: 'viewer-tools' },
      h('button', { class: 'btn small icon-only', type: 'button', 'aria-label': 'Zoom in', onclick: () => zoomAt(1.4) }, '+'),
      h('button', { class: 'btn small icon-only', type: 'button', 'aria-label': 'Zoom out', onclick: () => zoomAt(1 / 1.4) }, '−'),
      h('button', { class: 'btn small', type: 'button', onclick: () => fit() }, 'Fit')),
    h('div', { class: 'viewer-help' }, 'Drag to pan · wheel to zoom · 0 fits'));
  const ws = (part.geometry && part.geometry.warnings) || [];
  const list = ws.length ? h('ol', { class: 'warnings viewer-list' }, ws.map((w) => h('li', null, icon('warn'), h('span', null, w.message || w.code)))) : null;
  modal(part.file, h('div', { class: 'viewer-wrap' }, view, list), { wide: true, tall: true });

  let s = 1, tx = 0, ty = 0;
  const apply = () => { layer.style.transform = `translate(${tx}px, ${ty}px) scale(${s})`; };
  function fit() {
    const W = img.naturalWidth || 1, H = img.naturalHeight || 1;
    const vw = view.clientWidth, vh = view.clientHeight;
    s = Math.min(vw / W, vh / H) * 0.96;
    tx = (vw - W * s) / 2;
    ty = (vh - H * s) / 2;
    apply();
  }
  function zoomAt(k, cx = view.clientWidth / 2, cy = view.clientHeight / 2) {
    const ns = Math.min(40, Math.max(0.05, s * k));
    tx = cx - ((cx - tx) * ns) / s;
    ty = cy - ((cy - ty) * ns) / s;
    s = ns;
    apply();
  }
  function placeMarks() {
    const W = img.naturalWidth, H = img.naturalHeight;
    marks.setAttribute('viewBox', `0 0 ${W} ${H}`);
    marks.setAttribute('width', W);
    marks.setAttribute('height', H);
    ws.forEach((w, i) => {
      if (typeof w.x !== 'number' || typeof w.y !== 'number') return;
      const p = placeOf(part, w.x, w.y);
      if (!p) return;
      const r = Math.max(10, Math.min(W, H) * 0.02);
      marks.appendChild(svg('circle', { cx: p[0] * W, cy: p[1] * H, r }));
      const t = svg('text', { x: p[0] * W + r + 2, y: p[1] * H - r, class: 'mark-no' });
      t.textContent = String(i + 1);
      marks.appendChild(t);
    });
  }
  img.addEventListener('load', () => { placeMarks(); fit(); });
  if (img.complete && img.naturalWidth) { placeMarks(); requestAnimationFrame(fit); }

  view.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = view.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  let drag = null;
  view.addEventListener('pointerdown', (e) => {
    if (e.target.closest('button')) return;
    drag = { x: e.clientX - tx, y: e.clientY - ty };
    view.setPointerCapture(e.pointerId);
    view.classList.add('drag');
  });
  view.addEventListener('pointermove', (e) => {
    if (!drag) return;
    tx = e.clientX - drag.x;
    ty = e.clientY - drag.y;
    apply();
  });
  const stop = () => { drag = null; view.classList.remove('drag'); };
  view.addEventListener('pointerup', stop);
  view.addEventListener('pointercancel', stop);
  view.addEventListener('keydown', (e) => {
    const step = 40;
    const keys = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (keys[e.key]) { tx += keys[e.key][0]; ty += keys[e.key][1]; apply(); }
    else if (e.key === '+' || e.key === '=') zoomAt(1.25);
    else if (e.key === '-') zoomAt(0.8);
    else if (e.key === '0') fit();
    else return;
    e.preventDefault();
  });
  view.focus();
}
