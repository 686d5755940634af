/*
 * test_pdf.c - the quotation, checked from outside with poppler-utils
 * (pdftotext, pdfinfo) and qpdf, and its text and money helpers by hand.
 *
 * The quotes are built in code (sample.c): rectangles with holes, circles,
 * slots, an elliptic window, a spline edge, measured by geom_analyse().
 * Expected totals are worked out by hand beside each check.  The checks
 * that need poppler-utils or qpdf say so and are skipped when the tools are
 * missing (tools/deps.sh --test installs them).
 */
#include "pdf/pdf_int.h"
#include "sample.h"
#include "test.h"

#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static int have_poppler, have_qpdf;

/* ------------------------------------------------------------- helpers */

static int have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* The standard output of a shell command (caller frees), *rc its exit
 * status. */
static char *run(int *rc, const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t n = 0, cap = 4096;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2)
            s = realloc(s, cap *= 2);
    }
    s[n] = 0;
    int st = pclose(p);
    if (rc)
        *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return s;
}

static const char *tmp(const char *name)
{
    static char path[4][160];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
    return path[k];
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The page count pdfinfo reports, -1 on failure. */
static int pages(const char *path)
{
    int rc;
    char *s = run(&rc, "pdfinfo '%s' 2>&1", path);
    const char *p = s ? strstr(s, "Pages:") : NULL;
    int n = p ? atoi(p + 6) : -1;
    free(s);
    return rc == 0 ? n : -1;
}

static int qpdf_ok(const char *path)
{
    int rc;
    free(run(&rc, "qpdf --check '%s' >/dev/null 2>&1", path));
    return rc == 0;
}

static int write_sample(size_t nparts, const char *path)
{
    struct sample_quote s;
    if (sample_quote_make(&s, nparts))
        return -1;
    struct err e = {{0}};
    int rc = pdf_write(&s.q, path, NULL, NULL, &e);
    if (rc)
        fprintf(stderr, "pdf_write: %s\n", e.msg);
    sample_quote_free(&s);
    return rc;
}

/* ---------------------------------------------------- money, text, wrap */

TEST(money_formats_minor_units_exactly)
{
    char b[64];
    CHECK(pdf_money(b, sizeof b, 123450, 2, "EUR") == 12);
    CHECK_STR(b, "1,234.50 EUR");
    pdf_money(b, sizeof b, 0, 2, NULL);
    CHECK_STR(b, "0.00");
    pdf_money(b, sizeof b, -5, 2, NULL);
    CHECK_STR(b, "-0.05");
    pdf_money(b, sizeof b, 99, 2, NULL);
    CHECK_STR(b, "0.99");
    pdf_money(b, sizeof b, 100000, 2, NULL);
    CHECK_STR(b, "1,000.00");
    pdf_money(b, sizeof b, 1234567, 0, "JPY");
    CHECK_STR(b, "1,234,567 JPY");
    pdf_money(b, sizeof b, 999, 0, NULL);
    CHECK_STR(b, "999");
    pdf_money(b, sizeof b, -1234, 3, "KWD");
    CHECK_STR(b, "-1.234 KWD");
    pdf_money(b, sizeof b, 12345678, 4, NULL);
    CHECK_STR(b, "1,234.5678");
    /* the extremes of int64: 9223372036854775807 and -...808 */
    pdf_money(b, sizeof b, INT64_MAX, 2, NULL);
    CHECK_STR(b, "92,233,720,368,547,758.07");
    pdf_money(b, sizeof b, INT64_MIN, 2, NULL);
    CHECK_STR(b, "-92,233,720,368,547,758.08");
    /* truncation: returns what it needed, keeps the terminator */
    char small[6];
    CHECK(pdf_money(small, sizeof small, 123450, 2, NULL) == 8);
    CHECK_STR(small, "1,234");
}

/* libharu's WinAnsi table, as pdf_write() reads it. */
static void winansi(uint16_t uni[256])
{
    struct pdf_doc d;
    memset(&d, 0, sizeof d);
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    pdf_text_init(&d, HPDF_GetEncoder(pdf, "WinAnsiEncoding"));
    memcpy(uni, d.uni, sizeof d.uni);
    HPDF_Free(pdf);
}

TEST(utf8_goes_to_winansi_with_visible_replacements)
{
    uint16_t uni[256];
    winansi(uni);
    char out[128];
    /* Latin-1 letters keep their byte; the euro, the em dash and the
     * bullet are in 0x80..0x9F (0x80, 0x97, 0x95) */
    CHECK(pdf_conv(uni, out, sizeof out, "M\xC3\xBCller \xE2\x82\xAC \xE2\x80\x94 \xE2\x80\xA2") ==
          12);
    CHECK_STR(out, "M\xFCller \x80 \x97 \x95");
    /* Japanese (two 3-byte characters) and an emoji (one 4-byte character) */
    pdf_conv(uni, out, sizeof out, "\xE9\x83\xA8\xE5\x93\x81-A7 \xF0\x9F\x98\x80!");
    CHECK_STR(out, "?"
                   "?-A7 ?!");
    /* Greek omega is not in Windows-1252; the multiplication sign is (0xD7) */
    pdf_conv(uni, out, sizeof out,
             "\xCE\xA9 3\xC3\x97"
             "4");
    CHECK_STR(out, "? 3\xD7"
                   "4");
    /* malformed: a stray continuation byte, 0xFF, an overlong '/', a
     * surrogate, a truncated tail: one mark per byte that cannot start a
     * character */
    pdf_conv(uni, out, sizeof out,
             "a\x80"
             "b\xFF"
             "c\xC0\xAF"
             "d\xED\xA0\x80"
             "e\xE2\x82");
    CHECK_STR(out, "a?b?c??d???e??");
    /* tabs and line ends become spaces; nothing is dropped */
    pdf_conv(uni, out, sizeof out, "a\tb\r\nc");
    CHECK_STR(out, "a b  c");
    /* a short buffer still terminates and reports the full length */
    CHECK(pdf_conv(uni, out, 4, "abcdef") == 6);
    CHECK_STR(out, "abc");
}

TEST(wrap_breaks_at_spaces_and_cuts_long_words)
{
    struct pdf_font f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 256; i++)
        f.w[i] = 500; /* every glyph 5 pt wide at size 10 */
    struct pdf_span sp[4];
    int cut;
    /* 40 pt holds 8 glyphs: "aaa bbb" is 7, "aaa bbb ccc" 11 */
    CHECK(pdf_wrap(&f, 10, "aaa bbb ccc", 40, sp, 4, &cut) == 2);
    CHECK(sp[0].off == 0 && sp[0].n == 7 && sp[1].off == 8 && sp[1].n == 3 && !cut);
    CHECK(pdf_wrap(&f, 10, "aaa bbb ccc", 40, sp, 1, &cut) == 1);
    CHECK(cut);
    /* one 12-glyph word: 8, then 4 */
    CHECK(pdf_wrap(&f, 10, "aaaaaaaaaaaa", 40, sp, 4, &cut) == 2);
    CHECK(sp[0].n == 8 && sp[1].off == 8 && sp[1].n == 4);
    /* a forced break */
    CHECK(pdf_wrap(&f, 10, "ab\ncd", 40, sp, 4, &cut) == 2);
    CHECK(sp[0].n == 2 && sp[1].off == 3 && sp[1].n == 2);
    CHECK(pdf_wrap(&f, 10, "", 40, sp, 4, &cut) == 0 && !cut);
}

