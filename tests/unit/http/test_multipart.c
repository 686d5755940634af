/*
 * test_multipart.c - the streaming multipart/form-data parser
 * (http/multipart.c) and the DXF sniffing of uploads (upload.c).
 *
 * Each body is parsed whole, then again cut at every byte position, then
 * a byte at a time: the parts, their headers and their content must come
 * out the same however the body is cut (the boundary may straddle two
 * pieces).  Expectations follow RFC 2046 section 5.1.1 and RFC 7578.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "http/multipart.h"
#include "http/upload.h"

/* What the callbacks saw, as text: "[name|filename|ctype]content{}" per
 * part ("{}" marks the end). */
struct rec {
    char log[1 << 18];
    size_t n;
    size_t data_bytes;
    int abort_at_begin; /* 1: part_begin returns nonzero */
};

static void put(struct rec *r, const void *p, size_t n)
{
    if (r->n + n < sizeof r->log) {
        memcpy(r->log + r->n, p, n);
        r->n += n;
        r->log[r->n] = '\0';
    }
}

static int on_begin(void *ctx, const struct http_mp_part *p)
{
    struct rec *r = ctx;
    put(r, "[", 1);
    put(r, p->name, strlen(p->name));
    put(r, "|", 1);
    if (p->has_filename)
        put(r, p->filename, strlen(p->filename));
    else
        put(r, "-", 1);
    put(r, "|", 1);
    put(r, p->content_type, strlen(p->content_type));
    put(r, "]", 1);
    return r->abort_at_begin;
}

static int on_data(void *ctx, const void *d, size_t n)
{
    struct rec *r = ctx;
    CHECK(n > 0);
    r->data_bytes += n;
    put(r, d, n);
    return 0;
}

static int on_end(void *ctx)
{
    put(ctx, "{}", 2);
    return 0;
}

static const struct http_mp_callbacks CB = {on_begin, on_data, on_end};

/* Parses body (n bytes) fed in pieces: cut > 0 splits once there, step > 0
 * feeds step bytes at a time.  Returns the error (0 ok) and fills r. */
static int parse(const char *boundary, const char *body, size_t n, size_t cut, size_t step,
                 struct rec *r)
{
    struct http_mp m;
    memset(r, 0, sizeof *r);
    http_mp_init(&m, boundary, &CB, r);
    int rc = 0;
    if (step) {
        for (size_t i = 0; i < n && !rc; i += step)
            rc = http_mp_feed(&m, body + i, n - i < step ? n - i : step);
    } else if (cut) {
        rc = http_mp_feed(&m, body, cut);
        if (!rc)
            rc = http_mp_feed(&m, body + cut, n - cut);
    } else {
        rc = http_mp_feed(&m, body, n);
    }
    if (!rc)
        rc = http_mp_finish(&m);
    return rc;
}

/* Parses body every way; each must give err and (when err is 0) log. */
static void expect(const char *boundary, const char *body, size_t n, int err, const char *log)
{
    static struct rec whole, r;
    int rc = parse(boundary, body, n, 0, 0, &whole);
    CHECK(rc == err);
    if (rc != err)
        fprintf(stderr, "  body %.60s: error %d (%s), want %d\n", body, rc, http_mp_error(rc),
                err);
    if (!err && log) {
        CHECK_STR(whole.log, log);
    }
    CHECK(whole.data_bytes <= n);
    for (size_t cut = 1; cut < n; cut++) {
        int rc2 = parse(boundary, body, n, cut, 0, &r);
        CHECK(rc2 == err);
        if (!err && strcmp(r.log, whole.log) != 0) {
            fprintf(stderr, "  cut at %zu: %s\n", cut, r.log);
            CHECK(0);
            return;
        }
    }
    for (size_t step = 1; step <= 3; step++) {
        CHECK(parse(boundary, body, n, 0, step, &r) == err);
        if (!err)
            CHECK_STR(r.log, whole.log);
    }
}

#define EXPECT(b, body, err, log) expect(b, body, sizeof(body) - 1, err, log)

TEST(two_parts)
{
    EXPECT("XyZ",
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"material\"\r\n\r\n"
           "Mild steel\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"file\"; filename=\"a.dxf\"\r\n"
           "Content-Type: application/dxf\r\n\r\n"
           "0\r\nSECTION\r\n\r\n"
           "--XyZ--\r\n",
           0, "[material|-|]Mild steel{}[file|a.dxf|application/dxf]0\r\nSECTION\r\n{}");
}

