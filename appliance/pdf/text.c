/*
 * text.c - text on the quotation: UTF-8 to Windows-1252, measuring,
 * wrapping, ellipsising, money and dates.
 *
 * Accepts any bytes as "UTF-8": a malformed sequence (overlong form,
 * surrogate, code point past U+10FFFF, stray continuation byte, truncated
 * tail) becomes one PDF_REPLACEMENT per offending byte, so nothing a user
 * typed disappears without a mark.  The table of what Windows-1252 can
 * show is libharu's own WinAnsi encoder, read once per document; there is
 * no table of our own to drift from the font.
 *
 * Widths come from the base-14 metrics libharu carries (no kerning, which
 * libharu does not apply either), so what is measured is what is drawn.
 * Money is formatted from int64 minor units with integer arithmetic only.
 */
#include "pdf_int.h"

#include <string.h>
#include <time.h>

#define ELLIPSIS "\x85" /* U+2026 in Windows-1252 */

/* ---------------------------------------------------------------- encoding */

void pdf_text_init(struct pdf_doc *d, HPDF_Encoder enc)
{
    for (unsigned i = 0; i < 256; i++)
        d->uni[i] = i < 0x20 ? 0 : HPDF_Encoder_GetUnicode(enc, (HPDF_UINT16)i);
}

/* Decodes one code point at s (not at its end); *len gets the bytes used.
 * Returns -1 for a malformed sequence (then *len is 1). */
