/*
 * multipart.c - a streaming multipart/form-data parser (RFC 7578, RFC
 * 2046 section 5.1), fed a body in pieces of any size.
 *
 * What it accepts:
 *   body      := preamble? delimiter part* close-delimiter epilogue?
 *   delimiter := "--" boundary padding CRLF (the first one may start the
 *                body; later ones follow a CRLF that belongs to them)
 *   close     := "--" boundary "--" (anything after it is ignored)
 *   part      := header-line* CRLF content, content ending where the
 *                next CRLF "--" boundary begins
 *   padding   := spaces and tabs (RFC 2046's transport-padding)
 * Lines end with CRLF.  A bare LF or a lone CR in the headers is an error:
 * every browser and HTTP library sends CRLF, and accepting LF would let a
 * boundary be recognised differently by us and by a proxy.  Inside content
 * any byte is data; only CRLF "--" boundary ends it.  Header lines folded
 * onto the next line (obsolete) are refused.
 *
 * Each part needs Content-Disposition: form-data with a non-empty name;
 * filename (and filename*=UTF-8''..., which wins) and Content-Type are
 * reported; other headers are ignored.  In a quoted value, \" is a quote
 * (as curl sends it); any other backslash is kept, because browsers send
 * Windows paths ("C:\x\y.dxf") as they are.
 *
 * Invariants:
 *  1. No allocation and no recursion: all state is the struct http_mp.
 *  2. Linear time: a byte is examined once, plus once more after a
 *     partial boundary match fails (the delimiter holds a CR only at its
 *     start, since bchars exclude CR, so a failed match never restarts
 *     inside itself).
 *  3. The content handed to part_data is exactly the bytes of the part:
 *     bytes held back while they might begin a delimiter are handed on
 *     (from the delimiter's text) as soon as the match fails.
 *  4. Once an error is returned it sticks; no callback runs after it.
 */
#include <string.h>
#include <strings.h>

#include "http/multipart.h"

enum {
    S_PREAMBLE, /* before the first delimiter: discarded */
    S_TAIL,     /* just after "--boundary" */
    S_PAD,      /* in the padding after a delimiter */
    S_TAIL_LF,  /* CR seen after a delimiter */
    S_CLOSE,    /* one '-' seen after a delimiter */
    S_HEADER,   /* in a header line */
    S_HEADER_LF, /* CR seen in a header line */
    S_BODY,     /* in a part's content */
    S_EPILOGUE, /* after the closing delimiter */
};

/* bchars of RFC 2046 (a space may not end the boundary). */
static int bchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("'()+_,-./:=? ", c) != NULL);
}

int http_mp_boundary(const char *ct, char *out)
{
    static const char type[] = "multipart/form-data";
    out[0] = '\0';
    if (!ct)
        return -1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, type, sizeof type - 1) != 0)
        return -1;
    const char *p = ct + sizeof type - 1;
    if (*p && *p != ';' && *p != ' ' && *p != '\t')
        return -1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t nlen = (size_t)(p - name);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue; /* a parameter without a value: not ours */
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        char val[HTTP_MP_BOUNDARY_MAX + 2];
        size_t n = 0;
        int over = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (n <= HTTP_MP_BOUNDARY_MAX)
                    val[n++] = *p;
                else
                    over = 1;
            }
            if (*p != '"')
                return nlen == 8 && !strncasecmp(name, "boundary", 8) ? -2 : -1;
            p++;
        } else {
            for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
                if (n <= HTTP_MP_BOUNDARY_MAX)
                    val[n++] = *p;
                else
                    over = 1;
            }
        }
        if (nlen != 8 || strncasecmp(name, "boundary", 8) != 0)
            continue;
        if (over || n == 0 || n > HTTP_MP_BOUNDARY_MAX || val[n - 1] == ' ')
            return -2;
        for (size_t i = 0; i < n; i++)
            if (!bchar((unsigned char)val[i]))
                return -2;
        memcpy(out, val, n);
        out[n] = '\0';
        return 0;
    }
    return -2;
}

void http_mp_init(struct http_mp *m, const char *boundary, const struct http_mp_callbacks *cb,
                  void *ctx)
{
    memset(m, 0, sizeof *m);
    m->cb = cb;
    m->ctx = ctx;
    size_t n = strlen(boundary);
    if (n > HTTP_MP_BOUNDARY_MAX)
        n = HTTP_MP_BOUNDARY_MAX;
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, n);
    m->dlen = 4 + n;
    m->state = S_PREAMBLE;
    /* The body may open with "--boundary": act as if a CRLF came first. */
    m->match = 2;
}

static int fail(struct http_mp *m, int err, size_t at)
{
    m->err = err;
    m->err_at = m->offset + at;
    return err;
}

/* --------------------------------------------------------------- headers */

