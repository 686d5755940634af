// app.js - the UI's entry: the session, the hash router, the shell and the
// keyboard shortcuts.
//
// Routes are "#/name/param"; each screen is a module in js/ loaded on first
// use (so the first screen fetches only what it shows) and exports
// render(root, ctx) which may return a cleanup function, called when the
// user leaves.  The page /setup (the first-start link) shows the setup form
// whatever the hash.  Admin screens are not in a sales user's menu, and
// typing their address shows "not allowed" (the server refuses the calls
// anyway).  When any call answers 401 the user is sent to sign in, and
// after signing in returns to the address they were on.

import { h, clear, icon, toast, modal } from './js/dom.js';
import * as api from './js/api.js';

const SCREENS = {
  quotes: { title: 'Quotes', icon: 'quotes', load: () => import('./js/quotes.js') },
  quote: { title: 'Quote', load: () => import('./js/quote.js'), nav: 'quotes' },
  materials: { title: 'Materials', icon: 'materials', admin: true, load: () => import('./js/materials.js') },
  rules: { title: 'Pricing rules', icon: 'rules', admin: true, load: () => import('./js/rules.js') },
  users: { title: 'Users', icon: 'users', admin: true, load: () => import('./js/users.js') },
  system: { title: 'System', icon: 'system', admin: true, load: () => import('./js/system.js') },
};
const MENU = ['quotes', 'materials', 'rules', 'users', 'system'];

export const session = { user: null };
let cleanup = null;
let seq = 0;

const shell = document.getElementById('shell');
const bare = document.getElementById('bare');
const app = document.getElementById('app');

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'quotes', arg: parts[1], params: new URLSearchParams(query || '') };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signInPath(reason) {
  const here = location.hash && !location.hash.startsWith('#/signin') ? location.hash.slice(1) : '';
  return '#/signin?' + new URLSearchParams({ ...(here ? { next: here } : {}), ...(reason ? { why: reason } : {}) });
}

api.onSessionEnd((err) => {
  if (!session.user) return;
  session.user = null;
  api.setCsrf('');
  go(signInPath(err.code === 'session_expired' ? 'expired' : 'signin'));
});

function buildNav(active) {
  const nav = clear(document.getElementById('nav'));
  for (const name of MENU) {
    const s = SCREENS[name];
    if (s.admin && session.user.role !== 'admin') continue;
    nav.appendChild(h('li', null, h('a', {
      href: '#/' + name,
      class: active === name ? 'active' : null,
      'aria-current': active === name ? 'page' : null,
    }, icon(s.icon), h('span', null, s.title))));
  }
  const who = clear(document.getElementById('who'));
  who.append(h('span', { class: 'avatar', 'aria-hidden': 'true' }, session.user.username.slice(0, 1).toUpperCase()),
    h('span', { class: 'who-text' }, h('strong', null, session.user.username), h('small', null, session.user.role)));
}

async function showBare(modName, ctx) {
  shell.hidden = true;
  bare.hidden = false;
  const my = ++seq;
  const mod = await import(modName);
  if (my !== seq) return;
  clear(bare);
  cleanup = mod.render(bare, ctx) || null;
  firstScreen();
}

// Marks when the first screen is drawn, for the browser tests' timing.
function firstScreen() {
  if (!performance.getEntriesByName('dxfq-first-screen').length) performance.mark('dxfq-first-screen');
}