/* --------------------------------------------------------- the document */

TEST(memory_output_is_a_pdf_with_an_id)
{
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 3) == 0);
    unsigned char *buf = NULL;
    size_t len = 0;
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == 0);
    CHECK(buf && len > 1000);
    if (buf) {
        CHECK(memcmp(buf, "%PDF-1.", 7) == 0);
        CHECK(memcmp(buf + len - 6, "%%EOF\n", 6) == 0);
        /* both halves of the /ID are the same 16 bytes (32 hex digits) */
        const char *id = memmem(buf, len, "/ID [ <", 7);
        CHECK(id && memcmp(id + 7, id + 7 + 35, 32) == 0);
        /* the creation date is the quote's: 2026-11-28 09:30:00 UTC */
        CHECK(memmem(buf, len, "/CreationDate (D:20261128093000Z", 32) != NULL);
        CHECK(memmem(buf, len, "/Title (Quotation Q-2026-0142)", 30) != NULL);
        CHECK(memmem(buf, len, "/Author (Laserwerk Nord GmbH)", 29) != NULL);
    }
    free(buf);
    sample_quote_free(&s);
}

TEST(deterministic_mode_gives_the_same_bytes)
{
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 12) == 0);
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, NULL, &a, &na, &e) == 0);
    CHECK(pdf_write(&s.q, tmp("det.pdf"), &b, &nb, &e) == 0);
    CHECK(a && b && na == nb && memcmp(a, b, na) == 0);
    /* the file holds the same bytes */
    FILE *f = fopen(tmp("det.pdf"), "rb");
    unsigned char *c = malloc(na + 1);
    size_t nc = f ? fread(c, 1, na + 1, f) : 0;
    if (f)
        fclose(f);
    CHECK(nc == na && a && memcmp(a, c, na) == 0);
    /* another quote number: another /ID */
    s.q.number = "Q-2026-0143";
    unsigned char *d = NULL;
    size_t nd = 0;
    CHECK(pdf_write(&s.q, NULL, &d, &nd, &e) == 0);
    const char *ia = a ? memmem(a, na, "/ID [ <", 7) : NULL;
    const char *id = d ? memmem(d, nd, "/ID [ <", 7) : NULL;
    CHECK(ia && id && memcmp(ia, id, 39) != 0);
    /* not deterministic: the creation date is now, not the quote's */
    s.q.deterministic = 0;
    unsigned char *g = NULL;
    size_t ng = 0;
    CHECK(pdf_write(&s.q, NULL, &g, &ng, &e) == 0);
    CHECK(g && memmem(g, ng, "/CreationDate (D:20261128093000Z", 32) == NULL);
    free(a), free(b), free(c), free(d), free(g);
    sample_quote_free(&s);
}

