// users.js - the Users screen (admin): add a user, change a role, disable
// or enable, set a new password, delete.  Each change is one call
// (docs/api.md, Users); the server keeps the last enabled admin and the
// admin's own account safe, and its refusal is shown as it says it.

import { h, clear, field, clearErrors, showError, toast, pill, dateTime, pageHead, modal, confirmBox, icon } from './dom.js';
import * as api from './api.js';

export function render(root, ctx) {
  const body = h('tbody');
  const table = h('div', { class: 'card' }, h('table', { class: 'table' },
    h('thead', null, h('tr', null, h('th', null, 'User'), h('th', null, 'Role'), h('th', null, 'Status'),
      h('th', null, 'Created'), h('th', null, 'Last sign-in'), h('th', { class: 'actions' }, h('span', { class: 'sr' }, 'Actions')))),
    body));
  root.append(pageHead('Users', 'Who can sign in, and what they may change. Sales users make quotes; admins also manage users, materials, rules and backups.',
    h('button', { class: 'btn primary', type: 'button', onclick: () => addUser(load) }, icon('plus'), 'Add user')), table);

  async function load() {
    let list;
    try {
      list = (await api.get('/api/users')).users;
    } catch (err) {
      clear(body).appendChild(h('tr', null, h('td', { colspan: 6, class: 'banner error' }, err.message)));
      return;
    }
    clear(body);
    for (const u of list) body.appendChild(row(u));
  }

  function row(u) {
    const self = u.id === ctx.user.id;
    const role = h('select', { 'aria-label': `Role of ${u.username}` },
      h('option', { value: 'sales', selected: u.role === 'sales' }, 'Sales'),
      h('option', { value: 'admin', selected: u.role === 'admin' }, 'Admin'));
    role.addEventListener('change', () => change(u, { role: role.value }, () => { role.value = u.role; }));
    return h('tr', { dataset: { user: u.username } },
      h('td', null, h('div', { class: 'row' }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, u.username.slice(0, 1).toUpperCase()),
        h('strong', null, u.username), self ? h('span', { class: 'muted' }, '(you)') : null)),
      h('td', null, role),
      h('td', null, u.disabled ? pill('disabled') : pill('active')),
      h('td', { class: 'muted' }, dateTime(u.created)),
      h('td', { class: 'muted' }, u.last_login ? dateTime(u.last_login) : 'never'),
      h('td', { class: 'actions' },
        h('button', { class: 'btn small', type: 'button', onclick: () => resetPassword(u) }, 'Set password'), ' ',
        self ? null : h('button', { class: 'btn small', type: 'button', onclick: () => change(u, { disabled: !u.disabled }) },
          u.disabled ? 'Enable' : 'Disable'), ' ',
        self ? null : h('button', { class: 'btn small danger icon-only', type: 'button', 'aria-label': `Delete ${u.username}`, title: 'Delete', onclick: () => remove(u) }, icon('trash'))));
  }

  async function change(u, patch, undo) {
    try {
      await api.patch('/api/users/' + u.id, patch);
      toast(`${u.username}: saved`, 'ok');
      load();
    } catch (err) {
      if (undo) undo();
      toast(err.message, 'error');
    }
  }

  async function remove(u) {
    if (!(await confirmBox(`Delete ${u.username}?`, 'They can no longer sign in. The quotes they made stay, without an author. This cannot be undone.'))) return;
    try {
      await api.del('/api/users/' + u.id);
      toast(`${u.username} deleted`, 'ok');
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  function resetPassword(u) {
    const pass = h('input', { type: 'password', autocomplete: 'new-password', minlength: 10 });
    const form = h('form', { class: 'form modal-body', novalidate: true },
      h('p', { class: 'muted' }, `${u.username} is signed out everywhere and signs in with the new password.`),
      field('New password', pass, { name: 'password', hint: 'At least 10 characters.' }),
      h('div', { class: 'form-error' }),
      h('div', { class: 'modal-actions' }, h('button', { class: 'btn', type: 'button', onclick: () => dlg.close() }, 'Cancel'),
        h('button', { class: 'btn primary', type: 'submit' }, 'Set password')));
    const dlg = modal('Set a new password', form);
    pass.focus();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      try {
        await api.patch('/api/users/' + u.id, { password: pass.value });
        dlg.close();
        toast(`New password set for ${u.username}`, 'ok');
      } catch (err) {
        showError(form, err);
      }
    });
  }

  load();
}

function addUser(reload) {
  const name = h('input', { autocomplete: 'off', maxlength: 63 });
  const role = h('select', null, h('option', { value: 'sales' }, 'Sales'), h('option', { value: 'admin' }, 'Admin'));
  const pass = h('input', { type: 'password', autocomplete: 'new-password' });
  const form = h('form', { class: 'form modal-body', novalidate: true },
    field('User name', name, { name: 'username', hint: 'Letters, digits, dot, dash and underscore.' }),
    field('Role', role, { name: 'role' }),
    field('Password', pass, { name: 'password', hint: 'At least 10 characters. Tell it to the user in person.' }),
    h('div', { class: 'form-error' }),
    h('div', { class: 'modal-actions' }, h('button', { class: 'btn', type: 'button', onclick: () => dlg.close() }, 'Cancel'),
      h('button', { class: 'btn primary', type: 'submit' }, 'Add user')));
  const dlg = modal('Add a user', form);
  name.focus();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const r = await api.post('/api/users', { username: name.value.trim(), role: role.value, password: pass.value });
      dlg.close();
      toast(`${r.user.username} added`, 'ok');
      reload();
    } catch (err) {
      showError(form, err);
    }
  });
}
