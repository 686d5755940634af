// test_lua.mjs - the rules editor's own Lua tokenizer and line diff
// (web/js/lua.js), which need no browser: run by node directly.
//
//   node test_lua.mjs      exit 0 passed, 1 failed
//
// The tokenizer must give back exactly the source it was given (the editor
// lays the coloured copy under the textarea character for character), and
// the diff must be a real LCS: both texts rebuilt from it, and as many
// unchanged lines as a brute-force longest common subsequence finds.

import { tokens, diff } from '../../web/js/lua.js';

let failed = 0, passed = 0;
function check(cond, msg) {
  if (cond) passed++;
  else {
    failed++;
    console.error('FAILED: ' + msg);
  }
}

// A small deterministic generator (xorshift), so a failure repeats.
let seed = 0x2545f491;
function rnd(n) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

// ---------------------------------------------------------------- tokens
const sample = `-- a comment
local x = 10.5e3 + 0x1F -- trailing
--[==[ long
comment ]==]
s = "a \\" b" .. 'c' .. [[long
string]]
function f(a) return a ~= nil and #a >= 2 end
print(f{1, 2})`;
const toks = tokens(sample);
check(toks.map((t) => t[1]).join('') === sample, 'tokens do not rebuild the sample');
const kind = (text) => (toks.find((t) => t[1] === text) || [null])[0];
check(kind('local') === 'kw' && kind('function') === 'kw' && kind('end') === 'kw', 'keywords');
check(kind('10.5e3') === 'num' && kind('0x1F') === 'num', 'numbers');
check(kind('"a \\" b"') === 'str' && kind("'c'") === 'str' && kind('[[long\nstring]]') === 'str', 'strings');
check(kind('--[==[ long\ncomment ]==]') === 'com' && kind('-- a comment') === 'com', 'comments');
check(kind('f') === 'fn' && kind('print') === 'fn', 'calls');
const alphabet = ['-', '-', '[', ']', '=', '"', "'", '\\', '\n', ' ', 'a', 'end', '1', '.', 'e', 'x', '0', '(', '#', '~'];
for (let i = 0; i < 3000; i++) {
  let s = '';
  const n = rnd(40);
  for (let k = 0; k < n; k++) s += alphabet[rnd(alphabet.length)];
  const t = tokens(s);
  check(t.map((x) => x[1]).join('') === s, `tokens do not rebuild ${JSON.stringify(s)}`);
  check(t.every((x) => x[1].length > 0), `an empty token in ${JSON.stringify(s)}`);
}

// ------------------------------------------------------------------ diff
function lcs(a, b) {
  const L = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  return L[0][0];
}
function verify(a, b, maxCells) {
  const rows = diff(a, b, maxCells);
  const left = rows.filter((r) => r[0] !== '+').map((r) => r[3]);
  const right = rows.filter((r) => r[0] !== '-').map((r) => r[3]);
  check(left.join('\n') === a && right.join('\n') === b, `diff does not rebuild ${JSON.stringify([a, b])}`);
  let la = 0, lb = 0;
  for (const [op, x, y] of rows) {
    if (op !== '+') check(x === ++la, 'left line numbers');
    if (op !== '-') check(y === ++lb, 'right line numbers');
  }
  return rows.filter((r) => r[0] === ' ').length;
}
check(verify('a\nb\nc', 'a\nb\nc') === 3, 'same texts');
check(verify('a\nb\nc', 'a\nx\nc') === 2, 'one line changed');
check(diff('a\nc', 'a\nb\nc').map((r) => r[0]).join('') === ' + ', 'one line added');
for (let i = 0; i < 500; i++) {
  const words = ['x', 'y', 'z', 'end', ''];
  const gen = () => Array.from({ length: rnd(12) }, () => words[rnd(words.length)]).join('\n');
  const a = gen(), b = gen();
  const same = verify(a, b);
  check(same === lcs(a.split('\n'), b.split('\n')), `not a longest common subsequence: ${JSON.stringify([a, b])}`);
  verify(a, b, 4); // past the table limit: still correct, less minimal
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