TEST(three_parts_fit_one_page_with_everything_on_it)
{
    if (!have_poppler) {
        printf("skip: pdftotext/pdfinfo not installed (tools/deps.sh --test)\n");
        return;
    }
    const char *path = tmp("three.pdf");
    CHECK(write_sample(3, path) == 0);
    CHECK(pages(path) == 1);
    int rc;
    char *t = run(&rc, "pdftotext -layout '%s' -", path);
    CHECK(rc == 0 && t);
    if (!t)
        return;
    CHECK(strstr(t, "Q-2026-0142"));
    CHECK(strstr(t, "Laserwerk Nord GmbH"));
    CHECK(strstr(t, "Hafenstra\xC3\x9F"
                    "e 7"));
    CHECK(strstr(t, "DE 123 456 789"));
    CHECK(strstr(t, "M\xC3\xBCller Maschinenbau GmbH"));
    CHECK(strstr(t, "PLATE-001") && strstr(t, "BRKT-014") && strstr(t, "COVER-220"));
    /* sizes as drawn: 339 x 269, 120 x 80, 220 x 220 */
    CHECK(strstr(t, "339.0 \xC3\x97 269.0") && strstr(t, "120.0 \xC3\x97 80.0"));
    /* 2 x 48.20 + 10 x 3.85 + 4 x 21.60 = 96.40 + 38.50 + 86.40 = 221.30;
     * tax 19 % = 42.047, rounded 42.05; total 263.35 */
    CHECK(strstr(t, "96.40") && strstr(t, "38.50") && strstr(t, "86.40"));
    CHECK(strstr(t, "221.30 EUR"));
    CHECK(strstr(t, "42.05 EUR"));
    CHECK(strstr(t, "263.35 EUR"));
    CHECK(strstr(t, "Tax 19 %"));
    /* dates: 2026-11-28 and 30 days later */
    CHECK(strstr(t, "2026-11-28") && strstr(t, "2026-12-28"));
    CHECK(strstr(t, "Page 1 of 1"));
    CHECK(strstr(t, "Price breakdown") && strstr(t, "7.41 m at 2.51 EUR/m"));
    CHECK(strstr(t, "Payment 30 days net"));
    CHECK(strstr(t, "rules version 7 (2026-11-02, admin)"));
    free(t);
    if (have_qpdf)
        CHECK(qpdf_ok(path));
}