static int tchar(unsigned char c)
{
    return c > ' ' && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* filename*=UTF-8'lang'percent-encoded (RFC 5987/8187) into out; 0, or
 * -1 when it is another charset or malformed (then it is ignored). */
static int ext_value(const char *v, char *out, size_t cap)
{
    if (strncasecmp(v, "utf-8'", 6) != 0)
        return -1;
    const char *p = strchr(v + 6, '\'');
    if (!p)
        return -1;
    size_t n = 0;
    for (p++; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
            if (lo < 0)
                return -1;
            c = hi << 4 | lo;
            p += 2;
        }
        if (c == 0 || n + 1 >= cap)
            return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

/* Content-Disposition: form-data; name="..."; filename="..." */
static int disposition(struct http_mp *m, const char *v)
{
    char val[HTTP_MP_LINE_MAX + 1];
    int star = 0;
    const char *p = v;
    while (*p && *p != ';' && *p != ' ' && *p != '\t')
        p++;
    if ((size_t)(p - v) != 9 || strncasecmp(v, "form-data", 9) != 0)
        return HTTP_MP_E_DISPOSITION;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p++ != ';')
            return HTTP_MP_E_DISPOSITION;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *name = p;
        while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t' && *p != '"')
            p++;
        size_t nlen = (size_t)(p - name);
        while (*p == ' ' || *p == '\t')
            p++;
        if (nlen == 0 || *p != '=')
            return HTTP_MP_E_DISPOSITION;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] == '"')
                    p++;
                val[n++] = *p;
            }
            if (*p != '"')
                return HTTP_MP_E_DISPOSITION;
            p++;
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t')
                val[n++] = *p++;
        }
        val[n] = '\0';
        if (nlen == 4 && !strncasecmp(name, "name", 4)) {
            if (n == 0)
                return HTTP_MP_E_DISPOSITION;
            if (n >= sizeof m->part.name)
                return HTTP_MP_E_TOO_LARGE;
            memcpy(m->part.name, val, n + 1);
        } else if (nlen == 8 && !strncasecmp(name, "filename", 8)) {
            if (!star) {
                if (n >= sizeof m->part.filename)
                    return HTTP_MP_E_TOO_LARGE;
                memcpy(m->part.filename, val, n + 1);
            }
            m->part.has_filename = 1;
        } else if (nlen == 9 && !strncasecmp(name, "filename*", 9)) {
            if (ext_value(val, m->part.filename, sizeof m->part.filename) == 0)
                star = m->part.has_filename = 1;
        }
    }
    if (!m->part.name[0])
        return HTTP_MP_E_DISPOSITION;
    return 0;
}

/* One complete header line (m->line, m->nline bytes, no CRLF). */
static int header_line(struct http_mp *m)
{
    char *s = m->line, *colon = memchr(s, ':', m->nline);
    s[m->nline] = '\0';
    if (++m->nheaders > HTTP_MP_HEADER_COUNT)
        return HTTP_MP_E_TOO_LARGE;
    if (!colon || colon == s)
        return HTTP_MP_E_LINE;
    for (char *c = s; c < colon; c++)
        if (!tchar((unsigned char)*c))
            return HTTP_MP_E_LINE; /* a folded line starts with a space */
    *colon = '\0';
    char *v = colon + 1, *end = s + m->nline;
    while (*v == ' ' || *v == '\t')
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    if (!strcasecmp(s, "Content-Disposition")) {
        if (m->saw_disposition)
            return HTTP_MP_E_DISPOSITION;
        m->saw_disposition = 1;
        return disposition(m, v);
    }
    if (!strcasecmp(s, "Content-Type")) {
        size_t n = (size_t)(end - v);
        if (n >= sizeof m->part.content_type)
            return HTTP_MP_E_TOO_LARGE;
        memcpy(m->part.content_type, v, n + 1);
    }
    return 0;
}

/* ----------------------------------------------------------------- feed */

/* Content or preamble bytes: p[0..n) searched for the delimiter, the bytes
 * before it handed to part_data (content only).  Returns bytes consumed
 * (all of them, or up to the end of a delimiter found), or (size_t)-1 when
 * a callback stopped. */
static size_t scan(struct http_mp *m, const unsigned char *p, size_t n, int *found)
{
    int emit = m->state == S_BODY;
    size_t i = 0, run = 0;
    int local = 0; /* the bytes held in m->match are p[i - match, i) */
    *found = 0;
#define EMIT(ptr, len)                                                                             \
    do {                                                                                           \
        size_t len_ = (len);                                                                       \
        if (emit && len_ && m->cb->part_data && m->cb->part_data(m->ctx, (ptr), len_) != 0)        \
            return (size_t)-1;                                                                     \
    } while (0)
    while (i < n) {
        if (m->match == 0) {
            const unsigned char *q = memchr(p + i, '\r', n - i);
            if (!q) {
                i = n;
                break;
            }
            i = (size_t)(q - p) + 1;
            m->match = 1;
            local = 1;
            continue;
        }
        if (p[i] == (unsigned char)m->delim[m->match]) {
            i++;
            if (++m->match == m->dlen) {
                EMIT(p + run, local ? i - m->dlen - run : 0);
                m->match = 0;
                *found = 1;
                return i;
            }
            continue;
        }
        /* Not a delimiter after all: the held bytes are data. */
        if (!local) {
            EMIT(m->delim, m->match);
            run = i;
        }
        m->match = 0;
    }
    /* Held bytes wait for the next piece; when they began in an earlier
     * piece, nothing of this one is data yet (run is 0). */
    EMIT(p + run, (m->match ? (local ? n - m->match : run) : n) - run);
    return n;
#undef EMIT
}