TEST(boundary_like_content)
{
    /* Prefixes of the delimiter, dashes, CRs and the boundary without its
     * CRLF are all content. */
    EXPECT("XyZ",
           "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
           "a\r\n--Xy b\r\n- c\r\r\n--X\r\r\n\r\n--XyY --XyZ\n--XyZ\r\r"
           "\r\n--XyZ--",
           0, "[f|-|]a\r\n--Xy b\r\n- c\r\r\n--X\r\r\n\r\n--XyY --XyZ\n--XyZ\r\r{}");
    /* Content ending in CR, then the delimiter: the CR is content. */
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\r\n--b--", 0,
           "[f|-|]x\r{}");
    /* The boundary inside content followed by other text: malformed. */
    EXPECT("XyZ",
           "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
           "a\r\n--XyZW\r\n--XyZ--",
           HTTP_MP_E_DELIMITER, NULL);
}

TEST(empty_and_crlf_content)
{
    EXPECT("b",
           "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n"
           "--b\r\nContent-Disposition: form-data; name=c\r\n\r\n\r\n\r\n--b--",
           0, "[a|-|]{}[c|-|]\r\n{}");
}

TEST(preamble_padding_epilogue)
{
    EXPECT("b",
           "This is the preamble.\r\n--b  \t\r\n"
           "Content-Disposition: form-data; name=a\r\n\r\n1\r\n--b-- \r\n"
           "epilogue --b\r\n garbage",
           0, "[a|-|]1{}");
    /* A preamble that is not a line of its own is still a preamble. */
    EXPECT("b", "junk--b\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--b--",
           0, "[a|-|]2{}");
    /* No parts at all. */
    EXPECT("b", "--b--", 0, "");
}

TEST(truncated)
{
    EXPECT("b", "", HTTP_MP_E_TRUNCATED, NULL);
    EXPECT("b", "preamble only", HTTP_MP_E_TRUNCATED, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n",
           HTTP_MP_E_TRUNCATED, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b",
           HTTP_MP_E_TRUNCATED, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b-",
           HTTP_MP_E_TRUNCATED, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\n", HTTP_MP_E_TRUNCATED,
           NULL);
}

TEST(malformed_delimiter)
{
    EXPECT("b", "--bx\r\n", HTTP_MP_E_DELIMITER, NULL);
    EXPECT("b", "--b\n", HTTP_MP_E_DELIMITER, NULL); /* bare LF */
    EXPECT("b", "--b\rx", HTTP_MP_E_DELIMITER, NULL);
    EXPECT("b", "--b-x", HTTP_MP_E_DELIMITER, NULL);
    EXPECT("b", "--b \tx", HTTP_MP_E_DELIMITER, NULL);
}

TEST(headers)
{
    EXPECT("b", "--b\r\ncontent-disposition:FORM-DATA;NAME=\"a\";  FileName=\"x y.dxf\"\r\n"
                "X-Other: ignored\r\ncontent-type:  text/plain  \r\n\r\nv\r\n--b--",
           0, "[a|x y.dxf|text/plain]v{}");
    /* filename* wins over filename; \" is a quote; other backslashes stay. */
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"plain.dxf\"; "
                "filename*=UTF-8''%E2%82%AC%20x.dxf\r\n\r\n\r\n--b--",
           0, "[f|\xe2\x82\xac x.dxf|]{}");
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\\\"b.dxf\"\r\n"
                "\r\n\r\n--b--",
           0, "[f|a\"b.dxf|]{}");
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                "filename=\"C:\\x\\..\\y.dxf\"\r\n\r\n\r\n--b--",
           0, "[f|C:\\x\\..\\y.dxf|]{}");
    /* filename* in another charset or malformed: ignored. */
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=f; filename=a.dxf; "
                "filename*=ISO-8859-1''%E4.dxf; filename*=UTF-8''%G1\r\n\r\n\r\n--b--",
           0, "[f|a.dxf|]{}");
    /* An empty filename is still a file field. */
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=f; filename=\"\"\r\n\r\n\r\n--b--",
           0, "[f||]{}");
}