TEST(sixty_parts_repeat_the_header_on_every_page)
{
    if (!have_poppler) {
        printf("skip: pdftotext/pdfinfo not installed (tools/deps.sh --test)\n");
        return;
    }
    const char *path = tmp("sixty.pdf");
    CHECK(write_sample(60, path) == 0);
    int n = pages(path);
    /* 44 pt rows on a 757 pt high text area cannot hold 60 parts on two pages */
    CHECK(n >= 3);
    size_t seen = 0;
    for (int k = 1; k <= n; k++) {
        int rc;
        char *t = run(&rc, "pdftotext -f %d -l %d -layout '%s' -", k, k, path);
        if (!t)
            continue;
        char want[32];
        snprintf(want, sizeof want, "Page %d of %d", k, n);
        CHECK(strstr(t, want));
        /* every page with rows has the table header */
        size_t rows = count(t, "PLATE-001") + count(t, "BRKT-014") + count(t, "COVER-220") +
                      count(t, "GUSSET-03") + count(t, "PANEL-A7") + count(t, "FLANGE-50") +
                      count(t, "SHIM-010") + count(t, "VENT-12") + count(t, "TAB-6") +
                      count(t, "DOOR-B2");
        rows -= count(t, "Price breakdown") ? 3 : 0; /* the breakdown names three again */
        if (rows)
            CHECK(strstr(t, "Drawing") && strstr(t, "Unit EUR") && strstr(t, "Total EUR"));
        if (k > 1)
            CHECK(strstr(t, "(continued)"));
        seen += rows;
        free(t);
    }
    CHECK(seen == 60);
    if (have_qpdf)
        CHECK(qpdf_ok(path));
}

TEST(three_hundred_parts_finish)
{
    const char *path = tmp("many.pdf");
    double t0 = core_now();
    CHECK(write_sample(300, path) == 0);
    printf("300 parts in %.2f s\n", core_now() - t0); /* reported, not asserted */
    if (!have_poppler) {
        printf("skip: pdfinfo not installed (tools/deps.sh --test)\n");
        return;
    }
    int n = pages(path);
    CHECK(n >= 15);
    int rc;
    char *t = run(&rc, "pdftotext -f %d -l %d '%s' -", n, n, path);
    char want[32];
    snprintf(want, sizeof want, "Page %d of %d", n, n);
    CHECK(t && strstr(t, want));
    free(t);
    if (have_qpdf)
        CHECK(qpdf_ok(path));
}

TEST(non_latin_text_shows_the_replacement)
{
    if (!have_poppler) {
        printf("skip: pdftotext not installed (tools/deps.sh --test)\n");
        return;
    }
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 3) == 0);
    s.parts[0].name = "\xE9\x83\xA8\xE5\x93\x81-A7";                  /* 部品-A7 */
    s.parts[1].name = "Bracket \xF0\x9F\x98\x80 left";                /* an emoji */
    s.parts[2].material = "\xD0\xA1\xD1\x82\xD0\xB0\xD0\xBB\xD1\x8C"; /* Сталь: 5 letters */
    s.q.customer = "Kunde \xE2\x82\xAC \xCE\xA9\nZ\xC3\xBCrich";
    const char *path = tmp("intl.pdf");
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, path, NULL, NULL, &e) == 0);
    int rc;
    char *t = run(&rc, "pdftotext -layout '%s' -", path);
    CHECK(t && strstr(t, "?"
                         "?-A7"));
    CHECK(t && strstr(t, "Bracket ? left"));
    CHECK(t && strstr(t, "?????"));
    CHECK(t && strstr(t, "Kunde \xE2\x82\xAC ?")); /* the euro is in Windows-1252 */
    CHECK(t && strstr(t, "Z\xC3\xBCrich"));
    free(t);
    if (have_qpdf)
        CHECK(qpdf_ok(path));
    sample_quote_free(&s);
}

/* The words of a long name stay inside the name column.  The column runs
 * from the left margin plus the "#" and "Drawing" columns (16 + 66 pt at
 * A4 width, 510 pt) for 120 pt. */
