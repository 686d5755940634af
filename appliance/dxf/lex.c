/*
 * lex.c - the DXF tokenizer: group code / value pairs, in place.
 *
 * ASCII: a group code line (an integer, blanks around it allowed) and a
 * value line, LF or CRLF; the value points into the caller's buffer, so no
 * token is ever copied or allocated.  Binary: the 22-byte sentinel, then
 * 1-byte group codes (255 escapes a 2-byte one) before R13 or 2-byte codes
 * from R13 on, detected from the first tag; the value's type follows from
 * the group code range, as the DXF reference gives it.
 *
 * Numbers are parsed without the locale: a decimal whose mantissa fits in
 * 53 bits and whose power of ten is at most 22 is exact with one multiply
 * or divide (Clinger's fast path); everything else goes to strtod_l with
 * a "C" locale, which rounds correctly.  Anything that is not a plain
 * decimal ("1,5", "abc", "nan", hex) is an error naming the line.
 *
 * Invariants: lx->p never passes lx->end; every read of binary data is
 * bounds-checked first; a line of any length costs one memchr.
 */
#include "dxf_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 40

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

const char *lex_where(const struct dxf_lex *lx, size_t pos, char *buf, size_t n)
{
    snprintf(buf, n, "%s %zu", lx->binary ? "byte" : "line", pos);
    return buf;
}

