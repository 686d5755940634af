// run.mjs - browser tests of the web UI (issue 7) against the real server.
//
//   node run.mjs CASE[,CASE...] DXFQUOTE OUT_DIR
//
// Each CASE is one of the functions in CASES below, run in turn in one
// chromium, each in a fresh browser context against its own fresh server.
// Exit 0 all passed, 1 any failed, 77 skipped (no chromium, or
// playwright-core not installed: run `npm ci` here, which tools/deps.sh
// --test does; or every case needs an API this build lacks).  Screenshots
// of each screen go to OUT_DIR/CASE-*.png.  No timed assertions: every wait
// is for something on the page, bounded only by generous timeouts.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PW, SALES_PW, CHROMIUM, Failed, check, startServer, launch, signIn, writeFile, have } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const USERS = [['admin', 'admin', ADMIN_PW], ['sales', 'sales', SALES_PW]];

// ------------------------------------------------------------ drawings
// Drawings made here, so the tests own every byte: ASCII DXF in mm.
function dxf(entities) {
  const out = ['0', 'SECTION', '2', 'HEADER', '9', '$INSUNITS', '70', '4', '0', 'ENDSEC', '0', 'SECTION', '2', 'ENTITIES'];
  for (const e of entities) {
    if (e[0] === 'L') out.push('0', 'LINE', '8', 'CUT', '10', e[1], '20', e[2], '30', 0, '11', e[3], '21', e[4], '31', 0);
    else out.push('0', 'CIRCLE', '8', 'CUT', '10', e[1], '20', e[2], '30', 0, '40', e[3]);
  }
  out.push('0', 'ENDSEC', '0', 'EOF');
  return out.join('\n') + '\n';
}
const rect = (x, y, w, hh) => [['L', x, y, x + w, y], ['L', x + w, y, x + w, y + hh], ['L', x + w, y + hh, x, y + hh], ['L', x, y + hh, x, y]];
// a plate with four holes, a window and one hole too small for 3 mm (a
// warning with a place: tiny_hole at 120, 20)
const BRACKET = dxf([...rect(0, 0, 240, 140), ['C', 20, 20, 6], ['C', 220, 20, 6], ['C', 20, 120, 6], ['C', 220, 120, 6],
  ...rect(80, 40, 80, 60), ['C', 120, 20, 0.8]]);
const FLANGE = dxf([['C', 100, 100, 90], ['C', 100, 100, 30],
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ['C', 100 + 65 * Math.cos(i * Math.PI / 4), 100 + 65 * Math.sin(i * Math.PI / 4), 7])]);
// line 19 holds a number that is not one
const BROKEN = dxf(rect(0, 0, 50, 50)).replace('10\n0\n20\n0\n30\n0\n11\n50', '10\nabc\n20\n0\n30\n0\n11\n50');