int http_mp_feed(struct http_mp *m, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i = 0;
    if (m->err)
        return m->err;
    while (i < n) {
        unsigned char c = p[i];
        switch (m->state) {
        case S_PREAMBLE:
        case S_BODY: {
            int found;
            size_t used = scan(m, p + i, n - i, &found);
            if (used == (size_t)-1)
                return fail(m, HTTP_MP_E_ABORTED, i);
            i += used;
            if (found) {
                if (m->state == S_BODY && m->cb->part_end && m->cb->part_end(m->ctx) != 0)
                    return fail(m, HTTP_MP_E_ABORTED, i);
                m->state = S_TAIL;
            }
            continue;
        }
        case S_TAIL:
            if (c == '-')
                m->state = S_CLOSE;
            else if (c == ' ' || c == '\t')
                m->state = S_PAD;
            else if (c == '\r')
                m->state = S_TAIL_LF;
            else
                return fail(m, HTTP_MP_E_DELIMITER, i);
            break;
        case S_PAD:
            if (c == '\r')
                m->state = S_TAIL_LF;
            else if (c != ' ' && c != '\t')
                return fail(m, HTTP_MP_E_DELIMITER, i);
            break;
        case S_TAIL_LF:
            if (c != '\n')
                return fail(m, HTTP_MP_E_DELIMITER, i);
            memset(&m->part, 0, sizeof m->part);
            m->nline = m->nheaders = m->header_bytes = 0;
            m->saw_disposition = 0;
            m->nparts++;
            m->state = S_HEADER;
            break;
        case S_CLOSE:
            if (c != '-')
                return fail(m, HTTP_MP_E_DELIMITER, i);
            m->state = S_EPILOGUE;
            break;
        case S_EPILOGUE:
            m->offset += n;
            return 0;
        case S_HEADER:
            if (++m->header_bytes > HTTP_MP_HEADERS_MAX)
                return fail(m, HTTP_MP_E_TOO_LARGE, i);
            if (c == '\r') {
                m->state = S_HEADER_LF;
            } else if (c == '\n' || c == '\0') {
                return fail(m, HTTP_MP_E_LINE, i);
            } else {
                if (m->nline == HTTP_MP_LINE_MAX)
                    return fail(m, HTTP_MP_E_TOO_LARGE, i);
                m->line[m->nline++] = (char)c;
            }
            break;
        case S_HEADER_LF: {
            if (c != '\n')
                return fail(m, HTTP_MP_E_LINE, i);
            int rc;
            if (m->nline) {
                if ((rc = header_line(m)) != 0)
                    return fail(m, rc, i);
                m->nline = 0;
                m->state = S_HEADER;
                break;
            }
            if (!m->saw_disposition)
                return fail(m, HTTP_MP_E_DISPOSITION, i);
            if (m->cb->part_begin && m->cb->part_begin(m->ctx, &m->part) != 0)
                return fail(m, HTTP_MP_E_ABORTED, i);
            m->state = S_BODY;
            m->match = 0;
            break;
        }
        }
        i++;
    }
    m->offset += n;
    return 0;
}

int http_mp_finish(struct http_mp *m)
{
    if (m->err)
        return m->err;
    if (m->state != S_EPILOGUE)
        return fail(m, HTTP_MP_E_TRUNCATED, 0);
    return 0;
}

int http_mp_done(const struct http_mp *m)
{
    return m->state == S_EPILOGUE;
}

const char *http_mp_error(int err)
{
    switch (err) {
    case HTTP_MP_OK:
        return "no error";
    case HTTP_MP_E_DELIMITER:
        return "a boundary line is followed by something other than a line end or \"--\"";
    case HTTP_MP_E_LINE:
        return "a part's header line is malformed (no ':', a folded line, or a line end other "
               "than CRLF)";
    case HTTP_MP_E_TOO_LARGE:
        return "a part's headers are too large (2048 bytes a line, 8192 bytes or 16 lines a "
               "part)";
    case HTTP_MP_E_DISPOSITION:
        return "a part lacks a Content-Disposition: form-data header with a field name";
    case HTTP_MP_E_TRUNCATED:
        return "the body ended before its closing boundary (truncated upload?)";
    case HTTP_MP_E_ABORTED:
        return "reading the body was stopped";
    }
    return "unknown multipart error";
}
