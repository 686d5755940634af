// run.mjs - browser tests of the web UI (issue 7) against the real server.
//
//   node run.mjs CASE DXFQUOTE OUT_DIR
//
// CASE is one of the functions in CASES below.  Exit 0 passed, 1 failed,
// 77 skipped (no chromium, or playwright-core not installed: run
// `npm ci` here, which tools/deps.sh --test does).  Screenshots of each
// screen go to OUT_DIR/CASE-*.png.  No timed assertions: every wait is for
// something on the page, bounded only by generous timeouts.

import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PW, SALES_PW, CHROMIUM, Failed, check, startServer, launch, signIn, writeFile, have } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', 'fixtures', 'dxf');
const USERS = [['admin', 'admin', ADMIN_PW], ['sales', 'sales', SALES_PW]];

function sql(data, statement) {
  const p = spawnSync('python3', ['-c', `import sqlite3,sys
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute(sys.argv[2]); c.commit()`, join(data, 'dxfquote.db'), statement]);
  check(p.status === 0, `sql: ${p.stderr}`);
}

const CASES = {
  // The one-time link makes the first admin, who lands signed in; sign-out
  // and sign-in again (with a wrong password first) work.
  async setup(exe, b, shot) {
    const s = await startServer(exe);
    try {
      let m;
      for (let i = 0; i < 100 && !(m = /\/setup\?token=([0-9a-f]+)/.exec(s.log())); i++) await new Promise((r) => setTimeout(r, 50));
      check(m, 'no setup link in the log: ' + s.log());
      const page = await b.page();
      await page.goto(`${s.base}/setup?token=${m[1]}`);
      await page.getByRole('heading', { name: 'Set up the appliance' }).waitFor();
      await shot(page, 'setup');
      await page.getByLabel('Administrator name').fill('boss');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'Create the administrator' }).click();
      await page.getByText('at least 10 characters').first().waitFor();
      await page.getByLabel('Password', { exact: true }).fill('a long admin password');
      await page.getByLabel('Password again').fill('a long admin password');
      await page.getByRole('button', { name: 'Create the administrator' }).click();
      await page.locator('#shell:not([hidden])').waitFor();
      check(new URL(page.url()).pathname === '/', 'still on /setup: ' + page.url());
      await page.locator('.who strong', { hasText: 'boss' }).waitFor();
      for (const name of ['Quotes', 'Materials', 'Pricing rules', 'Users', 'System'])
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shot(page, 'signin');
      await page.getByLabel('User name').fill('boss');
      await page.getByLabel('Password').fill('wrong password!');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('wrong user name or password', { exact: false }).waitFor();
      await shot(page, 'signin-error');
      await page.getByLabel('Password').fill('a long admin password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.who strong', { hasText: 'boss' }).waitFor();
      // the setup link is spent
      const r = await page.evaluate(async () => (await fetch('/api/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"token":"00","username":"x","password":"0123456789"}' })).status);
      check(r === 409 || r === 403, 'setup after setup: ' + r);
    } finally {
      s.stop();
    }
  },

  // A sales user has no admin screens in the menu, and typing their
  // address shows "Not allowed", not a broken page.
  async roles(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'sales', SALES_PW);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Quotes' }).waitFor();
      for (const name of ['Materials', 'Pricing rules', 'Users', 'System'])
        check(await nav.getByRole('link', { name }).count() === 0, `sales sees ${name} in the menu`);
      for (const route of ['materials', 'rules', 'users', 'system']) {
        await page.goto(`${s.base}/#/${route}`);
        await page.locator('[data-screen="forbidden"]').waitFor();
        check(await page.locator('textarea, table input').count() === 0, `${route}: an editor is shown to sales`);
      }
      await shot(page, 'forbidden');
    } finally {
      s.stop();
    }
  },

  // The session ends (idle) while the user is on a screen: the next call
  // sends them to sign in, and signing in brings them back there.
  async expiry(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW);
      await page.goto(`${s.base}/#/users`);
      await page.locator('tr[data-user="sales"]').waitFor();
      sql(s.data, "UPDATE sessions SET last_seen = strftime('%s','now') - 31 * 60");
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Materials' }).click();
      await page.getByText('Your session has ended').waitFor();
      check(page.url().includes('next=%2Fmaterials'), 'no return path: ' + page.url());
      await shot(page, 'expired');
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PW);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Materials' }).waitFor();
      check(page.url().endsWith('#/materials'), 'not returned: ' + page.url());
    } finally {
      s.stop();
    }
  },

  // Users: add one (a taken name is refused next to the field), change a
  // role, disable.
  async users(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW, '#/users');
      await page.locator('tr[data-user="sales"]').waitFor();
      await page.getByRole('button', { name: 'Add user' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('User name').fill('SALES');
      await dlg.getByLabel('Password').fill('carls password');
      await dlg.getByRole('button', { name: 'Add user' }).click();
      await dlg.locator('.field-error', { hasText: /taken|exists|already/i }).waitFor();
      await dlg.getByLabel('User name').fill('carl');
      await dlg.getByRole('button', { name: 'Add user' }).click();
      await page.locator('tr[data-user="carl"]').waitFor();
      await page.locator('tr[data-user="carl"]').getByLabel('Role of carl').selectOption('admin');
      await page.locator('.toast', { hasText: 'carl: saved' }).first().waitFor();
      await page.locator('tr[data-user="carl"]').getByRole('button', { name: 'Disable' }).click();
      await page.locator('tr[data-user="carl"] .pill.disabled').waitFor();
      await shot(page, 'users');
    } finally {
      s.stop();
    }
  },

  // Materials: a bad figure is refused next to its cell; a thickness is
  // added and saved; a CSV with a bad row names the line and changes
  // nothing; export gives the catalog.
  async materials(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    const tmp = mkdtempSync(join(tmpdir(), 'dxfq-csv-'));
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW, '#/materials');
      const first = page.locator('section.mat').first();
      await first.waitFor();
      const before = await page.locator('section.mat').count();
      const name = await first.getByLabel('Material').inputValue();
      await shot(page, 'materials');
      // a bad figure
      const dens = first.locator('[data-field="materials[0].density_kg_m3"]');
      await dens.fill('-3');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await first.locator('.field-error', { hasText: 'above 0' }).waitFor();
      check(await dens.getAttribute('aria-invalid') === 'true', 'bad cell not marked');
      await dens.fill('7850');
      // add a thickness
      const rowsBefore = await first.locator('tbody tr').count();
      await first.getByRole('button', { name: 'Add thickness' }).click();
      await first.locator(`[data-field="materials[0].thicknesses[${rowsBefore}].thickness_mm"]`).fill('42');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.locator('.toast', { hasText: 'Catalog saved' }).waitFor();
      const cat = await page.evaluate(async () => (await (await fetch('/api/materials')).json()).materials);
      check(cat[0].thicknesses.some((t) => t.thickness_mm === 42), 'thickness 42 not saved');

      // CSV: export, then import one with a bad row
      const csv = await page.evaluate(async () => (await fetch('/api/materials.csv')).text());
      check(csv.startsWith('material,thickness_mm'), 'export: ' + csv.slice(0, 80));
      const lines = csv.trim().split(/\r?\n/);
      const bad = lines[2].split(',');
      bad[4] = 'fast';
      lines[2] = bad.join(',');
      const path = writeFile(tmp, 'bad.csv', lines.join('\r\n') + '\r\n');
      await page.locator('#csv-file').setInputFiles(path);
      const err = page.locator('[data-csv-error]');
      await err.waitFor();
      const text = await err.textContent();
      check(/Line 3/.test(text) && /fast/.test(text), 'CSV error without its line: ' + text);
      await shot(page, 'materials-csv-error');
      check(await page.locator('section.mat').count() === before, 'catalog changed by a bad import');
      check(await first.getByLabel('Material').inputValue() === name, 'first material changed');
      // and a good one
      lines[2] = csv.trim().split(/\r?\n/)[2];
      const good = writeFile(tmp, 'good.csv', lines.join('\r\n') + '\r\n');
      await page.locator('#csv-file').setInputFiles(good);
      await page.getByText('Imported good.csv').waitFor();
    } finally {
      s.stop();
    }
  },

  // Rules: a syntax error is shown at its line (gutter and list), fixed,
  // checked, saved as a new version; the history diff shows the change.
  async rules(exe, b, shot) {
    const s = await startServer(exe, { users: USERS, rules: join(HERE, '..', '..', 'rules', 'pricing.lua') });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW, '#/rules');
      const ta = page.getByLabel('Pricing rules (Lua)');
      await page.locator('.gutter div').nth(20).waitFor();
      const src = await ta.inputValue();
      check(src.length > 100, 'no rules loaded');
      await page.locator('.tk-kw').first().waitFor();
      await shot(page, 'rules');
      const lines = src.split('\n');
      // break line 5
      const broken = [...lines.slice(0, 4), 'local x = = 1', ...lines.slice(4)].join('\n');
      await ta.fill(broken);
      await page.getByRole('button', { name: 'Check', exact: true }).click();
      const prob = page.locator('.problems li').first();
      await prob.waitFor();
      check(await prob.locator('button[data-line="5"]').count() === 1, 'error not at line 5: ' + (await prob.textContent()));
      await page.locator('.gutter .bad', { hasText: '5' }).waitFor();
      await shot(page, 'rules-error');
      // fix: a real change, then check and save
      const fixed = src.replace(/(\n)/, '\n-- browser test: a new version\n');
      await ta.fill(fixed);
      await page.getByRole('button', { name: 'Check', exact: true }).click();
      await page.getByText('No problems.').waitFor();
      await page.getByRole('button', { name: 'Save as new version' }).click();
      await page.getByRole('dialog').getByLabel('What changed (optional)').fill('browser test note');
      await page.getByRole('dialog').getByRole('button', { name: 'Save and activate' }).click();
      await page.locator('.toast', { hasText: /Saved as version \d+/ }).waitFor();
      await page.locator('.versions li', { hasText: 'browser test note' }).waitFor();
      // diff: previous version -> the new one (the draft equals it)
      await page.getByRole('button', { name: 'Diff' }).click();
      const d = page.getByRole('dialog');
      await d.getByText('1 lines added, 0 removed.').waitFor();
      await d.locator('.diff .add', { hasText: 'browser test: a new version' }).waitFor();
      await shot(page, 'rules-diff');
    } finally {
      s.stop();
    }
  },

  // System: figures, a backup made and listed, the audit log.
  async system(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW, '#/system');
      await page.locator('.tile').first().waitFor();
      await page.getByRole('button', { name: 'Make a backup now' }).click();
      await page.locator('.toast', { hasText: 'made and checked' }).waitFor();
      await page.locator('td.mono', { hasText: /^dxfquote-\d{8}-\d{6}\.db$/ }).waitFor();
      await shot(page, 'system');
    } finally {
      s.stop();
    }
  },
};