TEST(long_names_stay_in_their_column)
{
    if (!have_poppler) {
        printf("skip: pdftotext not installed (tools/deps.sh --test)\n");
        return;
    }
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 2) == 0);
    s.parts[0].name = "Wwwwwa Wwwwwb Wwwwwc Wwwwwd Wwwwwe Wwwwwf Wwwwwg Wwwwwh Wwwwwi Wwwwwj "
                      "Wwwwwk Wwwwwl Wwwwwm Wwwwwn Wwwwwo Wwwwwp";
    s.parts[1].name = "Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    s.parts[1].material = "Extremely long material description that cannot fit two lines";
    s.parts[0].nlines = s.parts[1].nlines = 0; /* the breakdown would name them full width */
    const char *path = tmp("long.pdf");
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, path, NULL, NULL, &e) == 0);
    int rc;
    char *t = run(&rc, "pdftotext -bbox '%s' -", path);
    CHECK(t != NULL);
    double margin = 15 * 72 / 25.4, scale = (595.276 - 2 * margin) / 510;
    double x0 = margin + 82 * scale, x1 = x0 + 120 * scale;
    double m0 = margin + (16 + 66 + 120 + 64) * scale, m1 = m0 + 66 * scale;
    size_t words = 0, mats = 0;
    int ellipsis = 0;
    for (const char *p = t; p && (p = strstr(p, "<word ")); p++) {
        double a, b, c, d;
        char w[256];
        if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%255[^<]", &a, &b,
                   &c, &d, w) != 5)
            continue;
        if (w[0] == 'W' || w[0] == 'X') {
            words++;
            CHECK(a >= x0 - 0.5 && c <= x1 + 0.5);
        }
        if (strstr(w, "\xE2\x80\xA6") && a >= x0 - 0.5 && c <= x1 + 0.5)
            ellipsis++;
        if (!strcmp(w, "Extremely") || !strcmp(w, "description")) {
            mats++;
            CHECK(a >= m0 - 0.5 && c <= m1 + 0.5);
        }
    }
    CHECK(words >= 4); /* several lines of W words and the X word */
    CHECK(mats >= 1);
    CHECK(ellipsis == 2); /* what did not fit is marked, in both names */
    free(t);
    sample_quote_free(&s);
}

TEST(parts_are_vector_paths_filled_even_odd)
{
    if (!have_qpdf) {
        printf("skip: qpdf not installed (tools/deps.sh --test)\n");
        return;
    }
    const char *path = tmp("vec.pdf"), *qdf = tmp("vec.qdf");
    CHECK(write_sample(10, path) == 0);
    int rc;
    free(run(&rc, "qpdf --qdf --object-streams=disable '%s' '%s'", path, qdf));
    FILE *f = fopen(qdf, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* every one of the ten parts is one even-odd fill-and-stroke (B*); arcs
     * are Bezier curves (c); no image stands in for a drawing */
    size_t bstar = 0, curves = 0;
    for (size_t i = 0; i + 3 < n; i++) {
        if (buf[i] == '\n' && buf[i + 1] == 'B' && buf[i + 2] == '*' && buf[i + 3] == '\n')
            bstar++;
        if (buf[i] == ' ' && buf[i + 1] == 'c' && buf[i + 2] == '\n')
            curves++;
    }
    CHECK(bstar == 10);
    CHECK(curves > 100);
    CHECK(strstr(buf, "/Subtype /Image") == NULL);
}

static int write_png(const char *path, unsigned w, unsigned h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w, img.height = h, img.format = PNG_FORMAT_RGBA;
    unsigned char *px = malloc((size_t)w * h * 4);
    for (size_t i = 0; i < (size_t)w * h; i++)
        px[4 * i] = 30, px[4 * i + 1] = 60, px[4 * i + 2] = 95, px[4 * i + 3] = (i % 7) ? 255 : 0;
    int ok = png_image_write_to_file(&img, path, 0, px, 0, NULL);
    free(px);
    return ok ? 0 : -1;
}

TEST(a_logo_is_drawn)
{
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 3) == 0);
    CHECK(write_png(tmp("logo.png"), 120, 40) == 0);
    s.q.company.logo_png = tmp("logo.png");
    unsigned char *buf = NULL;
    size_t len = 0;
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == 0);
    CHECK(buf && memmem(buf, len, "/Subtype /Image", 15));
    CHECK(buf && memmem(buf, len, "/Width 120", 10) && memmem(buf, len, "/Height 40", 10));
    free(buf);
    sample_quote_free(&s);
}