TEST(bad_headers)
{
    EXPECT("b", "--b\r\n\r\nv\r\n--b--", HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--b--",
           HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--b--",
           HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; filename=a\r\n\r\nv\r\n--b--",
           HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--",
           HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: "
                "form-data; name=c\r\n\r\nv\r\n--b--",
           HTTP_MP_E_DISPOSITION, NULL);
    EXPECT("b", "--b\r\nContent-Disposition form-data; name=a\r\n\r\nv\r\n--b--",
           HTTP_MP_E_LINE, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\n\r\nv\r\n--b--",
           HTTP_MP_E_LINE, NULL);
    EXPECT("b", "--b\r\nContent-Disposition: form-data; name=a\r\r\nv\r\n--b--",
           HTTP_MP_E_LINE, NULL);
    EXPECT("b", "--b\r\nX-A: 1\r\n folded\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--b--",
           HTTP_MP_E_LINE, NULL); /* folded */
}

TEST(header_limits)
{
    static char body[HTTP_MP_HEADERS_MAX * 2];
    size_t n = 0;
    n += (size_t)sprintf(body + n, "--b\r\nX-Long: ");
    memset(body + n, 'a', HTTP_MP_LINE_MAX);
    n += HTTP_MP_LINE_MAX;
    n += (size_t)sprintf(body + n, "\r\n\r\n--b--");
    static struct rec r;
    CHECK(parse("b", body, n, 0, 0, &r) == HTTP_MP_E_TOO_LARGE);
    CHECK(parse("b", body, n, 0, 7, &r) == HTTP_MP_E_TOO_LARGE);

    n = (size_t)sprintf(body, "--b\r\n");
    for (int i = 0; i < HTTP_MP_HEADER_COUNT; i++)
        n += (size_t)sprintf(body + n, "X-%d: 1\r\n", i);
    n += (size_t)sprintf(body + n, "Content-Disposition: form-data; name=a\r\n\r\nv\r\n--b--");
    CHECK(parse("b", body, n, 0, 0, &r) == HTTP_MP_E_TOO_LARGE);

    /* Within the limits: 15 other headers and the disposition. */
    n = (size_t)sprintf(body, "--b\r\n");
    for (int i = 0; i < HTTP_MP_HEADER_COUNT - 1; i++)
        n += (size_t)sprintf(body + n, "X-%d: 1\r\n", i);
    n += (size_t)sprintf(body + n, "Content-Disposition: form-data; name=a\r\n\r\nv\r\n--b--");
    CHECK(parse("b", body, n, 0, 0, &r) == 0);
    CHECK_STR(r.log, "[a|-|]v{}");

    /* A name of 256 bytes does not fit. */
    n = (size_t)sprintf(body, "--b\r\nContent-Disposition: form-data; name=");
    memset(body + n, 'n', HTTP_MP_NAME_MAX);
    n += HTTP_MP_NAME_MAX;
    n += (size_t)sprintf(body + n, "\r\n\r\nv\r\n--b--");
    CHECK(parse("b", body, n, 0, 0, &r) == HTTP_MP_E_TOO_LARGE);
}

TEST(abort_is_sticky)
{
    struct http_mp m;
    static struct rec r;
    memset(&r, 0, sizeof r);
    r.abort_at_begin = 1;
    static const char body[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--b--";
    http_mp_init(&m, "b", &CB, &r);
    CHECK(http_mp_feed(&m, body, sizeof body - 1) == HTTP_MP_E_ABORTED);
    CHECK(http_mp_feed(&m, "x", 1) == HTTP_MP_E_ABORTED);
    CHECK(http_mp_finish(&m) == HTTP_MP_E_ABORTED);
    CHECK(!http_mp_done(&m));
    CHECK(strstr(http_mp_error(HTTP_MP_E_TRUNCATED), "truncated") != NULL);
}

TEST(large_content_split)
{
    /* 100 000 bytes of CRLF-rich content with delimiter prefixes, fed in
     * pieces of 1..4099 bytes: the content comes back byte for byte. */
    size_t len = 100000;
    char *content = malloc(len), *body = malloc(len + 200);
    for (size_t i = 0; i < len; i++)
        content[i] = "\r\n-bXq"[(i * 7 + i / 13) % 6];
    size_t n = (size_t)sprintf(body, "--bXqZ\r\nContent-Disposition: form-data; name=f\r\n\r\n");
    size_t at = n;
    memcpy(body + n, content, len);
    n += len;
    n += (size_t)sprintf(body + n, "\r\n--bXqZ--");
    static const size_t steps[] = {1, 2, 5, 64, 4099};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        static struct rec r;
        CHECK(parse("bXqZ", body, n, 0, steps[s], &r) == 0);
        CHECK(r.data_bytes == len);
        CHECK(r.n == 1 + 1 + 2 + 2 + len + 2 && !memcmp(r.log + 6, body + at, len));
    }
    free(content);
    free(body);
}