async function main() {
  const [name, exe, out] = process.argv.slice(2);
  const fn = CASES[name];
  if (!fn || !exe || !out) {
    console.error(`usage: run.mjs CASE DXFQUOTE OUT_DIR (CASE: ${Object.keys(CASES).join(', ')})`);
    process.exit(2);
  }
  if (!have(CHROMIUM)) {
    console.log(`skipped: no chromium at ${CHROMIUM} (tools/deps.sh --test installs it)`);
    process.exit(77);
  }
  try {
    await import('playwright-core');
  } catch {
    console.log('skipped: playwright-core is not installed (run npm ci in tests/browser; tools/deps.sh --test does)');
    process.exit(77);
  }
  const b = await launch(out);
  let rc = 0;
  try {
    await fn(exe, b, (page, n) => b.shot(page, `${name}-${n}`));
    if (b.problems.length) throw new Failed('the page reported problems:\n  ' + b.problems.join('\n  '));
    console.log(`${name}: passed`);
  } catch (err) {
    rc = 1;
    console.error(`${name}: FAILED: ${err instanceof Failed ? err.message : err.stack || err}`);
    if (b.problems.length) console.error('page problems:\n  ' + b.problems.join('\n  '));
    try {
      const p = b.ctx.pages()[0];
      if (p) await p.screenshot({ path: join(out, `${name}-FAILED.png`) });
    } catch {
      /* the failure above is what matters */
    }
  } finally {
    await b.close();
  }
  process.exit(rc);
}

main();
void readFileSync;
void FIXTURES;