TEST(failures_are_clean_errors)
{
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 3) == 0);
    unsigned char *buf = (unsigned char *)"x";
    size_t len = 7;
    struct err e = {{0}};

    /* a logo that does not exist: named, with the reason */
    s.q.company.logo_png = tmp("no-such-logo.png");
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1);
    CHECK(buf == NULL && len == 0);
    CHECK(strstr(e.msg, "no-such-logo.png") && strstr(e.msg, "No such file"));

    /* a logo that is text */
    FILE *f = fopen(tmp("text.png"), "w");
    fputs("this is not a picture\n", f);
    fclose(f);
    s.q.company.logo_png = tmp("text.png");
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1);
    CHECK(strstr(e.msg, "text.png") && strstr(e.msg, "not a PNG"));

    /* a PNG cut in half: libpng would abort inside libharu; we refuse it */
    CHECK(write_png(tmp("whole.png"), 64, 64) == 0);
    struct stat st;
    CHECK(stat(tmp("whole.png"), &st) == 0);
    CHECK(truncate(tmp("whole.png"), st.st_size / 2) == 0);
    s.q.company.logo_png = tmp("whole.png");
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1);
    CHECK(strstr(e.msg, "whole.png") && strstr(e.msg, "damaged PNG"));
    s.q.company.logo_png = NULL;

    /* libharu cannot open the output: its error, named, and no file */
    CHECK(pdf_write(&s.q, "/nonexistent-dir/q.pdf", NULL, NULL, &e) == -1);
    CHECK(strstr(e.msg, "/nonexistent-dir/q.pdf") && strstr(e.msg, "libharu error 0x1017"));
    CHECK(strstr(e.msg, "Q-2026-0142"));

    /* what the caller must give */
    s.q.number = "";
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1 && strstr(e.msg, "quote number"));
    s.q.number = "Q-1";
    s.q.currency_exp = 7;
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1 && strstr(e.msg, "exponent 7"));
    s.q.currency_exp = 2;
    s.q.margin_mm = 2;
    CHECK(pdf_write(&s.q, NULL, &buf, &len, &e) == -1 && strstr(e.msg, "margin"));
    sample_quote_free(&s);
}

TEST(letter_paper_and_wide_margins)
{
    if (!have_poppler) {
        printf("skip: pdfinfo not installed (tools/deps.sh --test)\n");
        return;
    }
    struct sample_quote s;
    CHECK(sample_quote_make(&s, 10) == 0);
    s.q.paper = PDF_LETTER;
    s.q.margin_mm = 40;
    s.q.currency = "JPY";
    s.q.currency_exp = 0;
    const char *path = tmp("letter.pdf");
    struct err e = {{0}};
    CHECK(pdf_write(&s.q, path, NULL, NULL, &e) == 0);
    int rc;
    char *t = run(&rc, "pdfinfo '%s'", path);
    CHECK(t && strstr(t, "612 x 792"));
    free(t);
    /* exponent 0: the subtotal 72420 minor units is 72,420 JPY */
    t = run(&rc, "pdftotext -layout '%s' -", path);
    CHECK(t && strstr(t, "72,420 JPY"));
    free(t);
    if (have_qpdf)
        CHECK(qpdf_ok(path));
    sample_quote_free(&s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_pdf.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    have_poppler = have("pdftotext") && have("pdfinfo");
    have_qpdf = have("qpdf");
    if (!have_poppler || !have_qpdf)
        printf("note: poppler-utils or qpdf missing: their checks are skipped "
               "(apt-get install -y poppler-utils qpdf, or tools/deps.sh --test)\n");
    RUN(money_formats_minor_units_exactly);
    RUN(utf8_goes_to_winansi_with_visible_replacements);
    RUN(wrap_breaks_at_spaces_and_cuts_long_words);
    RUN(memory_output_is_a_pdf_with_an_id);
    RUN(deterministic_mode_gives_the_same_bytes);
    RUN(three_parts_fit_one_page_with_everything_on_it);
    RUN(sixty_parts_repeat_the_header_on_every_page);
    RUN(three_hundred_parts_finish);
    RUN(non_latin_text_shows_the_replacement);
    RUN(long_names_stay_in_their_column);
    RUN(parts_are_vector_paths_filled_even_odd);
    RUN(a_logo_is_drawn);
    RUN(failures_are_clean_errors);
    RUN(letter_paper_and_wide_margins);
    /* DXFQ_KEEP=1 keeps the PDFs for a look */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("DXFQ_KEEP"))
        printf("PDFs kept in %s\n", tmpdir);
    else if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_report();
}