async function route() {
  if (cleanup) {
    try { cleanup(); } catch { /* a screen's cleanup never blocks navigation */ }
    cleanup = null;
  }
  const r = parseHash();

  if (location.pathname === '/setup') {
    return showBare('./js/auth.js', { mode: 'setup', token: new URLSearchParams(location.search).get('token') || '', done: afterSignIn });
  }
  if (r.name === 'signin') {
    if (session.user) return go('#' + (r.params.get('next') || '/quotes'));
    return showBare('./js/auth.js', { mode: 'signin', why: r.params.get('why'), done: afterSignIn, next: r.params.get('next') });
  }
  if (!session.user) return go(signInPath());

  const screen = SCREENS[r.name];
  const navName = screen ? screen.nav || r.name : '';
  bare.hidden = true;
  shell.hidden = false;
  buildNav(navName);
  const my = ++seq;
  clear(app);
  if (!screen) {
    app.appendChild(h('div', { class: 'empty' }, h('h1', null, 'Page not found'),
      h('p', null, 'There is no page at this address. '), h('a', { href: '#/quotes' }, 'Go to the quotes')));
    return;
  }
  if (screen.admin && session.user.role !== 'admin') {
    document.title = 'Not allowed · DXF Quote';
    app.appendChild(h('div', { class: 'empty', 'data-screen': 'forbidden' }, h('h1', null, 'Not allowed'),
      h('p', null, `${screen.title} can only be changed by an administrator. Ask one if something there needs to change.`),
      h('a', { href: '#/quotes' }, 'Back to the quotes')));
    return;
  }
  app.appendChild(h('div', { class: 'loading', 'aria-busy': 'true' }, 'Loading…'));
  let mod;
  try {
    mod = await screen.load();
  } catch {
    if (my === seq) {
      clear(app).appendChild(h('div', { class: 'empty' }, h('h1', null, 'This screen did not load'),
        h('p', null, 'The connection to the server may have dropped. Reload the page to try again.')));
    }
    return;
  }
  if (my !== seq) return;
  clear(app);
  document.title = screen.title + ' · DXF Quote';
  app.focus({ preventScroll: true });
  cleanup = mod.render(app, { arg: r.arg, params: r.params, user: session.user, go }) || null;
  firstScreen();
}

function afterSignIn(me, next) {
  session.user = me.user;
  api.setCsrf(me.csrf);
  if (location.pathname === '/setup') {
    history.replaceState(null, '', '/#/quotes');
    return route();
  }
  go('#' + (next && next.startsWith('/') && !next.startsWith('/signin') ? next : '/quotes'));
}

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await api.post('/api/logout', undefined, { noRedirect: true });
  } catch {
    /* the session is gone either way */
  }
  session.user = null;
  api.setCsrf('');
  go('#/signin');
});

// ----------------------------------------------------------- shortcuts

function typing(e) {
  const t = e.target;
  return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

let pendingG = 0;
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e) || !session.user || document.querySelector('dialog[open]')) return;
  if (pendingG && Date.now() - pendingG < 1500) {
    pendingG = 0;
    const map = { q: 'quotes', m: 'materials', r: 'rules', u: 'users', s: 'system' };
    if (map[e.key]) {
      e.preventDefault();
      go('#/' + map[e.key]);
    }
    return;
  }
  if (e.key === 'g') {
    pendingG = Date.now();
  } else if (e.key === 'n') {
    e.preventDefault();
    newQuote();
  } else if (e.key === '/') {
    const s = document.querySelector('[data-search]');
    if (s) {
      e.preventDefault();
      s.focus();
      s.select();
    }
  } else if (e.key === '?') {
    showShortcuts();
  }
});

export async function newQuote() {
  try {
    const q = await api.post('/api/quotes', {});
    go('#/quote/' + q.id);
  } catch (err) {
    toast(err.message, 'error');
  }
}

function showShortcuts() {
  const rows = [['n', 'New quote'], ['/', 'Search'], ['g q', 'Go to quotes'], ['g m', 'Go to materials'],
    ['g r', 'Go to pricing rules'], ['g u', 'Go to users'], ['g s', 'Go to system'], ['?', 'This list'],
    ['Ctrl+Enter', 'Check the rules (in the editor)'], ['Ctrl+S', 'Save (rules, materials)']];
  modal('Keyboard shortcuts', h('div', { class: 'modal-body' }, h('table', { class: 'table compact' },
    h('tbody', null, rows.map(([k, t]) => h('tr', null, h('td', null, k.split(' ').map((x) => h('kbd', null, x))), h('td', null, t)))))));
}

// ---------------------------------------------------------------- start

async function start() {
  if (location.pathname !== '/setup') {
    try {
      const me = await api.get('/api/me', { noRedirect: true });
      session.user = me.user;
      api.setCsrf(me.csrf);
    } catch (err) {
      if (err.status !== 401) {
        clear(bare).appendChild(h('div', { class: 'empty' }, h('h1', null, 'The server is not answering'),
          h('p', null, err.message), h('button', { class: 'btn', onclick: () => location.reload() }, 'Try again')));
        return;
      }
    }
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
