// auth.js - the sign-in page and the first-start setup page (the one-time
// link the server prints, /setup?token=...).  Both post JSON, show the
// server's message beside the field it names, and hand the answer
// ({user, csrf}) to ctx.done.

import { h, field, clearErrors, showError } from './dom.js';
import * as api from './api.js';

function card(title, sub, form) {
  return h('div', { class: 'auth' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'auth-brand' }, h('img', { src: 'favicon.svg', alt: '', width: 32, height: 32 }),
        h('span', null, 'DXF Quote')),
      h('h1', null, title), sub ? h('p', { class: 'sub' }, sub) : null, form),
    h('p', { class: 'auth-foot' }, 'DXF Quote Appliance · quotes for sheet cutting'));
}

export function render(root, ctx) {
  return ctx.mode === 'setup' ? setup(root, ctx) : signin(root, ctx);
}

function signin(root, ctx) {
  document.title = 'Sign in · DXF Quote';
  // after an expired session the name is known: only the password is asked
  const known = ctx.why === 'expired' ? sessionStorage.getItem('dxfq-user') || '' : '';
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 63, autocapitalize: 'off', spellcheck: 'false', value: known });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const btn = h('button', { class: 'btn primary block', type: 'submit' }, 'Sign in');
  const notes = {
    expired: 'Your session has ended after a while without activity. Sign in again to continue where you were.',
    signin: 'Sign in to continue.',
  };
  const form = h('form', { class: 'form', novalidate: true },
    ctx.why && notes[ctx.why] ? h('p', { class: 'banner info', role: 'status' }, notes[ctx.why]) : null,
    field('User name', user, { name: 'username' }),
    field('Password', pass, { name: 'password' }),
    h('div', { class: 'form-error', role: 'alert' }),
    btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!user.value.trim()) return showError(form, { field: 'username', message: 'Enter your user name.' });
    if (!pass.value) return showError(form, { field: 'password', message: 'Enter your password.' });
    btn.disabled = true;
    btn.textContent = 'Signing in…';
    try {
      const me = await api.post('/api/login', { username: user.value.trim(), password: pass.value }, { noRedirect: true });
      sessionStorage.setItem('dxfq-user', me.user.username);
      ctx.done(me, ctx.next);
    } catch (err) {
      btn.disabled = false;
      btn.textContent = 'Sign in';
      // a failed sign-in names no field on purpose: say it above the button
      showError(form, { message: err.message, field: err.code === 'login_failed' ? null : err.field });
      pass.select();
    }
  });
  root.appendChild(card('Sign in', null, form));
  (known ? pass : user).focus();
}

function setup(root, ctx) {
  document.title = 'First start · DXF Quote';
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 63, pattern: '[A-Za-z0-9._-]+', value: 'admin' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const again = h('input', { name: 'again', type: 'password', autocomplete: 'new-password', required: true });
  const btn = h('button', { class: 'btn primary block', type: 'submit' }, 'Create the administrator');
  const form = h('form', { class: 'form', novalidate: true },
    ctx.token ? null : h('p', { class: 'banner warn' },
      'This link has no setup token. Open the link the server printed when it started (it ends in ?token=…).'),
    h('input', { type: 'hidden', 'data-field': 'token', id: 'setup-token' }),
    h('div', { class: 'field-error', id: 'setup-token-err', role: 'alert' }),
    field('Administrator name', user, { name: 'username', hint: 'Letters, digits, dot, dash and underscore.' }),
    field('Password', pass, { name: 'password', hint: 'At least 10 characters.' }),
    field('Password again', again, { name: 'again' }),
    h('div', { class: 'form-error', role: 'alert' }),
    btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!/^[A-Za-z0-9._-]{1,63}$/.test(user.value))
      return showError(form, { field: 'username', message: 'Use 1 to 63 letters, digits, dots, dashes or underscores.' });
    if (pass.value.length < 10) return showError(form, { field: 'password', message: 'The password needs at least 10 characters.' });
    if (pass.value !== again.value) return showError(form, { field: 'again', message: 'The two passwords differ.' });
    btn.disabled = true;
    try {
      const me = await api.post('/api/setup', { token: ctx.token, username: user.value, password: pass.value }, { noRedirect: true });
      ctx.done(me);
    } catch (err) {
      btn.disabled = false;
      showError(form, err.field === 'token' ? { message: err.message } : err);
    }
  });
  root.appendChild(card('Set up the appliance',
    'No one can sign in yet. Create the first administrator; they can then add the other users.', form));
  pass.focus();
}