TEST(boundary_param)
{
    char b[HTTP_MP_BOUNDARY_MAX + 1];
    CHECK(http_mp_boundary("multipart/form-data; boundary=abc", b) == 0);
    CHECK_STR(b, "abc");
    CHECK(http_mp_boundary("Multipart/Form-Data;charset=utf-8;BOUNDARY=\"a b'()+_,-./:=?\"",
                           b) == 0);
    CHECK_STR(b, "a b'()+_,-./:=?");
    CHECK(http_mp_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk", b) ==
          0);
    CHECK_STR(b, "----WebKitFormBoundary7MA4YWxk");
    CHECK(http_mp_boundary("multipart/form-data;boundary=x ; other=1", b) == 0);
    CHECK_STR(b, "x");
    CHECK(http_mp_boundary("application/json", b) == -1);
    CHECK(http_mp_boundary("multipart/mixed; boundary=x", b) == -1);
    CHECK(http_mp_boundary("multipart/form-datax; boundary=x", b) == -1);
    CHECK(http_mp_boundary(NULL, b) == -1);
    CHECK(http_mp_boundary("multipart/form-data", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=\"\"", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=\"ab \"", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=\"ab", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=a\rb", b) == -2);
    CHECK(http_mp_boundary("multipart/form-data; boundary=a<b", b) == -2);
    char long_b[200];
    int k = sprintf(long_b, "multipart/form-data; boundary=");
    memset(long_b + k, 'a', 70);
    long_b[k + 70] = '\0';
    CHECK(http_mp_boundary(long_b, b) == 0 && strlen(b) == 70);
    long_b[k + 70] = 'a';
    long_b[k + 71] = '\0';
    CHECK(http_mp_boundary(long_b, b) == -2);
}

/* Sniffs a string literal (embedded NULs included). */
#define SNIFF(lit, complete) http_upload_sniff(lit, sizeof(lit) - 1, complete, &what)

TEST(sniff)
{
    const char *what;
    CHECK(SNIFF("AutoCAD Binary DXF\r\n\x1a\0\x00\x00", 1) == 2);
    CHECK(SNIFF("  0\r\nSECTION\r\n", 1) == 1);
    CHECK(SNIFF("\xef\xbb\xbf\r\n999\ndxflib 3.26\n0\nSECTION\n", 1) == 1);
    CHECK(SNIFF("0\nSECTION", 0) == 1);
    CHECK(SNIFF("", 1) == 0 && strstr(what, "empty"));
    CHECK(SNIFF("\x89PNG\r\n\x1a\n", 1) == 0 && strstr(what, "PNG"));
    CHECK(SNIFF("%PDF-1.4\n", 1) == 0 && strstr(what, "PDF"));
    CHECK(SNIFF("PK\x03\x04zz", 1) == 0 && strstr(what, "ZIP"));
    CHECK(SNIFF("AC1015\0\0", 1) == 0 && strstr(what, "DWG"));
    CHECK(SNIFF("0\nSECTION\n\0", 1) == 0 && strstr(what, "binary"));
    CHECK(SNIFF("hello world\n", 1) == 0 && strstr(what, "group code"));
    CHECK(SNIFF(" \r\n\t\n", 1) == 0 && strstr(what, "blank"));
    CHECK(SNIFF("0\n", 1) == 0 && strstr(what, "first line"));
    CHECK(SNIFF("0", 1) == 0);
    CHECK(SNIFF("99999\nx\n", 1) == 0);
    CHECK(SNIFF("1072\nx\n", 1) == 0);
    CHECK(SNIFF("AutoCAD Binary DXF\n", 1) == 0 && strstr(what, "damaged"));
}

int main(void)
{
    RUN(two_parts);
    RUN(boundary_like_content);
    RUN(empty_and_crlf_content);
    RUN(preamble_padding_epilogue);
    RUN(truncated);
    RUN(malformed_delimiter);
    RUN(headers);
    RUN(bad_headers);
    RUN(header_limits);
    RUN(abort_is_sticky);
    RUN(large_content_split);
    RUN(boundary_param);
    RUN(sniff);
    return test_report();
}
