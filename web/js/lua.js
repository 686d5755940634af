// lua.js - a small Lua 5.4 tokenizer for colouring the rules editor, and
// a line diff (longest common subsequence) for the version history.
//
// The tokenizer is for display only: it never rejects input, and anything
// it does not recognise is plain text, so the coloured copy always has
// exactly the characters of the source (the editor lays it under a
// transparent textarea, character for character).  Long strings and
// comments ([[...]], [==[...]==]) may span lines.

const KEYWORDS = new Set(('and break do else elseif end false for function goto if in local nil not or ' +
  'repeat return then true until while').split(' '));

// tokens(src) -> [[kind, text], ...]; kind is one of kw str com num fn op
// or '' (plain).  The texts joined give src back.
export function tokens(src) {
  const out = [];
  const n = src.length;
  let i = 0;
  let plain = '';
  const push = (kind, text) => {
    if (!kind) {
      plain += text;
      return;
    }
    if (plain) out.push(['', plain]);
    plain = '';
    out.push([kind, text]);
  };
  const longBracket = (at) => {
    // at points to '['; returns the end index past the closing bracket, or -1
    const m = /^\[(=*)\[/.exec(src.slice(at, at + 64));
    if (!m) return -1;
    const close = ']' + m[1] + ']';
    const end = src.indexOf(close, at + m[0].length);
    return end < 0 ? n : end + close.length;
  };
  while (i < n) {
    const c = src[i];
    if (c === '-' && src[i + 1] === '-') {
      let end = src[i + 2] === '[' ? longBracket(i + 2) : -1;
      if (end < 0) {
        end = src.indexOf('\n', i);
        if (end < 0) end = n;
      }
      push('com', src.slice(i, end));
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      j = Math.min(j + 1, n);
      push('str', src.slice(i, j));
      i = j;
    } else if (c === '[' && (src[i + 1] === '[' || src[i + 1] === '=')) {
      const end = longBracket(i);
      if (end < 0) {
        push('op', c);
        i++;
      } else {
        push('str', src.slice(i, end));
        i = end;
      }
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] || ''))) {
      const m = /^(0[xX][0-9a-fA-F.]+([pP][+-]?\d+)?|\d*\.?\d+([eE][+-]?\d+)?\.?)/.exec(src.slice(i, i + 64));
      const t = m ? m[0] : c;
      push('num', t);
      i += t.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256));
      const w = m[0];
      let k = i + w.length;
      while (src[k] === ' ') k++;
      push(KEYWORDS.has(w) ? 'kw' : src[k] === '(' ? 'fn' : '', w);
      i += w.length;
    } else if (/[+\-*/%^#&~|<>=(){}[\];:,.]/.test(c)) {
      push('op', c);
      i++;
    } else {
      push('', c);
      i++;
    }
  }
  if (plain) out.push(['', plain]);
  return out;
}

// diff(a, b) -> [[op, aLine, bLine, text], ...] with op ' ', '-' or '+';
// line numbers are 1-based (0 where the line is not on that side).  A plain
// LCS over the lines between the common head and tail; past maxCells of
// table the middle is shown as all removed then all added (still correct,
// only less minimal).
export function diff(aText, bText, maxCells = 16e6) {
  const a = aText.split('\n'), b = bText.split('\n');
  let s = 0;
  while (s < a.length && s < b.length && a[s] === b[s]) s++;
  let ea = a.length, eb = b.length;
  while (ea > s && eb > s && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  const out = [];
  for (let i = 0; i < s; i++) out.push([' ', i + 1, i + 1, a[i]]);
  const n = ea - s, m = eb - s;
  if (n * m > maxCells) {
    for (let i = s; i < ea; i++) out.push(['-', i + 1, 0, a[i]]);
    for (let j = s; j < eb; j++) out.push(['+', 0, j + 1, b[j]]);
  } else {
    // L[i][j] = length of the LCS of a[s+i..ea) and b[s+j..eb)
    const w = m + 1;
    const L = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        L[i * w + j] = a[s + i] === b[s + j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[s + i] === b[s + j]) {
        out.push([' ', s + i + 1, s + j + 1, a[s + i]]);
        i++;
        j++;
      } else if (j < m && (i === n || L[i * w + j + 1] >= L[(i + 1) * w + j])) {
        out.push(['+', 0, s + j + 1, b[s + j]]);
        j++;
      } else {
        out.push(['-', s + i + 1, 0, a[s + i]]);
        i++;
      }
    }
  }
  for (let k = 0; k < a.length - ea; k++) out.push([' ', ea + k + 1, eb + k + 1, a[ea + k]]);
  return out;
}