static long utf8_next(const unsigned char *s, size_t *len)
{
    unsigned c = s[0];
    *len = 1;
    if (c < 0x80)
        return c;
    int more;
    unsigned long cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        more = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        more = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        more = 3, cp = c & 0x07, min = 0x10000;
    else
        return -1;
    for (int i = 1; i <= more; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating 0 */
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *len = (size_t)more + 1;
    return (long)cp;
}

static unsigned char to_byte(const uint16_t uni[256], long cp, int keep_nl)
{
    if (cp == '\n' && keep_nl)
        return '\n';
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return ' ';
    if (cp < 0 || cp > 0xFFFF)
        return PDF_REPLACEMENT;
    /* Windows-1252 is Latin-1 but for 0x80..0x9F: try the byte of the same
     * value first, then that row. */
    if (cp < 256 && uni[cp] == cp)
        return (unsigned char)cp;
    for (unsigned b = 0x80; b < 0xA0; b++)
        if (uni[b] == cp)
            return (unsigned char)b;
    return PDF_REPLACEMENT;
}

static size_t conv(const uint16_t uni[256], char *out, size_t n, const char *utf8, int keep_nl)
{
    const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
    size_t k = 0;
    while (*s) {
        size_t len;
        long cp = utf8_next(s, &len);
        s += len;
        if (cp == '\r' && *s == '\n' && keep_nl)
            continue; /* CRLF is one break */
        if (k + 1 < n)
            out[k] = (char)to_byte(uni, cp, keep_nl);
        k++;
    }
    if (n)
        out[k < n ? k : n - 1] = 0;
    return k;
}

size_t pdf_conv(const uint16_t uni[256], char *out, size_t n, const char *utf8)
{
    return conv(uni, out, n, utf8, 0);
}

static char *text(struct pdf_doc *d, const char *utf8, int keep_nl)
{
    /* every code point takes at least one input byte: the input length
     * bounds the output */
    size_t n = (utf8 ? strlen(utf8) : 0) + 1;
    char *s = arena_alloc(d->a, n);
    if (s)
        conv(d->uni, s, n, utf8, keep_nl);
    return s;
}

char *pdf_text(struct pdf_doc *d, const char *utf8)
{
    return text(d, utf8, 0);
}

char *pdf_text_lines(struct pdf_doc *d, const char *utf8)
{
    return text(d, utf8, 1);
}

/* ---------------------------------------------------------------- measuring */

double pdf_width(const struct pdf_font *f, double size, const char *s, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w += f->w[(unsigned char)s[i]];
    return w * size / 1000.0;
}

static void show_n(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                   double x, double y, enum pdf_align al, const char *s, size_t n, const char *tail)
{
    char buf[512];
    if (n > sizeof buf - 8)
        n = sizeof buf - 8;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (tail)
        strcat(buf, tail);
    double w = pdf_width(f, size, buf, strlen(buf));
    if (al == PDF_RIGHT)
        x -= w;
    else if (al == PDF_CENTER)
        x -= w / 2;
    HPDF_Page p = d->page;
    HPDF_Page_SetRGBFill(p, c.r, c.g, c.b);
    HPDF_Page_BeginText(p);
    HPDF_Page_SetFontAndSize(p, f->f, (HPDF_REAL)size);
    HPDF_Page_TextOut(p, (HPDF_REAL)x, (HPDF_REAL)y, buf);
    HPDF_Page_EndText(p);
}

void pdf_show(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c, double x,
              double y, enum pdf_align al, const char *s)
{
    if (s && *s)
        show_n(d, f, size, c, x, y, al, s, strlen(s), NULL);
}

/* The longest prefix of s[0..n) that fits width with the ellipsis after it,
 * without a trailing space. */
static size_t fit_prefix(const struct pdf_font *f, double size, const char *s, size_t n,
                         double width)
{
    double room = width - pdf_width(f, size, ELLIPSIS, 1);
    size_t k = 0;
    double w = 0;
    while (k < n) {
        double cw = f->w[(unsigned char)s[k]] * size / 1000.0;
        if (w + cw > room)
            break;
        w += cw;
        k++;
    }
    while (k > 0 && s[k - 1] == ' ')
        k--;
    return k;
}

static void show_fit_n(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                       double x, double y, double width, enum pdf_align al, const char *s, size_t n,
                       int force_ellipsis)
{
    if (!force_ellipsis && pdf_width(f, size, s, n) <= width) {
        show_n(d, f, size, c, x, y, al, s, n, NULL);
        return;
    }
    show_n(d, f, size, c, x, y, al, s, fit_prefix(f, size, s, n, width), ELLIPSIS);
}

void pdf_show_fit(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                  double x, double y, double width, enum pdf_align al, const char *s)
{
    if (s && *s)
        show_fit_n(d, f, size, c, x, y, width, al, s, strlen(s), 0);
}

void pdf_show_shrink(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                     double x, double y, double width, enum pdf_align al, const char *s)
{
    if (!s || !*s)
        return;
    double w = pdf_width(f, size, s, strlen(s));
    if (w > width && w > 0) {
        double fit = size * width / w;
        if (fit >= size / 2) {
            pdf_show(d, f, fit, c, x, y, al, s);
            return;
        }
        /* too long even at half size: cut it rather than overlap */
        pdf_show_fit(d, f, size / 2, c, x, y, width, al, s);
        return;
    }
    pdf_show(d, f, size, c, x, y, al, s);
}

size_t pdf_wrap(const struct pdf_font *f, double size, const char *s, double width,
                struct pdf_span *out, size_t max, int *cut)
{
    size_t nl = 0, i = 0, len = strlen(s);
    *cut = 0;
    while (i < len && nl < max) {
        while (i < len && s[i] == ' ')
            i++;
        if (i >= len)
            break;
        size_t start = i, brk = 0; /* brk: end of the last word that fits */
        double w = 0;
        while (i < len && s[i] != '\n') {
            double cw = f->w[(unsigned char)s[i]] * size / 1000.0;
            if (w + cw > width)
                break;
            w += cw;
            i++;
            if (i == len || s[i] == ' ' || s[i] == '\n')
                brk = i;
        }
        if (i < len && s[i] != '\n') { /* overflow: back up to a word end */
            if (brk > start)
                i = brk;
            else if (i == start)
                i++; /* not even one glyph fits: take it anyway */
        }
        size_t end = i;
        while (end > start && s[end - 1] == ' ')
            end--;
        out[nl].off = start;
        out[nl].n = end - start;
        nl++;
        if (i < len && s[i] == '\n')
            i++;
    }
    while (i < len && (s[i] == ' ' || s[i] == '\n'))
        i++;
    *cut = i < len;
    return nl;
}

/* ------------------------------------------------------------ money, dates */

size_t pdf_money(char *buf, size_t n, int64_t minor, int exp, const char *code)
{
    if (exp < 0)
        exp = 0;
    if (exp > 18)
        exp = 18;
    /* unsigned magnitude: exact for INT64_MIN too */
    uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    while (nd <= exp) /* at least one digit before the point */
        digits[nd++] = '0';
    char tmp[64];
    size_t k = 0;
    if (minor < 0)
        tmp[k++] = '-';
    for (int i = nd - 1; i >= exp; i--) {
        tmp[k++] = digits[i];
        int left = i - exp; /* whole digits still to come */
        if (left > 0 && left % 3 == 0)
            tmp[k++] = ',';
    }
    if (exp > 0) {
        tmp[k++] = '.';
        for (int i = exp - 1; i >= 0; i--)
            tmp[k++] = digits[i];
    }
    tmp[k] = 0;
    int r = code && *code ? snprintf(buf, n, "%s %s", tmp, code) : snprintf(buf, n, "%s", tmp);
    return r < 0 ? 0 : (size_t)r;
}

void pdf_date(char *buf, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(buf, n, "-");
        return;
    }
    snprintf(buf, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
