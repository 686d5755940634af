/*
 * text.c - names from the drawing's encoding to valid UTF-8.
 *
 * Before R2007 a DXF file is written in the code page named by
 * $DWGCODEPAGE (ANSI_1250..1258, ANSI_874, the CJK pages ANSI_932, 936,
 * 949, 950, DOS437, DOS850, DOS866...); from R2007 on it is UTF-8.  Both
 * may hold \U+XXXX escapes, and the CJK releases \M+nXXXX (a double-byte
 * character of code page n).  Conversion goes through glibc's iconv.
 *
 * Invariants: the result is always valid UTF-8 (each undecodable byte
 * becomes U+FFFD); it needs at most 3 bytes per input byte.  A name in a
 * single-byte code page that is already valid multi-byte UTF-8 is kept as
 * it is: many writers label UTF-8 files ANSI_1252, and a real ANSI name
 * that happens to be valid UTF-8 is vanishingly rare.
 */
#include "dxf_int.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static size_t put_cp(char *o, unsigned cp)
{
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(const char *s, unsigned *v)
{
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        x = x * 16 + (unsigned)h;
    }
    *v = x;
    return 0;
}

/* iconv name of a $DWGCODEPAGE value; NULL when unknown (then Windows
 * 1252, AutoCAD's default, is used). */
static const char *iconv_name(const char *cp)
{
    static const struct {
        const char *dxf, *iconv;
    } map[] = {
        {"ANSI_874", "CP874"},   {"ANSI_932", "CP932"},   {"ANSI_936", "GBK"},
        {"ANSI_949", "CP949"},   {"ANSI_950", "BIG5"},    {"ANSI_1250", "CP1250"},
        {"ANSI_1251", "CP1251"}, {"ANSI_1252", "CP1252"}, {"ANSI_1253", "CP1253"},
        {"ANSI_1254", "CP1254"}, {"ANSI_1255", "CP1255"}, {"ANSI_1256", "CP1256"},
        {"ANSI_1257", "CP1257"}, {"ANSI_1258", "CP1258"}, {"ANSI_1361", "JOHAB"},
        {"DOS437", "CP437"},     {"DOS850", "CP850"},     {"DOS852", "CP852"},
        {"DOS855", "CP855"},     {"DOS857", "CP857"},     {"DOS860", "CP860"},
        {"DOS861", "CP861"},     {"DOS863", "CP863"},     {"DOS864", "CP864"},
        {"DOS865", "CP865"},     {"DOS866", "CP866"},     {"DOS869", "CP869"},
        {"DOS932", "CP932"},     {"MACINTOSH", "MACINTOSH"}, {"ISO8859-1", "ISO-8859-1"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(cp, map[i].dxf) == 0)
            return map[i].iconv;
    return NULL;
}

static int is_dbcs(const char *name)
{
    return !strcmp(name, "CP932") || !strcmp(name, "GBK") || !strcmp(name, "CP949") ||
           !strcmp(name, "BIG5") || !strcmp(name, "JOHAB");
}

/* Converts in[0..n) from code page cd into o; undecodable bytes become
 * U+FFFD.  Returns the bytes written. */
static size_t conv(iconv_t cd, const char *in, size_t n, char *o, size_t cap)
{
    size_t w = 0;
    while (n) {
        char *ip = (char *)(uintptr_t)in, *op = o + w;
        size_t il = n, ol = cap - w;
        size_t rc = cd == (iconv_t)-1 ? (size_t)-1 : iconv(cd, &ip, &il, &op, &ol);
        w = (size_t)(op - o);
        size_t used = n - il;
        in += used;
        n -= used;
        if (rc != (size_t)-1)
            break;
        if (cd != (iconv_t)-1 && errno == E2BIG)
            break;
        if (n) {
            w += put_cp(o + w, 0xfffd);
            in++;
            n--;
        }
        if (cd != (iconv_t)-1)
            iconv(cd, NULL, NULL, NULL, NULL);
    }
    return w;
}

char *dxf_text_utf8(struct arena *a, const char *codepage, int utf8, const char *s, size_t n)
{
    int plain = 1, valid = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\\' || s[i] == 0)
            plain = 0;
    if (plain)
        return arena_strndup(a, s, n);
    const char *icn = iconv_name(codepage && *codepage ? codepage : "ANSI_1252");
    if (!icn)
        icn = "CP1252";
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (!k || s[i] == 0) {
            valid = 0;
            break;
        }
        i += k;
    }
    if (valid && !is_dbcs(icn))
        utf8 = 1;
    if (n > (SIZE_MAX - 8) / 4)
        return NULL;
    size_t cap = 4 * n + 8;
    char *o = arena_alloc(a, cap);
    if (!o)
        return NULL;
    iconv_t cd = utf8 ? (iconv_t)-1 : iconv_open("UTF-8", icn);
    size_t w = 0, i = 0;
    while (i < n) {
        if (s[i] == '\\' && i + 7 <= n && (s[i + 1] == 'U' || s[i + 1] == 'u') && s[i + 2] == '+') {
            unsigned cp;
            if (hex4(s + i + 3, &cp) == 0) {
                w += put_cp(o + w, cp);
                i += 7;
                continue;
            }
        }
        if (s[i] == '\\' && i + 8 <= n && (s[i + 1] == 'M' || s[i + 1] == 'm') &&
            s[i + 2] == '+' && s[i + 3] >= '1' && s[i + 3] <= '5') {
            static const char *const mif[] = {"CP932", "BIG5", "CP949", "JOHAB", "GBK"};
            unsigned v;
            if (hex4(s + i + 4, &v) == 0) {
                char b[2] = {(char)(v >> 8), (char)(v & 0xff)};
                iconv_t m = iconv_open("UTF-8", mif[s[i + 3] - '1']);
                w += conv(m, b, 2, o + w, cap - w);
                if (m != (iconv_t)-1)
                    iconv_close(m);
                i += 8;
                continue;
            }
        }
        /* a run up to the next backslash */
        size_t j = i + 1;
        while (j < n && s[j] != '\\')
            j++;
        if (utf8) {
            while (i < j) {
                size_t k = utf8_seq((const unsigned char *)s + i, j - i);
                if (!k || s[i] == 0) {
                    w += put_cp(o + w, 0xfffd);
                    i++;
                } else {
                    memcpy(o + w, s + i, k);
                    w += k;
                    i += k;
                }
            }
        } else {
            w += conv(cd, s + i, j - i, o + w, cap - w);
            i = j;
        }
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    o[w] = 0;
    return o;
}
