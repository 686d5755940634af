// system.js - the System screen (admin): health and key figures (GET
// /api/system, with /health as the fallback while a server has no
// /api/system), backups (make one, download, their integrity status) and
// the audit log with search and paging.  The figures refresh every 10 s
// while the screen is open.

import { h, clear, toast, pageHead, pill, bytes, duration, dateTime, icon, debounce } from './dom.js';
import * as api from './api.js';

const AUDIT_PAGE = 50;

export function render(root) {
  const tiles = h('div', { class: 'tiles', 'aria-live': 'polite' });
  const backups = h('tbody');
  const audit = h('tbody');
  const auditPager = h('div', { class: 'pager' });
  const search = h('input', { type: 'search', placeholder: 'Search the audit log', 'aria-label': 'Search the audit log', 'data-search': '' });
  const makeBtn = h('button', { class: 'btn', type: 'button', onclick: () => makeBackup() }, 'Make a backup now');
  const schedule = h('p', { class: 'muted body schedule' });
  let offset = 0;

  root.append(
    pageHead('System', 'How the appliance is doing, its backups and who changed what.'),
    tiles,
    h('div', { class: 'two' },
      h('section', { class: 'card', 'aria-label': 'Backups' },
        h('header', null, h('h2', null, 'Backups'), makeBtn),
        schedule,
        h('table', { class: 'table' }, h('thead', null, h('tr', null, h('th', null, 'File'), h('th', null, 'Made'),
          h('th', { class: 'num' }, 'Size'), h('th', null, 'Check'), h('th'))), backups)),
      h('section', { class: 'card', 'aria-label': 'Audit log' },
        h('header', null, h('h2', null, 'Audit log'), h('div', { class: 'search' }, icon('search'), search)),
        h('table', { class: 'table compact' }, h('thead', null, h('tr', null, h('th', null, 'When'), h('th', null, 'Who'),
          h('th', null, 'What'), h('th', null, 'Detail'))), audit),
        auditPager)));

  function tile(label, value, sub, cls) {
    return h('div', { class: 'tile' + (cls ? ' ' + cls : '') }, h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null);
  }

  async function figures() {
    let s = null, health = null;
    try {
      s = await api.get('/api/system');
    } catch (err) {
      if (err.status === 401) return;
    }
    try {
      const res = await fetch('/health', { headers: { Accept: 'application/json' } });
      health = await res.json();
    } catch {
      /* shown below as unknown */
    }
    clear(tiles);
    const status = health ? health.status : 'unknown';
    tiles.appendChild(tile('Health', pill(status === 'ok' ? 'ok' : status === 'degraded' ? 'degraded' : 'failed', status === 'ok' ? 'OK' : status),
      health && health.failing ? 'failing: ' + health.failing.join(', ') : `version ${(s || health || {}).version || '?'}`));
    const up = (s || health || {}).uptime_s;
    tiles.appendChild(tile('Up for', duration(up)));
    const jobs = (s && s.jobs) || (health && health.jobs) || {};
    tiles.appendChild(tile('Jobs now', `${jobs.running ?? 0} running`, `${jobs.queued ?? 0} waiting` +
      (jobs.workers ? ` · ${jobs.workers} workers, queue ${jobs.queue}` : '')));
    if (s) {
      tiles.appendChild(tile('Last hour', `${s.jobs.done_last_hour ?? 0} parts`, `${s.jobs.failed_last_hour ?? 0} failed`,
        s.jobs.failed_last_hour ? 'warn' : ''));
      tiles.appendChild(tile('Server errors', String(s.requests_5xx_last_5min ?? 0),
        `of ${s.requests_last_5min ?? 0} answers in the last 5 minutes`, s.requests_5xx_last_5min ? 'warn' : ''));
      tiles.appendChild(tile('Database', bytes(s.database_bytes), `${bytes(s.disk_free_bytes)} disk free · ${bytes(s.rss_bytes)} in memory`,
        s.disk_free_bytes !== null && s.disk_free_bytes < 2 * (s.disk_min_free_bytes || 0) ? 'warn' : ''));
      if (s.backup) {
        schedule.textContent = (s.backup.interval_h ? `Made every ${s.backup.interval_h} h, the last ${s.backup.keep} kept. ` : 'No schedule: made by hand. ') +
          (s.backup.latest ? `Latest ${dateTime(s.backup.latest)}.` : 'None yet.');
      }
    } else if (health) {
      tiles.appendChild(tile('Database', bytes(health.database && health.database.size_bytes),
        `${bytes(health.disk && health.disk.free_bytes)} disk free`));
    }
  }

  async function loadBackups() {
    try {
      const r = await api.get('/api/backups');
      clear(backups);
      if (!r.backups.length) backups.appendChild(h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No backups yet.')));
      for (const b of r.backups) {
        backups.appendChild(h('tr', null, h('td', { class: 'mono' }, b.name), h('td', null, dateTime(b.created)),
          h('td', { class: 'num' }, bytes(b.size_bytes)),
          h('td', null, b.status === 'ok' ? pill('ok', 'intact') : h('span', { title: b.problem || '' }, pill('failed', b.status))),
          h('td', { class: 'actions' }, h('a', { class: 'btn small', href: '/api/backups/' + encodeURIComponent(b.name), download: b.name,
            'aria-label': 'Download ' + b.name }, icon('download')))));
      }
    } catch (err) {
      clear(backups).appendChild(h('tr', null, h('td', { colspan: 5, class: 'field-error' }, err.message)));
    }
  }

  async function makeBackup() {
    makeBtn.disabled = true;
    makeBtn.textContent = 'Making a backup…';
    try {
      const r = await api.post('/api/backups');
      toast(`Backup ${r.backup.name} made and checked (${r.backup.ms} ms)`, 'ok');
      loadBackups();
      loadAudit();
      figures();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      makeBtn.disabled = false;
      makeBtn.textContent = 'Make a backup now';
    }
  }

  async function loadAudit() {
    try {
      const r = await api.get('/api/audit' + api.qs({ q: search.value.trim(), limit: AUDIT_PAGE, offset }));
      clear(audit);
      if (!r.entries.length) audit.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'Nothing recorded matches.')));
      for (const e of r.entries) {
        audit.appendChild(h('tr', null, h('td', { class: 'muted' }, dateTime(e.time)), h('td', null, e.user || '–'),
          h('td', { class: 'mono' }, e.action), h('td', null, e.detail || '')));
      }
      clear(auditPager).append(h('span', null, r.total ? `${offset + 1}–${offset + r.entries.length} of ${r.total}` : ''),
        h('span', { class: 'row' },
          h('button', { class: 'btn small', type: 'button', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - AUDIT_PAGE); loadAudit(); } }, 'Newer'),
          h('button', { class: 'btn small', type: 'button', disabled: offset + AUDIT_PAGE >= r.total, onclick: () => { offset += AUDIT_PAGE; loadAudit(); } }, 'Older')));
    } catch (err) {
      clear(audit).appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' },
        err.status === 404 ? 'This server version has no audit log view yet.' : err.message)));
    }
  }

  search.addEventListener('input', debounce(() => { offset = 0; loadAudit(); }, 250));
  figures();
  loadBackups();
  loadAudit();
  const timer = setInterval(figures, 10000);
  return () => clearInterval(timer);
}