// A quote with one priced part, "tryme.dxf", made through the API with the
// page's session (for the rules editor's Try).
async function pricedPart(page, base) {
  const me = await (await page.request.get(base + '/api/me')).json();
  const headers = { 'X-CSRF-Token': me.csrf };
  const q = await (await page.request.post(base + '/api/quotes', { headers, data: {} })).json();
  const up = await page.request.post(`${base}/api/quotes/${q.id}/parts`, {
    headers,
    multipart: {
      file: { name: 'tryme.dxf', mimeType: 'application/dxf', buffer: Buffer.from(FLANGE) },
      material: 'Mild steel S235', thickness: '3', quantity: '2',
    },
  });
  check(up.status() === 202, `upload: ${up.status()} ${await up.text()}`);
  const job = (await up.json()).parts[0].job_id;
  for (let i = 0; i < 600; i++) {
    const j = await (await page.request.get(`${base}/api/jobs/${job}`)).json();
    if (j.state === 'done') return;
    check(j.state === 'queued' || j.state === 'running', `job ${job}: ${j.state} ${j.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  check(false, `job ${job} did not end`);
}

// A material of the default catalog with at least two thicknesses, and another.
async function pickMaterials(page) {
  const cat = await page.evaluate(async () => (await (await fetch('/api/materials')).json()).materials);
  const a = cat.find((m) => m.thicknesses.length >= 2 && m.thicknesses.some((t) => t.thickness_mm === 3)) || cat[0];
  const b = cat.find((m) => m !== a && m.thicknesses.some((t) => t.thickness_mm === 3)) || cat.find((m) => m !== a);
  return [a, b];
}

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
      // the shortcuts: ? lists them, g q goes to the quotes
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await page.keyboard.press('Escape');
      await page.keyboard.press('g');
      await page.keyboard.press('q');
      await page.getByRole('heading', { name: 'Quotes', exact: true }).waitFor();
    } finally {
      s.stop();
    }
  },

  // The session ends (idle) while the user is on a screen: the next call
  // sends them to sign in, with only the password to type, and signing in
  // brings them back there.
  async expiry(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW);
      await page.goto(`${s.base}/#/users`);
      await page.locator('tr[data-user="sales"]').waitFor();
      // 31 idle minutes pass (written while the server is stopped: the
      // session row, the cookie and the page all survive a restart)
      await s.restart(() => sql(s.data, "UPDATE sessions SET last_seen = strftime('%s','now') - 31 * 60"));
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Materials' }).click();
      await page.getByText('Your session has ended').waitFor();
      check(page.url().includes('next=%2Fmaterials'), 'no return path: ' + page.url());
      check(await page.getByLabel('User name').inputValue() === 'admin', 'the user name is not filled in');
      await shot(page, 'expired');
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
  // checked, saved as a new version; the history diff shows the change;
  // Try prices a stored part with a draft beside the active rules.
  async rules(exe, b, shot) {
    const s = await startServer(exe, { users: USERS, rules: join(HERE, '..', '..', 'rules', 'pricing.lua') });
    try {
      const page = await b.page();
      await signIn(page, s.base, 'admin', ADMIN_PW, '');
      await pricedPart(page, s.base);
      await page.goto(s.base + '/#/rules');
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
      await d.getByText('1 line added, 0 removed.').waitFor();
      await d.locator('.diff .add', { hasText: 'browser test: a new version' }).waitFor();
      await shot(page, 'rules-diff');
      await d.getByRole('button', { name: /Close/ }).first().click();
      // Try: a setup fee ten times the shipped one prices the part higher
      // than the active rules do.
      const dearer = fixed.replace(/SETUP_PER_LINE(\s*)= 25\.00/, 'SETUP_PER_LINE$1= 250.00');
      check(dearer !== fixed, 'the setup constant of the shipped rules moved; update this test');
      await ta.fill(dearer);
      const pick = page.getByLabel('Part to price');
      await pick.focus();
      await pick.locator('option', { hasText: 'tryme.dxf' }).waitFor({ state: 'attached' });
      await pick.selectOption({ label: 'tryme.dxf' });
      await page.getByRole('button', { name: 'Try', exact: true }).click();
      const draftTotal = page.locator('[data-total="draft"]');
      await draftTotal.waitFor();
      const num = (t) => Number(t.replace(/[^0-9.-]/g, ''));
      const dt = num(await draftTotal.textContent());
      const at = num(await page.locator('.compare [data-total]').nth(1).textContent());
      check(dt > at && at > 0, `draft ${dt} is not above active ${at}`);
      await shot(page, 'rules-try');
    } finally {
      s.stop();
    }
  },

  // A quote from the keyboard: a customer made inline, three drawings
  // dropped at once (one broken) with a progress bar each, the previews
  // and the broken file's line, the warning marked on the enlarged
  // drawing, and the price following the material and the quantity.
  async quote(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    const tmp = mkdtempSync(join(tmpdir(), 'dxfq-dxf-'));
    try {
      const page = await b.page();
      await signIn(page, s.base, 'sales', SALES_PW);
      await page.getByRole('heading', { name: 'Quotes', exact: true }).waitFor();
      await page.getByText('No quotes yet').waitFor();
      await page.keyboard.press('n');
      await page.getByRole('heading', { name: /^Q-\d{4}-\d{4}/ }).waitFor();
      const [matA, matB] = await pickMaterials(page);

      const cust = page.getByLabel('Customer');
      await cust.fill('Acme Laser <b>Ltd</b>');
      await page.getByRole('option', { name: /Add .Acme Laser <b>Ltd<\/b>. as a new customer/ }).click();
      await page.locator('.toast', { hasText: 'Customer Acme Laser <b>Ltd</b> added' }).waitFor();
      await page.getByLabel('Notes').fill('Delivery to gate 4.');

      await page.getByLabel('Material for new parts').selectOption(matA.name);
      await page.getByLabel('Thickness for new parts').selectOption('3');
      // every stage text and bar the page shows, as it shows them
      await page.evaluate(() => {
        window.seen = { rows: new Set(), stages: new Set(), bars: 0 };
        new MutationObserver(() => {
          for (const r of document.querySelectorAll('.upl')) {
            window.seen.rows.add(r.dataset.file);
            window.seen.stages.add(r.querySelector('.stage').textContent);
            if (r.querySelector('progress')) window.seen.bars++;
          }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const streams = [];
      page.on('request', (r) => { if (/\/api\/jobs\/\d+\/events$/.test(r.url())) streams.push(r.url()); });
      const files = [['bracket.dxf', BRACKET], ['flange.dxf', FLANGE], ['broken.dxf', BROKEN]].map(([n, t]) => writeFile(tmp, n, t));
      await page.locator('#dxf-files').setInputFiles(files);
      const parts = page.locator('article.part');
      await page.locator('article.part:not(.failed) .preview img').nth(1).waitFor();
      await page.locator('article.part.failed').waitFor();
      const seen = await page.evaluate(() => ({ rows: [...window.seen.rows], stages: [...window.seen.stages], bars: window.seen.bars }));
      check(seen.rows.length === 3, 'upload rows: ' + seen.rows);
      check(seen.bars > 0 && seen.stages.some((t) => /Uploading|Measuring|Reading|Pricing|Drawing|Waiting|Done/.test(t)), 'no progress seen: ' + seen.stages);
      check(await parts.count() === 3, 'parts: ' + (await parts.count()));
      check(streams.length === 3, 'jobs not followed by their event streams: ' + streams.length);
      const err = await page.locator('article.part.failed .part-error').textContent();
      check(/line 19/.test(err) && /abc/.test(err), 'broken file error: ' + err);
      // previews are real images
      for (const img of await page.locator('article.part:not(.failed) .preview img').all())
        await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
      const bracket = page.locator('article.part[aria-label="bracket.dxf"]');
      await bracket.getByRole('list', { name: 'Warnings' }).getByRole('listitem').filter({ hasText: /hole/i }).waitFor();
      await bracket.locator('[data-part-total]').waitFor();
      await shot(page, 'editor');

      // the warning is marked where it is on the enlarged drawing
      await bracket.locator('.preview').click();
      const dlg = page.getByRole('dialog');
      await dlg.locator('.viewer .marks circle').first().waitFor();
      await dlg.locator('.viewer').focus();
      await page.keyboard.press('+');
      await shot(page, 'viewer');
      await page.keyboard.press('Escape');
      await dlg.waitFor({ state: 'detached' });

      // price follows quantity, then material
      const total = () => bracket.locator('[data-part-total]').textContent();
      const p1 = await total();
      await bracket.getByLabel('Quantity').fill('25');
      await page.waitForFunction(([sel, old]) => { const e = document.querySelector(sel); return e && e.textContent !== old; },
        ['article.part[aria-label="bracket.dxf"] [data-part-total]', p1]);
      const p2 = await total();
      check(p2 !== p1, `quantity did not change the price (${p1})`);
      await bracket.getByLabel('Material', { exact: true }).selectOption(matB.name);
      await bracket.getByLabel('Thickness').selectOption('3');
      await page.waitForFunction(([sel, old]) => { const e = document.querySelector(sel); return e && e.textContent !== old; },
        ['article.part[aria-label="bracket.dxf"] [data-part-total]', p2]);
      const part = await page.evaluate(async () => {
        const id = document.querySelector('article.part[aria-label="bracket.dxf"]').dataset.part;
        return (await fetch('/api/parts/' + id)).json();
      });
      check(part.material === matB.name && part.qty === 25, 'stored order: ' + JSON.stringify([part.material, part.qty]));
      await bracket.locator('details summary').click();
      await bracket.locator('.lines tr').nth(1).waitFor();

      // a file that is not a drawing is refused at the upload, with a message
      await page.locator('#dxf-files').setInputFiles(writeFile(tmp, 'notes.txt', 'Please quote 25 pieces by Friday.\n'));
      const refused = page.locator('.upl[data-file="notes.txt"][data-state="failed"] .msg');
      await refused.waitFor();
      check(/DXF/.test(await refused.textContent()), 'not-a-DXF message: ' + (await refused.textContent()));
      await shot(page, 'upload-refused');
      await page.locator('.upl[data-file="notes.txt"]').getByRole('button', { name: 'Dismiss' }).click();

      // the failed part goes; the quote then has a total
      await page.locator('article.part.failed').getByRole('button', { name: 'Remove broken.dxf' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await page.locator('article.part.failed').waitFor({ state: 'detached' });
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-quote-total]').textContent));
      await shot(page, 'editor-priced');
    } finally {
      s.stop();
    }
  },

  // The PDF downloaded has the quote in it; mark sent, revise, duplicate;
  // the list finds the quote by customer and shows it.
  async pdf(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    const tmp = mkdtempSync(join(tmpdir(), 'dxfq-pdf-'));
    try {
      const page = await b.page();
      await signIn(page, s.base, 'sales', SALES_PW);
      const [mat] = await pickMaterials(page);
      // the quote and its parts through the API, as the editor makes them
      const q = await page.evaluate(async ({ mat, files }) => {
        const me = await (await fetch('/api/me')).json();
        const hd = { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf };
        const c = await (await fetch('/api/customers', { method: 'POST', headers: hd, body: JSON.stringify({ name: 'Bolt & Nut GmbH' }) })).json();
        const q = await (await fetch('/api/quotes', { method: 'POST', headers: hd, body: JSON.stringify({ customer_id: c.id }) })).json();
        const f = new FormData();
        for (const [n, t] of files) f.append('file', new Blob([t]), n);
        f.append('material', mat);
        f.append('thickness', '3');
        f.append('quantity', '4');
        const r = await fetch(`/api/quotes/${q.id}/parts`, { method: 'POST', headers: { 'X-CSRF-Token': me.csrf }, body: f });
        if (r.status !== 202) throw new Error('upload ' + r.status + (await r.text()));
        return q;
      }, { mat: mat.name, files: [['bracket.dxf', BRACKET], ['flange.dxf', FLANGE]] });
      await page.goto(`${s.base}/#/quote/${q.id}`);
      await page.locator('article.part .preview img').nth(1).waitFor();
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-quote-total]').textContent));
      const total = (await page.locator('[data-quote-total]').textContent()).trim();

      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
      check(dl.suggestedFilename() === q.number + '.pdf', 'file name ' + dl.suggestedFilename());
      const pdfPath = join(tmp, 'q.pdf');
      await dl.saveAs(pdfPath);
      const { readFileSync } = await import('node:fs');
      const bytes = readFileSync(pdfPath);
      check(bytes.subarray(0, 5).toString() === '%PDF-' && bytes.length > 2000, 'not a PDF: ' + bytes.length);
      if (existsSync('/usr/bin/pdftotext')) {
        const t = spawnSync('/usr/bin/pdftotext', ['-layout', pdfPath, '-']).stdout.toString();
        for (const want of [q.number, 'Bolt & Nut GmbH', 'bracket.dxf', 'flange.dxf', total.replace(/[^0-9.,]/g, '')])
          check(t.includes(want), `the PDF does not say ${want}:\n${t.slice(0, 800)}`);
      }

      // the preview opens the same PDF in a new tab
      const [tab] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Preview PDF' }).click()]);
      await tab.waitForURL(/^blob:/);
      await tab.close();

      await page.getByRole('button', { name: 'Mark sent' }).click();
      await page.getByText('This quote was sent').waitFor();
      check(await page.getByLabel('Notes').isDisabled(), 'a sent quote is editable');
      await shot(page, 'sent');
      await page.getByRole('button', { name: 'Revise' }).click();
      await page.getByRole('heading', { name: q.number + '-B' }).waitFor();
      await page.locator('article.part').nth(1).waitFor();
      await page.getByRole('button', { name: 'Duplicate' }).click();
      await page.locator('.toast', { hasText: /Copy Q-\d{4}-\d{4} made/ }).waitFor();
      await page.getByRole('heading', { name: /^Q-\d{4}-\d{4}\s*draft$/i }).waitFor();

      await page.goto(`${s.base}/#/quotes`);
      await page.locator('tr[data-quote]').nth(2).waitFor();
      await page.keyboard.press('/');
      await page.keyboard.type('Bolt');
      await page.getByRole('status').filter({ hasText: '3 quotes' }).waitFor();
      await page.getByLabel('Status').selectOption('sent');
      await page.getByRole('status').filter({ hasText: '1 quote' }).waitFor();
      await page.locator(`tr[data-quote="${q.number}"] img.thumb`).waitFor();
      await page.getByLabel('Status').selectOption('');
      await page.locator('tr[data-quote]').nth(2).waitFor();
      await shot(page, 'list');
    } finally {
      s.stop();
    }
  },

  // The budget (JS + CSS under 150 KB as served, uncompressed) is checked;
  // the first screen's load time and the list of 1,000 quotes are measured
  // and printed, not asserted (no timed assertions on shared machines).
  async perf(exe, b, shot) {
    const s = await startServer(exe, { users: USERS });
    try {
      const page = await b.page();
      // a warm browser, an empty cache: the first visit of a new user
      await page.goto('about:blank');
      await page.goto(s.base + '/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const first = await page.evaluate(() => performance.getEntriesByName('dxfq-first-screen')[0].startTime);
      await signIn(page, s.base, 'admin', ADMIN_PW);
      for (const r of ['quotes', 'materials', 'rules', 'users', 'system']) {
        await page.goto(`${s.base}/#/${r}`);
        await page.locator('#app h1').first().waitFor();
      }
      await page.goto(`${s.base}/#/quotes`);
      await page.locator('#app h1').first().waitFor();
      // every module the UI has, loaded or not
      const all = await page.evaluate(async () => {
        const names = ['app.css', 'app.js', 'js/dom.js', 'js/api.js', 'js/auth.js', 'js/quotes.js', 'js/quote.js', 'js/parts.js',
          'js/viewer.js', 'js/materials.js', 'js/rules.js', 'js/lua.js', 'js/users.js', 'js/system.js'];
        let n = 0;
        for (const f of names) n += (await (await fetch('/' + f, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer()).byteLength;
        return n;
      });
      check(all < 150 * 1024, `JS + CSS is ${all} bytes, over the 150 KB budget`);
      // 1,000 quotes, then the list
      await page.evaluate(async () => {
        const me = await (await fetch('/api/me')).json();
        const hd = { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf };
        for (let i = 0; i < 1000; i += 25)
          await Promise.all(Array.from({ length: 25 }, () => fetch('/api/quotes', { method: 'POST', headers: hd, body: '{}' })));
      });
      await page.goto(`${s.base}/#/users`);
      await page.locator('tr[data-user]').first().waitFor();
      const t0 = await page.evaluate(() => performance.now());
      await page.goto(`${s.base}/#/quotes`);
      await page.getByRole('status').filter({ hasText: '1000 quotes' }).waitFor();
      const t1 = await page.evaluate(() => performance.now());
      check(await page.locator('tr[data-quote]').count() === 50, 'not one page of 50 rows');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('51–100 of 1000').waitFor();
      console.log(`perf: first screen (sign-in) drawn ${first.toFixed(0)} ms after navigation start; JS + CSS ${all} bytes; ` +
        `the list of 1000 quotes shown (first page of 50) ${(t1 - t0).toFixed(0)} ms after leaving another screen`);
      await shot(page, 'quotes-1000');
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
      // the audit log shows it, and its search narrows to it
      await page.locator('td.mono', { hasText: 'backup.create' }).waitFor();
      await page.getByLabel('Search the audit log').fill('backup');
      await page.locator('td.mono', { hasText: /^login$/ }).first().waitFor({ state: 'detached' });
      await page.locator('td.mono', { hasText: 'backup.create' }).waitFor();
      await page.locator('.tile', { hasText: 'Server errors' }).waitFor();
      await shot(page, 'system');
    } finally {
      s.stop();
    }
  },
};

// The quote cases need the quotes, parts and jobs API of issue 6; until a
// build has it they skip rather than fail.
const NEEDS_QUOTES = new Set(['quote', 'pdf', 'perf']);
async function hasQuotesApi(exe) {
  const s = await startServer(exe);
  try {
    return (await fetch(s.base + '/api/quotes')).status !== 404;
  } finally {
    s.stop();
  }
}

async function main() {
  const [names, exe, out] = process.argv.slice(2);
  const list = (names || '').split(',').filter(Boolean);
  if (!list.length || list.some((n) => !CASES[n]) || !exe || !out) {
    console.error(`usage: run.mjs CASE[,CASE...] DXFQUOTE OUT_DIR (CASE: ${Object.keys(CASES).join(', ')})`);
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
  let quotes = null;
  const b = await launch(out);
  let passed = 0, failed = 0, skipped = 0;
  try {
    for (const name of list) {
      if (NEEDS_QUOTES.has(name)) {
        if (quotes === null) quotes = await hasQuotesApi(exe);
        if (!quotes) {
          console.log(`${name}: skipped: this dxfquote has no quotes API yet (GET /api/quotes is 404)`);
          skipped++;
          continue;
        }
      }
      const c = await b.context();
      try {
        await CASES[name](exe, c, (page, n) => c.shot(page, `${name}-${n}`));
        if (c.problems.length) throw new Failed('the page reported problems:\n  ' + c.problems.join('\n  '));
        console.log(`${name}: passed`);
        passed++;
      } catch (err) {
        failed++;
        console.error(`${name}: FAILED: ${err instanceof Failed ? err.message : err.stack || err}`);
        if (c.problems.length) console.error('page problems:\n  ' + c.problems.join('\n  '));
        try {
          const p = c.ctx.pages()[0];
          if (p) await p.screenshot({ path: join(out, `${name}-FAILED.png`) });
        } catch {
          /* the failure above is what matters */
        }
      } finally {
        await c.close();
      }
    }
  } finally {
    await b.close();
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  process.exit(failed ? 1 : passed ? 0 : 77);
}

main();
