// harness.mjs - what every browser test case shares: the real `dxfquote
// serve` on a free loopback port in a fresh temporary folder, Debian's
// chromium driven by playwright-core (never a downloaded browser), and
// screenshots saved as artifacts.
//
// A page that throws, logs an error to the console, or is refused
// something by the Content-Security-Policy fails the case: the UI must
// never break silently.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const ADMIN_PW = 'admin password 1';
export const SALES_PW = 'sales password 1';
// The lowest yescrypt cost keeps sign-ins fast; the cost is not under test.
const FAST = { DXFQUOTE_SECURITY_PASSWORD_COST: '1' };

export const CHROMIUM = process.env.DXFQ_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--font-render-hinting=none'];

export class Failed extends Error {}

export function check(cond, msg) {
  if (!cond) throw new Failed(msg);
}

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DXFQUOTE_')) env[k] = v;
  return { ...env, ...FAST, ...(extra || {}) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function addUser(exe, data, name, role, password) {
  const p = spawnSync(exe, ['user', 'add', name, '--role', role, '--data', data], { input: password + '\n', env: cleanEnv(), timeout: 30000 });
  check(p.status === 0, `user add ${name}: ${p.stderr}`);
}

// A running server; users: [[name, role, password], ...] added first.
// rules: a Lua file installed as the first rules version.
export async function startServer(exe, { users = [], env = {}, rules } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dxfq-browser-'));
  const data = join(dir, 'data');
  for (const [n, r, p] of users) addUser(exe, data, n, r, p);
  if (rules) {
    const p = spawnSync(exe, ['rules', 'install', rules, '--note', 'the shipped rules', '--data', data], { env: cleanEnv(), timeout: 30000 });
    check(p.status === 0, `rules install: ${p.stderr}`);
  }
  const port = await freePort();
  let log = '';
  const base = `http://127.0.0.1:${port}`;
  let proc;
  const run = async () => {
    proc = spawn(exe, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (b) => { log += b; });
    proc.stderr.on('data', (b) => { log += b; });
    for (let i = 0; i < 400; i++) {
      if (proc.exitCode !== null) throw new Failed(`server exited with ${proc.exitCode}: ${log}`);
      try {
        const r = await fetch(base + '/health');
        if (r.status === 200 || r.status === 503) return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Failed('the server did not answer /health: ' + log);
  };
  await run();
  return {
    base, dir, data,
    log: () => log,
    // Stops the server (SIGTERM, as an operator would), calls offline()
    // while nothing has the database open, and starts it again on the
    // same port and data: a change to the database never races the server.
    async restart(offline) {
      const ended = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await ended;
      offline();
      await run();
    },
    stop() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// One chromium (its own fresh temporary profile) for a run of cases; each
// case gets a fresh context (no cookies or storage from another case).
export async function launch(outDir) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  mkdirSync(outDir, { recursive: true });
  return {
    browser,
    async context() {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: 'en-GB', timezoneId: 'UTC' });
      ctx.setDefaultTimeout(20000);
      const problems = [];
      const watch = (page) => {
        page.on('pageerror', (e) => problems.push('page error: ' + e.message));
        page.on('console', (m) => {
          const t = m.text();
          // a refused request (401/4xx) is logged by the browser itself: those are expected by the cases
          if (m.type() === 'error' && !/Failed to load resource/.test(t)) problems.push('console: ' + t);
          if (/Content.Security.Policy/i.test(t)) problems.push('CSP: ' + t);
        });
      };
      ctx.on('page', watch);
      return {
        ctx,
        problems,
        async page() {
          return ctx.pages()[0] || (await ctx.newPage());
        },
        async shot(page, name) {
          await page.waitForTimeout(120); // let transitions settle
          await page.screenshot({ path: join(outDir, name + '.png'), fullPage: false });
        },
        close: () => ctx.close(),
      };
    },
    close: () => browser.close(),
  };
}

export async function signIn(page, base, user, pw, path = '') {
  await page.goto(base + '/' + path);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#shell:not([hidden])').waitFor();
}

export function writeFile(dir, name, text) {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

export function have(path) {
  return existsSync(path);
}