/* Writes at most QUOTE_MAX printable characters of s into buf. */
static const char *quote(const char *s, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < cap && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[k++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    if (n > QUOTE_MAX && k + 4 < cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = 0;
    return buf;
}

static int truncated(const struct dxf_lex *lx, size_t pos, struct err *e)
{
    char w[32];
    if (lx->section)
        return err_set(e, "unexpected end of file at %s inside %s: missing ENDSEC and EOF",
                       lex_where(lx, pos, w, sizeof w), lx->section);
    return err_set(e, "unexpected end of file at %s: missing EOF", lex_where(lx, pos, w, sizeof w));
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ------------------------------------------------------------------ ASCII */

/* Finds the next '\n' from p, eight bytes at a time: a zero byte of
 * x ^ 0x0a.. marks it, and the lowest flagged byte is always a true one
 * (little-endian load). */
static const char *find_nl(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101ull, nl = 0x0a0a0a0a0a0a0a0aull;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        x ^= nl;
        uint64_t z = (x - ones) & ~x & (ones << 7);
        if (z)
            return p + (__builtin_ctzll(z) >> 3);
        p += 8;
    }
    for (; p < end; p++)
        if (*p == '\n')
            return p;
    return NULL;
}

static int next_ascii(struct dxf_lex *lx, struct dxf_tok *t, struct err *e)
{
    const char *p = lx->p, *end = lx->end;
    if (p >= end)
        return 0;
    size_t line = lx->line;
    /* the common case first: blanks, digits, optional CR, LF */
    {
        const char *q = p;
        while (q < end && *q == ' ')
            q++;
        int code = 0, nd = 0;
        while (q < end && *q >= '0' && *q <= '9' && nd < 7) {
            code = code * 10 + (*q++ - '0');
            nd++;
        }
        if (q < end && *q == '\r')
            q++;
        if (nd && q + 1 < end && *q == '\n') {
            const char *v = q + 1, *nl = find_nl(v, end);
            const char *le = nl ? nl : end;
            size_t n = (size_t)(le - v);
            if (n && v[n - 1] == '\r')
                n--;
            t->code = code;
            t->kind = TOK_STR;
            t->s = v;
            t->len = n;
            t->pos = line;
            lx->p = nl ? nl + 1 : end;
            lx->line = line + 2;
            return 1;
        }
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    const char *q = p;
    while (q < le && is_blank(*q))
        q++;
    int neg = 0, nd = 0;
    long code = 0;
    if (q < le && (*q == '-' || *q == '+'))
        neg = *q++ == '-';
    while (q < le && *q >= '0' && *q <= '9' && nd < 7) {
        code = code * 10 + (*q++ - '0');
        nd++;
    }
    const char *r = q;
    while (r < le && (is_blank(*r) || *r == '\r'))
        r++;
    if (nd == 0 || r != le) {
        if (!nl && q == le && nd == 0) {
            /* blanks at the very end of the file after the last value */
            const char *b = p;
            while (b < le && (is_blank(*b) || *b == '\r'))
                b++;
            if (b == le) {
                lx->p = end;
                return 0;
            }
        }
        char buf[64];
        if (nd == 0 && p == le)
            return err_set(e, "line %zu: expected a group code (an integer), found an empty line",
                           line);
        return err_set(e, "line %zu: expected a group code (an integer), found '%s'", line,
                       quote(p, (size_t)(le - p), buf, sizeof buf));
    }
    if (!nl)
        return truncated(lx, line, e);
    t->code = (int)(neg ? -code : code);
    p = nl + 1;
    if (p >= end) {
        lx->p = end;
        return truncated(lx, line + 1, e);
    }
    nl = find_nl(p, end);
    le = nl ? nl : end;
    size_t n = (size_t)(le - p);
    if (n && p[n - 1] == '\r')
        n--;
    t->kind = TOK_STR;
    t->s = p;
    t->len = n;
    t->pos = line;
    lx->p = nl ? nl + 1 : end;
    lx->line = line + 2;
    return 1;
}

/* ----------------------------------------------------------------- binary */

enum { BV_STR, BV_DOUBLE, BV_I16, BV_I32, BV_I64, BV_BOOL, BV_CHUNK };

static int bin_type(int c)
{
    if ((c >= 10 && c < 60) || (c >= 110 && c < 150) || (c >= 210 && c < 240) ||
        (c >= 460 && c < 470) || (c >= 1010 && c < 1060))
        return BV_DOUBLE;
    if ((c >= 60 && c < 80) || (c >= 170 && c < 180) || (c >= 270 && c < 290) ||
        (c >= 370 && c < 390) || (c >= 400 && c < 410) || (c >= 1060 && c < 1071))
        return BV_I16;
    if ((c >= 90 && c < 100) || (c >= 420 && c < 430) || (c >= 440 && c < 460) || c == 1071)
        return BV_I32;
    if (c >= 160 && c < 170)
        return BV_I64;
    if (c >= 290 && c < 300)
        return BV_BOOL;
    if ((c >= 310 && c < 320) || c == 1004)
        return BV_CHUNK;
    return BV_STR;
}

static uint64_t le_u(const unsigned char *b, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static int next_binary(struct dxf_lex *lx, struct dxf_tok *t, struct err *e)
{
    const unsigned char *p = (const unsigned char *)lx->p, *end = (const unsigned char *)lx->end;
    if (p >= end)
        return 0;
    size_t pos = (size_t)(lx->p - lx->start);
    int code;
    if (lx->code2) {
        if (end - p < 2)
            return truncated(lx, pos, e);
        code = (int)(int16_t)le_u(p, 2);
        p += 2;
    } else if (*p == 255) {
        if (end - p < 3)
            return truncated(lx, pos, e);
        code = (int)(int16_t)le_u(p + 1, 2);
        p += 3;
    } else {
        code = *p++;
    }
    t->code = code;
    t->pos = pos;
    t->s = NULL;
    t->len = 0;
    size_t left = (size_t)(end - p);
    switch (bin_type(code)) {
    case BV_DOUBLE: {
        if (left < 8)
            return truncated(lx, pos, e);
        uint64_t u = le_u(p, 8);
        double d;
        memcpy(&d, &u, sizeof d);
        t->kind = TOK_REAL;
        t->num = d;
        p += 8;
        break;
    }
    case BV_I16:
        if (left < 2)
            return truncated(lx, pos, e);
        t->kind = TOK_INT;
        t->ival = (int16_t)le_u(p, 2);
        p += 2;
        break;
    case BV_I32:
        if (left < 4)
            return truncated(lx, pos, e);
        t->kind = TOK_INT;
        t->ival = (int32_t)le_u(p, 4);
        p += 4;
        break;
    case BV_I64:
        if (left < 8)
            return truncated(lx, pos, e);
        t->kind = TOK_INT;
        t->ival = (long long)le_u(p, 8);
        p += 8;
        break;
    case BV_BOOL:
        if (left < 1)
            return truncated(lx, pos, e);
        t->kind = TOK_INT;
        t->ival = *p++;
        break;
    case BV_CHUNK:
        if (left < 1 || left - 1 < *p)
            return truncated(lx, pos, e);
        t->kind = TOK_STR;
        t->s = (const char *)p + 1;
        t->len = *p;
        p += 1 + *p;
        break;
    default: {
        const unsigned char *z = memchr(p, 0, left);
        if (!z)
            return truncated(lx, pos, e);
        t->kind = TOK_STR;
        t->s = (const char *)p;
        t->len = (size_t)(z - p);
        p = z + 1;
        break;
    }
    }
    if (t->kind == TOK_REAL)
        t->ival = 0;
    lx->p = (const char *)p;
    return 1;
}

int lex_next(struct dxf_lex *lx, struct dxf_tok *t, struct err *e)
{
    if (lx->pushed) {
        lx->pushed = 0;
        *t = lx->cur;
        return 1;
    }
    int rc = lx->binary ? next_binary(lx, t, e) : next_ascii(lx, t, e);
    if (rc == 1)
        lx->cur = *t;
    return rc;
}

void lex_unget(struct dxf_lex *lx)
{
    lx->pushed = 1;
}

/* ---------------------------------------------------------------- values */

void tok_trim(const struct dxf_tok *t, const char **s, size_t *n)
{
    if (!t->s) { /* a binary number where a string was expected */
        *s = "";
        *n = 0;
        return;
    }
    const char *a = t->s, *b = t->s + t->len;
    while (a < b && (is_blank(*a) || *a == '\r'))
        a++;
    while (b > a && (is_blank(b[-1]) || b[-1] == '\r'))
        b--;
    *s = a;
    *n = (size_t)(b - a);
}

uint64_t tok_hex(const struct dxf_tok *t)
{
    const char *s;
    size_t n;
    tok_trim(t, &s, &n);
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 16; i++) {
        char c = s[i];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F'               ? c - 'A' + 10
                                                     : -1;
        if (h < 0)
            return 0;
        v = v * 16 + (uint64_t)h;
    }
    return v;
}

int tok_is(const struct dxf_tok *t, const char *word)
{
    if (t->kind != TOK_STR)
        return 0;
    const char *s;
    size_t n;
    tok_trim(t, &s, &n);
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

int dxf_parse_real(const char *s, size_t n, locale_t cloc, double *out)
{
    while (n && is_blank(*s)) {
        s++;
        n--;
    }
    while (n && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
        n--;
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t m = 0;
    int digits = 0, sig = 0, exp10 = 0, any = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
        if (m == 0 && s[i] == '0')
            continue;
        if (sig < 19) {
            m = m * 10 + (uint64_t)(s[i] - '0');
            sig++;
        } else {
            exp10++;
            digits = 1; /* more digits than the fast path holds */
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
            if (m == 0 && s[i] == '0') {
                exp10--;
                continue;
            }
            if (sig < 19) {
                m = m * 10 + (uint64_t)(s[i] - '0');
                sig++;
                exp10--;
            } else {
                digits = 1;
            }
        }
    }
    if (!any)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0, en = 0, ed = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed++)
            if (en < 100000)
                en = en * 10 + (s[i] - '0');
        if (!ed)
            return -1;
        exp10 += eneg ? -en : en;
    }
    if (i != n)
        return -1;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (!digits && m < ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
        double d = (double)m;
        d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
        *out = neg ? -d : d;
        return 0;
    }
    char buf[512];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *endp;
    errno = 0;
    double d = strtod_l(buf, &endp, cloc);
    if (endp != buf + n || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int bad_number(const struct dxf_lex *lx, const struct dxf_tok *t, const char *what,
                      struct err *e)
{
    char w[32], q[64];
    return err_set(e, "%s: group code %d expects %s, found '%s'", lex_where(lx, t->pos, w, sizeof w),
                   t->code, what, t->s ? quote(t->s, t->len, q, sizeof q) : "");
}

int tok_real(const struct dxf_lex *lx, const struct dxf_tok *t, double *out, struct err *e)
{
    if (t->kind == TOK_REAL) {
        if (!isfinite(t->num))
            return bad_number(lx, t, "a finite number", e);
        *out = t->num;
        return 0;
    }
    if (t->kind == TOK_INT) {
        *out = (double)t->ival;
        return 0;
    }
    if (dxf_parse_real(t->s, t->len, lx->cloc, out) < 0)
        return bad_number(lx, t, "a number", e);
    return 0;
}

int tok_int(const struct dxf_lex *lx, const struct dxf_tok *t, long long *out, struct err *e)
{
    if (t->kind == TOK_INT) {
        *out = t->ival;
        return 0;
    }
    if (t->kind == TOK_STR) {
        const char *s;
        size_t n, i = 0;
        tok_trim(t, &s, &n);
        int neg = 0;
        long long v = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            neg = s[i++] == '-';
        size_t d0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - d0 < 18)
            v = v * 10 + (s[i++] - '0');
        if (i == n && i > d0) {
            *out = neg ? -v : v;
            return 0;
        }
    }
    /* sloppy writers put "1.0" where an integer belongs */
    double d;
    if (t->kind == TOK_REAL ? (d = t->num, 0) : dxf_parse_real(t->s, t->len, lx->cloc, &d))
        return bad_number(lx, t, "an integer", e);
    if (!(d >= -9e15 && d <= 9e15) || d != floor(d))
        return bad_number(lx, t, "an integer", e);
    *out = (long long)d;
    return 0;
}
