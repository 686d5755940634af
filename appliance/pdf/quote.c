/*
 * quote.c - pdf_write(): the layout of a quotation and the libharu
 * document around it.
 *
 * Accepts a struct pdf_quote (pdf.h) and writes, top to bottom: the
 * company header with an optional logo and the quote's number and dates;
 * the customer block with a summary box; the table of parts, one row each
 * with its vector drawing, the table header repeated on every page it
 * runs over; the totals; the optional price breakdown; the terms and the
 * rules version.  A footer with "Page n of m" goes on every page once the
 * page count is known (libharu keeps every page's content stream open, so
 * the footers are added in a last pass).
 *
 * Invariants: nothing is drawn below the footer line or outside the
 * margins (long text is wrapped, ellipsised or, for numbers, shrunk);
 * libharu never longjmps: its error handler records the first error in the
 * document's user data and each step checks it; every allocation is in the
 * document's arena or freed on the one exit path.
 */
#include "pdf_int.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------- the style */

static const struct pdf_rgb INK = {0.13f, 0.14f, 0.16f};
static const struct pdf_rgb GREY = {0.42f, 0.45f, 0.50f};
static const struct pdf_rgb ACCENT = {0.12f, 0.23f, 0.37f};
static const struct pdf_rgb RULE = {0.84f, 0.86f, 0.89f};
static const struct pdf_rgb ZEBRA = {0.965f, 0.972f, 0.982f};
static const struct pdf_rgb WHITE = {1, 1, 1};

#define BODY       8.5  /* table and body text */
#define SMALL      7.0  /* labels, footer */
#define ROW_H      44.0 /* one part */
#define HEAD_H     18.0 /* the table header */
#define PAD        4.0  /* cell padding */
#define FOOTER_GAP 24.0 /* kept free above the bottom margin for the footer */
#define LOGO_H     40.0 /* logo height; its width follows its aspect */

/* The table's columns at their A4 widths (510 pt between 15 mm margins);
 * other widths scale them all. */
enum { C_NO, C_DRAW, C_NAME, C_SIZE, C_MAT, C_THK, C_QTY, C_UNIT, C_TOTAL, NCOL };
static const struct {
    const char *title;
    double w;
    enum pdf_align al;
} COLS[NCOL] = {
    {"#", 16, PDF_RIGHT},       {"Drawing", 66, PDF_CENTER}, {"Part", 120, PDF_LEFT},
    {"Size mm", 64, PDF_RIGHT}, {"Material", 66, PDF_LEFT},  {"Thick.", 38, PDF_RIGHT},
    {"Qty", 30, PDF_RIGHT},     {"Unit", 54, PDF_RIGHT},     {"Total", 56, PDF_RIGHT},
};

struct quote {
    struct pdf_doc d;
    double colx[NCOL + 1];                   /* left edge of each column, then the right edge */
    const char *number, *company, *currency; /* converted */
    HPDF_Image logo;
};

/* ------------------------------------------------------------------ errors */

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
    struct pdf_doc *d = user;
    if (!d->code) { /* the first error is the cause; later ones follow from it */
        d->code = code;
        d->detail = detail;
    }
}

static const char *describe(HPDF_STATUS code)
{
    switch (code) {
    case HPDF_FAILD_TO_ALLOC_MEM:
        return "out of memory";
    case HPDF_FILE_IO_ERROR:
        return "file read or write error";
    case HPDF_FILE_OPEN_ERROR:
        return "cannot open the file";
    case HPDF_INVALID_PNG_IMAGE:
    case HPDF_LIBPNG_ERROR:
        return "not a PNG image libharu can read";
    case HPDF_INVALID_DATE_TIME:
        return "invalid date";
    case HPDF_PAGE_INVALID_SIZE:
        return "invalid page size";
    case HPDF_REAL_OUT_OF_RANGE:
        return "number out of range";
    case HPDF_ZLIB_ERROR:
        return "compression failed";
    default:
        return "see libharu's hpdf_error.h";
    }
}

/* 0 while libharu has reported nothing; else fills e and returns -1. */
static int check(struct quote *Q, struct err *e, const char *step)
{
    struct pdf_doc *d = &Q->d;
    if (!d->code)
        return 0;
    if (d->code == HPDF_FILE_OPEN_ERROR || d->code == HPDF_FILE_IO_ERROR)
        return err_set(e, "quote %s: %s: libharu error 0x%04X (%s: %s)", Q->number, step,
                       (unsigned)d->code, describe(d->code), strerror((int)d->detail));
    return err_set(e, "quote %s: %s: libharu error 0x%04X (%s), detail %u", Q->number, step,
                   (unsigned)d->code, describe(d->code), (unsigned)d->detail);
}

/* --------------------------------------------------------------- drawing */

static void fill_rect(struct pdf_doc *d, struct pdf_rgb c, double x, double y, double w, double h)
{
    HPDF_Page_SetRGBFill(d->page, c.r, c.g, c.b);
    HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(d->page);
}

static void hline(struct pdf_doc *d, struct pdf_rgb c, double width, double x0, double x1, double y)
{
    HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
    HPDF_Page_SetLineWidth(d->page, (HPDF_REAL)width);
    HPDF_Page_MoveTo(d->page, (HPDF_REAL)x0, (HPDF_REAL)y);
    HPDF_Page_LineTo(d->page, (HPDF_REAL)x1, (HPDF_REAL)y);
    HPDF_Page_Stroke(d->page);
}

static int new_page(struct quote *Q)
{
    struct pdf_doc *d = &Q->d;
    HPDF_Page p = HPDF_AddPage(d->pdf);
    if (!p)
        return -1;
    HPDF_Page_SetSize(p, d->q->paper == PDF_LETTER ? HPDF_PAGE_SIZE_LETTER : HPDF_PAGE_SIZE_A4,
                      HPDF_PAGE_PORTRAIT);
    if (d->npages == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->pages = xrealloc(d->pages, d->cap * sizeof *d->pages);
    }
    d->pages[d->npages++] = p;
    d->page = p;
    d->y = d->top;
    return 0;
}

/* The slim header of every page after the first. */
static void continued_header(struct quote *Q)
{
    struct pdf_doc *d = &Q->d;
    double w = d->right - d->left;
    pdf_show_fit(d, &d->bold, 10, ACCENT, d->left, d->y - 10, w * 0.55, PDF_LEFT, Q->company);
    char buf[160];
    snprintf(buf, sizeof buf, "Quotation %s (continued)", Q->number);
    pdf_show_fit(d, &d->reg, BODY, GREY, d->right, d->y - 10, w * 0.4, PDF_RIGHT, buf);
    hline(d, ACCENT, 0.75, d->left, d->right, d->y - 16);
    d->y -= 28;
}

static int break_page(struct quote *Q)
{
    if (new_page(Q))
        return -1;
    continued_header(Q);
    return 0;
}

/* Fills e when a new page could not be started; returns -1. */
static int page_fail(struct quote *Q, struct err *e)
{
    if (!check(Q, e, "starting a page"))
        err_set(e, "quote %s: libharu could not add a page", Q->number);
    return -1;
}

/* Starts a new page when fewer than h points are left above the footer. */
static int need(struct quote *Q, double h)
{
    struct pdf_doc *d = &Q->d;
    if (d->y - h >= d->bottom + FOOTER_GAP)
        return 0;
    return break_page(Q);
}

/* ------------------------------------------------------------- the header */

static int load_logo(struct quote *Q, const char *path, struct err *e)
{
    /* libharu hands a damaged PNG to libpng with an error callback that
     * returns, and libpng then aborts the process: decode it once through
     * libpng's simplified API, which reports instead, before libharu sees
     * it. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, "company logo %s: cannot open: %s", path, strerror(errno));
    unsigned char sig[8];
    size_t got = fread(sig, 1, sizeof sig, f);
    fclose(f);
    if (got != sizeof sig || png_sig_cmp(sig, 0, sizeof sig))
        return err_set(e, "company logo %s: not a PNG file (expected the PNG signature)", path);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return err_set(e, "company logo %s: damaged PNG: %s", path, img.message);
    if (img.width == 0 || img.height == 0 || img.width > 4096 || img.height > 4096) {
        png_image_free(&img);
        return err_set(e, "company logo %s: %ux%u pixels; expected at most 4096x4096", path,
                       img.width, img.height);
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = PNG_IMAGE_SIZE(img);
    void *px = xmalloc(n);
    int ok = png_image_finish_read(&img, NULL, px, 0, NULL);
    free(px);
    if (!ok)
        return err_set(e, "company logo %s: damaged PNG: %s", path, img.message);
    Q->logo = HPDF_LoadPngImageFromFile(Q->d.pdf, path);
    if (check(Q, e, "loading the company logo"))
        return err_prefix(e, "company logo %s", path);
    return 0;
}

/* Draws lines of s (separated by '\n') from baseline y down; returns the
 * baseline after the last. */
static double show_lines(struct pdf_doc *d, const struct pdf_font *f, double size, struct pdf_rgb c,
                         double x, double y, double width, double lead, const char *s)
{
    struct pdf_span sp[12];
    int cut;
    size_t n = pdf_wrap(f, size, s, width, sp, 12, &cut);
    for (size_t i = 0; i < n; i++) {
        char line[512];
        size_t k = sp[i].n < sizeof line ? sp[i].n : sizeof line - 1;
        memcpy(line, s + sp[i].off, k);
        line[k] = 0;
        if (i == n - 1 && cut)
            strcat(line, " \x85");
        pdf_show_fit(d, f, size, c, x, y, width, PDF_LEFT, line);
        y -= lead;
    }
    return y;
}

static int first_header(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    double top = d->y, w = d->right - d->left;

    /* right: the document's title and its numbers */
    double rx = d->right, rw = 170;
    pdf_show(d, &d->bold, 20, ACCENT, rx, top - 18, PDF_RIGHT, "QUOTATION");
    char date[32], until[32];
    pdf_date(date, sizeof date, q->date);
    pdf_date(until, sizeof until, q->date + (int64_t)q->validity_days * 86400);
    const char *labels[3] = {"Quote no.", "Date", "Valid until"};
    const char *values[3] = {Q->number, date, until};
    double ry = top - 36;
    for (int i = 0; i < 3; i++) {
        if (i == 2 && q->validity_days <= 0)
            break;
        pdf_show(d, &d->reg, BODY, GREY, rx - 92, ry, PDF_RIGHT, labels[i]);
        pdf_show_fit(d, &d->bold, BODY, INK, rx, ry, 86, PDF_RIGHT, values[i]);
        ry -= 12.5;
    }

    /* left: logo, then the company */
    double lx = d->left, ly = top;
    if (Q->logo) {
        double iw = HPDF_Image_GetWidth(Q->logo), ih = HPDF_Image_GetHeight(Q->logo);
        double h = LOGO_H, lw = ih > 0 ? iw * h / ih : 0;
        if (lw > 150)
            lw = 150, h = iw > 0 ? ih * lw / iw : h;
        HPDF_Page_DrawImage(d->page, Q->logo, (HPDF_REAL)lx, (HPDF_REAL)(top - h), (HPDF_REAL)lw,
                            (HPDF_REAL)h);
        ly = top - h - 8;
    }
    double cw = w - rw - 20;
    pdf_show_fit(d, &d->bold, 15, ACCENT, lx, ly - 14, cw, PDF_LEFT, Q->company);
    ly -= 28;
    const char *addr = pdf_text_lines(d, q->company.address);
    const char *phone = pdf_text(d, q->company.phone), *mail = pdf_text(d, q->company.email);
    const char *tax = pdf_text(d, q->company.tax_id);
    if (!addr || !phone || !mail || !tax)
        return err_set(e, "quote %s: out of memory for the header text", Q->number);
    ly = show_lines(d, &d->reg, BODY, INK, lx, ly, cw, 11, addr);
    char contact[512];
    snprintf(contact, sizeof contact, "%s%s%s%s", *phone ? "Tel. " : "", phone,
             *phone && *mail ? "  \x95  " : "", mail);
    if (*contact) {
        pdf_show_fit(d, &d->reg, BODY, INK, lx, ly, cw, PDF_LEFT, contact);
        ly -= 11;
    }
    if (*tax) {
        char t[256];
        snprintf(t, sizeof t, "Tax ID %s", tax);
        pdf_show_fit(d, &d->reg, BODY, GREY, lx, ly, cw, PDF_LEFT, t);
        ly -= 11;
    }
    double bottom = fmin(ly + 11, ry + 12.5) - 10;
    hline(d, ACCENT, 1.5, d->left, d->right, bottom);
    d->y = bottom - 16;
    return check(Q, e, "drawing the header");
}

/* The customer on the left, a summary box on the right. */
static int customer_block(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    double top = d->y, bw = 180, bx = d->right - bw;
    const char *cust = pdf_text_lines(d, q->customer);
    if (!cust)
        return err_set(e, "quote %s: out of memory for the customer block", Q->number);

    pdf_show(d, &d->bold, SMALL, GREY, d->left, top - 7, PDF_LEFT, "QUOTATION FOR");
    double y = top - 20;
    if (*cust) {
        struct pdf_span sp[8];
        int cut;
        size_t n = pdf_wrap(&d->reg, 9.5, cust, bx - d->left - 20, sp, 8, &cut);
        for (size_t i = 0; i < n; i++) {
            char line[512];
            size_t k = sp[i].n < sizeof line ? sp[i].n : sizeof line - 1;
            memcpy(line, cust + sp[i].off, k);
            line[k] = 0;
            /* the first line is the customer's name */
            pdf_show_fit(d, i ? &d->reg : &d->bold, 9.5, INK, d->left, y, bx - d->left - 20,
                         PDF_LEFT, line);
            y -= 12;
        }
    } else {
        pdf_show(d, &d->reg, 9.5, GREY, d->left, y, PDF_LEFT, "-");
        y -= 12;
    }

    int64_t pieces = 0;
    for (size_t i = 0; i < q->nparts; i++)
        pieces += q->parts[i].quantity;
    double bh = 52;
    fill_rect(d, ZEBRA, bx, top - bh, bw, bh);
    fill_rect(d, ACCENT, bx, top - bh, 2.5, bh);
    pdf_show(d, &d->bold, SMALL, GREY, bx + 12, top - 13, PDF_LEFT, "TOTAL INCL. TAX");
    char money[64], line[128];
    pdf_money(money, sizeof money, q->total, q->currency_exp, Q->currency);
    pdf_show_shrink(d, &d->bold, 15, ACCENT, bx + 12, top - 31, bw - 20, PDF_LEFT, money);
    char pc[32];
    pdf_money(pc, sizeof pc, pieces, 0, NULL);
    snprintf(line, sizeof line, "%zu part%s, %s piece%s", q->nparts, q->nparts == 1 ? "" : "s", pc,
             pieces == 1 ? "" : "s");
    pdf_show_fit(d, &d->reg, SMALL, GREY, bx + 12, top - 44, bw - 20, PDF_LEFT, line);

    d->y = fmin(y + 12, top - bh) - 16;
    return check(Q, e, "drawing the customer block");
}

/* -------------------------------------------------------------- the table */

static void table_header(struct quote *Q)
{
    struct pdf_doc *d = &Q->d;
    double y = d->y;
    fill_rect(d, ACCENT, d->left, y - HEAD_H, d->right - d->left, HEAD_H);
    for (int c = 0; c < NCOL; c++) {
        double x0 = Q->colx[c] + PAD, x1 = Q->colx[c + 1] - PAD;
        double x = COLS[c].al == PDF_RIGHT ? x1 : COLS[c].al == PDF_CENTER ? (x0 + x1) / 2 : x0;
        char t[48];
        if (c == C_UNIT || c == C_TOTAL)
            snprintf(t, sizeof t, "%s %s", COLS[c].title, Q->currency);
        else
            snprintf(t, sizeof t, "%s", COLS[c].title);
        pdf_show_shrink(d, &d->bold, 7.5, WHITE, x, y - 12, x1 - x0, COLS[c].al, t);
    }
    d->y -= HEAD_H;
}

/* "3 mm", "1.5 mm", "0.75 mm": up to two decimals, no trailing zeros. */
static void thickness(char *buf, size_t n, double mm)
{
    if (!(mm > 0) || !isfinite(mm)) {
        snprintf(buf, n, "-");
        return;
    }
    snprintf(buf, n, "%.2f", mm);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf);
        while (end > dot && (end[-1] == '0' || end[-1] == '.'))
            *--end = 0;
    }
    size_t k = strlen(buf);
    snprintf(buf + k, n - k, " mm");
}

static int table_row(struct quote *Q, size_t i, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    const struct pdf_part *p = &q->parts[i];
    if (d->y - ROW_H < d->bottom + FOOTER_GAP) {
        if (break_page(Q))
            return page_fail(Q, e);
        table_header(Q);
    }
    double top = d->y, bot = top - ROW_H;
    if (i % 2)
        fill_rect(d, ZEBRA, d->left, bot, d->right - d->left, ROW_H);
    hline(d, RULE, 0.5, d->left, d->right, bot);

    const char *name = pdf_text(d, p->name), *mat = pdf_text(d, p->material);
    const char *notes = pdf_text(d, p->notes);
    if (!name || !mat || !notes)
        return err_set(e, "quote %s: out of memory for part %zu", Q->number, i + 1);
    double base = top - 14;
    char buf[96];
#define CX0(c) (Q->colx[c] + PAD)
#define CW(c)  (Q->colx[(c) + 1] - Q->colx[c] - 2 * PAD)
#define CX1(c) (Q->colx[(c) + 1] - PAD)

    snprintf(buf, sizeof buf, "%zu", i + 1);
    pdf_show_shrink(d, &d->reg, BODY, GREY, CX1(C_NO), base, CW(C_NO), PDF_RIGHT, buf);

    pdf_draw_part(d, p, CX0(C_DRAW), bot + 4, CW(C_DRAW), ROW_H - 8);

    /* the name: up to three lines, or two and the notes */
    struct pdf_span sp[3];
    int cut;
    size_t maxl = *notes ? 2 : 3;
    size_t n = pdf_wrap(&d->bold, BODY, *name ? name : "-", CW(C_NAME), sp, maxl, &cut);
    const char *nm = *name ? name : "-";
    for (size_t k = 0; k < n; k++) {
        char line[512];
        size_t len = sp[k].n < sizeof line - 1 ? sp[k].n : sizeof line - 1;
        memcpy(line, nm + sp[k].off, len);
        line[len] = 0;
        if (k == n - 1 && cut)
            strncat(line, " \x85", sizeof line - len - 1);
        pdf_show_fit(d, &d->bold, BODY, INK, CX0(C_NAME), base - 10.5 * (double)k, CW(C_NAME),
                     PDF_LEFT, line);
    }
    if (*notes)
        pdf_show_fit(d, &d->reg, SMALL, GREY, CX0(C_NAME), base - 10.5 * (double)n - 0.5,
                     CW(C_NAME), PDF_LEFT, notes);

    if (p->report) {
        snprintf(buf, sizeof buf, "%.1f \xD7 %.1f", p->report->width_mm, p->report->height_mm);
        pdf_show_shrink(d, &d->reg, BODY, INK, CX1(C_SIZE), base, CW(C_SIZE), PDF_RIGHT, buf);
    }

    struct pdf_span ms[2];
    size_t nm2 = pdf_wrap(&d->reg, BODY, mat, CW(C_MAT), ms, 2, &cut);
    for (size_t k = 0; k < nm2; k++) {
        char line[256];
        size_t len = ms[k].n < sizeof line - 4 ? ms[k].n : sizeof line - 4;
        memcpy(line, mat + ms[k].off, len);
        line[len] = 0;
        if (k == nm2 - 1 && cut)
            strcat(line, " \x85");
        pdf_show_fit(d, &d->reg, BODY, INK, CX0(C_MAT), base - 10.5 * (double)k, CW(C_MAT),
                     PDF_LEFT, line);
    }

    thickness(buf, sizeof buf, p->thickness_mm);
    pdf_show_shrink(d, &d->reg, BODY, INK, CX1(C_THK), base, CW(C_THK), PDF_RIGHT, buf);
    pdf_money(buf, sizeof buf, p->quantity, 0, NULL);
    pdf_show_shrink(d, &d->reg, BODY, INK, CX1(C_QTY), base, CW(C_QTY), PDF_RIGHT, buf);
    pdf_money(buf, sizeof buf, p->unit_price, q->currency_exp, NULL);
    pdf_show_shrink(d, &d->reg, BODY, INK, CX1(C_UNIT), base, CW(C_UNIT), PDF_RIGHT, buf);
    pdf_money(buf, sizeof buf, p->line_total, q->currency_exp, NULL);
    pdf_show_shrink(d, &d->bold, BODY, INK, CX1(C_TOTAL), base, CW(C_TOTAL), PDF_RIGHT, buf);
#undef CX0
#undef CW
#undef CX1

    d->y = bot;
    char step[64];
    snprintf(step, sizeof step, "drawing part %zu", i + 1);
    return check(Q, e, step);
}

/* ---------------------------------------------------- below the table */

static int totals(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    if (need(Q, 78))
        return page_fail(Q, e);
    double top = d->y - 8, bw = 230, x0 = d->right - bw, x1 = d->right - PAD;
    char money[64], label[64];

    pdf_show(d, &d->reg, BODY, INK, x0 + PAD, top - 12, PDF_LEFT, "Subtotal");
    pdf_money(money, sizeof money, q->subtotal, q->currency_exp, Q->currency);
    pdf_show_shrink(d, &d->reg, BODY, INK, x1, top - 12, bw * 0.6, PDF_RIGHT, money);

    /* the rate is shown, not computed with: %g of a percentage is enough */
    snprintf(label, sizeof label, "Tax %.4g %%", q->tax_rate * 100);
    pdf_show(d, &d->reg, BODY, INK, x0 + PAD, top - 27, PDF_LEFT, label);
    pdf_money(money, sizeof money, q->tax, q->currency_exp, Q->currency);
    pdf_show_shrink(d, &d->reg, BODY, INK, x1, top - 27, bw * 0.6, PDF_RIGHT, money);

    fill_rect(d, ZEBRA, x0, top - 56, bw, 22);
    hline(d, ACCENT, 1.2, x0, d->right, top - 34);
    pdf_show(d, &d->bold, 10.5, ACCENT, x0 + PAD, top - 49, PDF_LEFT, "Total");
    pdf_money(money, sizeof money, q->total, q->currency_exp, Q->currency);
    pdf_show_shrink(d, &d->bold, 10.5, ACCENT, x1, top - 49, bw * 0.7, PDF_RIGHT, money);

    char note[160], until[32];
    pdf_date(until, sizeof until, q->date + (int64_t)q->validity_days * 86400);
    if (q->validity_days > 0)
        snprintf(note, sizeof note, "All amounts in %s. This quotation is valid until %s.",
                 Q->currency, until);
    else
        snprintf(note, sizeof note, "All amounts in %s.", Q->currency);
    pdf_show_fit(d, &d->reg, SMALL, GREY, d->left, top - 12, x0 - d->left - 20, PDF_LEFT, note);
    d->y = top - 56 - 18;
    return check(Q, e, "drawing the totals");
}

static int breakdown(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    size_t any = 0;
    for (size_t i = 0; i < q->nparts; i++)
        any += q->parts[i].nlines;
    if (!any)
        return 0;
    if (need(Q, 44))
        return page_fail(Q, e);
    pdf_show(d, &d->bold, 9.5, ACCENT, d->left, d->y - 10, PDF_LEFT, "Price breakdown");
    hline(d, RULE, 0.5, d->left, d->right, d->y - 15);
    d->y -= 20;
    double amt_w = 80, lx = d->left + 14, dx = d->left + 150;
    for (size_t i = 0; i < q->nparts; i++) {
        const struct pdf_part *p = &q->parts[i];
        if (!p->nlines)
            continue;
        if (need(Q, 11 + 11 + 4))
            return page_fail(Q, e);
        char head[400], unit[64], qty[32];
        const char *name = pdf_text(d, p->name);
        if (!name)
            return err_set(e, "quote %s: out of memory for the breakdown", Q->number);
        pdf_money(unit, sizeof unit, p->unit_price, q->currency_exp, Q->currency);
        pdf_money(qty, sizeof qty, p->quantity, 0, NULL);
        snprintf(head, sizeof head, "%zu   %s   (%s \xD7 %s)", i + 1, name, qty, unit);
        pdf_show_fit(d, &d->bold, 8, INK, d->left, d->y - 9, d->right - d->left, PDF_LEFT, head);
        d->y -= 12;
        for (size_t k = 0; k < p->nlines; k++) {
            if (need(Q, 11))
                return page_fail(Q, e);
            const struct pdf_line *l = &p->lines[k];
            const char *lab = pdf_text(d, l->label), *det = pdf_text(d, l->detail);
            if (!lab || !det)
                return err_set(e, "quote %s: out of memory for the breakdown", Q->number);
            char money[64];
            pdf_show_fit(d, &d->reg, 8, INK, lx, d->y - 8.5, dx - lx - 8, PDF_LEFT, lab);
            pdf_show_fit(d, &d->reg, 7.5, GREY, dx, d->y - 8.5, d->right - amt_w - dx - 8, PDF_LEFT,
                         det);
            pdf_money(money, sizeof money, l->amount, q->currency_exp, NULL);
            pdf_show_shrink(d, &d->reg, 8, INK, d->right - PAD, d->y - 8.5, amt_w, PDF_RIGHT,
                            money);
            d->y -= 11;
        }
        hline(d, RULE, 0.4, lx, d->right, d->y - 2);
        d->y -= 6;
        if (check(Q, e, "drawing the breakdown"))
            return -1;
    }
    d->y -= 8;
    return 0;
}

static int terms(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    const char *t = pdf_text_lines(d, q->terms), *rv = pdf_text(d, q->rules_version);
    if (!t || !rv)
        return err_set(e, "quote %s: out of memory for the terms", Q->number);
    double w = d->right - d->left;
    if (*t) {
        if (need(Q, 34))
            return page_fail(Q, e);
        pdf_show(d, &d->bold, 8.5, ACCENT, d->left, d->y - 9, PDF_LEFT, "Terms");
        d->y -= 22;
        /* line by line, so a long text runs on to the next page */
        size_t len = strlen(t), off = 0;
        while (off < len) {
            struct pdf_span sp;
            int cut;
            if (pdf_wrap(&d->reg, 8, t + off, w, &sp, 1, &cut) == 0)
                break;
            if (need(Q, 10.5))
                return page_fail(Q, e);
            char line[512];
            size_t k = sp.n < sizeof line ? sp.n : sizeof line - 1;
            memcpy(line, t + off + sp.off, k);
            line[k] = 0;
            pdf_show_fit(d, &d->reg, 8, INK, d->left, d->y, w, PDF_LEFT, line);
            d->y -= 10.5;
            off += sp.off + sp.n;
            if (off < len && t[off] == '\n')
                off++;
        }
    }
    if (*rv) {
        if (need(Q, 14))
            return page_fail(Q, e);
        char s[300];
        snprintf(s, sizeof s, "Priced with rules version %s.", rv);
        pdf_show_fit(d, &d->reg, 6.5, GREY, d->left, d->y - 6, w, PDF_LEFT, s);
        d->y -= 14;
    }
    return check(Q, e, "drawing the terms");
}

static int footers(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    double y = d->bottom;
    char left[300], right[64];
    snprintf(left, sizeof left, "%s  \x95  Quotation %s", Q->company, Q->number);
    for (size_t i = 0; i < d->npages; i++) {
        d->page = d->pages[i];
        hline(d, RULE, 0.5, d->left, d->right, y + 11);
        snprintf(right, sizeof right, "Page %zu of %zu", i + 1, d->npages);
        pdf_show(d, &d->reg, SMALL, GREY, d->right, y + 2, PDF_RIGHT, right);
        pdf_show_fit(d, &d->reg, SMALL, GREY, d->left, y + 2, (d->right - d->left) * 0.7, PDF_LEFT,
                     left);
    }
    return check(Q, e, "drawing the page footers");
}

/* ---------------------------------------------------------------- document */

static int load_font(struct quote *Q, struct pdf_font *f, const char *name, struct err *e)
{
    f->f = HPDF_GetFont(Q->d.pdf, name, "WinAnsiEncoding");
    if (check(Q, e, "loading the base-14 fonts"))
        return -1;
    for (unsigned c = 0; c < 256; c++) {
        HPDF_BYTE b = (HPDF_BYTE)c;
        f->w[c] = c < 0x20 ? 0 : (float)HPDF_Font_TextWidth(f->f, &b, 1).width;
    }
    return check(Q, e, "measuring the base-14 fonts");
}

/* Title, author, creator, creation date and the file's /ID.  libharu
 * writes an /ID only when it encrypts (and then from the clock): without one
 * a reader still accepts the file, but PDF/A and some archives want it, so
 * ours is the MD5 of what identifies the quote and its creation date: the
 * same for the same quote in deterministic mode, never random.  The trailer
 * is reached through libharu's document struct (hpdf_doc.h), which both
 * its static and its Debian build expose. */
static int metadata(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    char title[300];
    snprintf(title, sizeof title, "Quotation %s", Q->number);
    HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, title);
    HPDF_SetInfoAttr(d->pdf, HPDF_INFO_AUTHOR, Q->company);
    HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "dxfquote");
    time_t t = q->deterministic ? (time_t)q->date : time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return err_set(e, "quote %s: the date %lld is out of range", Q->number, (long long)q->date);
    HPDF_Date dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                    tm.tm_sec,         'Z',           0,          0};
    HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, dt);
    if (check(Q, e, "writing the metadata"))
        return -1;

    HPDF_MD5_CTX md;
    HPDF_BYTE id[16];
    char stamp[64];
    snprintf(stamp, sizeof stamp, "|%lld|%zu|%lld|", (long long)t, q->nparts, (long long)q->total);
    HPDF_MD5Init(&md);
    HPDF_MD5Update(&md, (const HPDF_BYTE *)Q->number, (HPDF_UINT32)strlen(Q->number));
    HPDF_MD5Update(&md, (const HPDF_BYTE *)Q->company, (HPDF_UINT32)strlen(Q->company));
    HPDF_MD5Update(&md, (const HPDF_BYTE *)stamp, (HPDF_UINT32)strlen(stamp));
    HPDF_MD5Final(id, &md);
    HPDF_Array arr = HPDF_Array_New(d->pdf->mmgr);
    if (!arr || HPDF_Array_Add(arr, HPDF_Binary_New(d->pdf->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Array_Add(arr, HPDF_Binary_New(d->pdf->mmgr, id, 16)) != HPDF_OK ||
        HPDF_Dict_Add(d->pdf->trailer, "ID", arr) != HPDF_OK) {
        check(Q, e, "writing the file identifier");
        return -1;
    }
    return check(Q, e, "writing the file identifier");
}

static int validate(const struct pdf_quote *q, struct err *e)
{
    if (!q->number || !*q->number)
        return err_set(e, "PDF quote: no quote number");
    if (!q->company.name || !*q->company.name)
        return err_set(e, "quote %s: no company name ([company] name)", q->number);
    if (!q->currency || !*q->currency)
        return err_set(e, "quote %s: no currency ([company] currency)", q->number);
    if (q->currency_exp < 0 || q->currency_exp > 4)
        return err_set(e, "quote %s: currency exponent %d; expected 0 to 4", q->number,
                       q->currency_exp);
    if (!(q->margin_mm >= 5 && q->margin_mm <= 50))
        return err_set(e, "quote %s: margin %g mm; expected 5 to 50 ([pdf] margin_mm)", q->number,
                       q->margin_mm);
    if (q->nparts && !q->parts)
        return err_set(e, "quote %s: %zu parts but no part array", q->number, q->nparts);
    if (!(q->tax_rate >= 0 && q->tax_rate <= 1))
        return err_set(e, "quote %s: tax rate %g; expected 0 to 1", q->number, q->tax_rate);
    return 0;
}

static int layout(struct quote *Q, struct err *e)
{
    struct pdf_doc *d = &Q->d;
    const struct pdf_quote *q = d->q;
    HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
    if (load_font(Q, &d->reg, "Helvetica", e) || load_font(Q, &d->bold, "Helvetica-Bold", e))
        return -1;
    pdf_text_init(d, HPDF_GetEncoder(d->pdf, "WinAnsiEncoding"));
    Q->number = pdf_text(d, q->number);
    Q->company = pdf_text(d, q->company.name);
    Q->currency = pdf_text(d, q->currency);
    if (!Q->number || !Q->company || !Q->currency)
        return err_set(e, "quote %s: out of memory", q->number);
    if (metadata(Q, e))
        return -1;
    if (q->company.logo_png && *q->company.logo_png && load_logo(Q, q->company.logo_png, e))
        return err_prefix(e, "quote %s", q->number);

    if (new_page(Q))
        return page_fail(Q, e);
    d->pw = HPDF_Page_GetWidth(d->page);
    d->ph = HPDF_Page_GetHeight(d->page);
    double m = q->margin_mm * PDF_MM;
    d->left = m, d->right = d->pw - m, d->top = d->ph - m, d->bottom = m;
    d->y = d->top;
    double scale = (d->right - d->left) / 510.0;
    Q->colx[0] = d->left;
    for (int c = 0; c < NCOL; c++)
        Q->colx[c + 1] = Q->colx[c] + COLS[c].w * scale;
    Q->colx[NCOL] = d->right;

    if (first_header(Q, e) || customer_block(Q, e))
        return -1;
    table_header(Q);
    for (size_t i = 0; i < q->nparts; i++)
        if (table_row(Q, i, e))
            return -1;
    if (totals(Q, e) || breakdown(Q, e) || terms(Q, e))
        return -1;
    return footers(Q, e);
}

int pdf_write(const struct pdf_quote *q, const char *path, unsigned char **buf, size_t *len,
              struct err *e)
{
    if (buf)
        *buf = NULL;
    if (len)
        *len = 0;
    if (validate(q, e))
        return -1;
    struct quote Q;
    memset(&Q, 0, sizeof Q);
    struct pdf_doc *d = &Q.d;
    d->q = q;
    Q.number = q->number; /* for messages until it is converted */
    int rc = -1;
    d->a = arena_new(0);
    d->pdf = HPDF_New(on_error, d);
    if (!d->pdf) {
        err_set(e, "quote %s: libharu could not start a document (out of memory)", q->number);
        goto fail;
    }
    if (layout(&Q, e))
        goto fail;
    if (path) {
        HPDF_SaveToFile(d->pdf, path);
        if (check(&Q, e, "writing the file")) {
            err_prefix(e, "%s", path);
            remove(path);
            goto fail;
        }
    }
    if (buf) {
        HPDF_SaveToStream(d->pdf);
        if (check(&Q, e, "writing the document"))
            goto fail;
        HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf);
        unsigned char *out = xmalloc(size ? size : 1);
        HPDF_UINT32 got = size;
        HPDF_ReadFromStream(d->pdf, out, &got);
        if (d->code == HPDF_STREAM_EOF && got == size) /* the end, not an error */
            d->code = 0;
        if (check(&Q, e, "reading the document back") || got != size) {
            free(out);
            if (got != size)
                err_set(e, "quote %s: libharu returned %u of %u bytes", Q.number, (unsigned)got,
                        (unsigned)size);
            goto fail;
        }
        *buf = out;
        if (len)
            *len = size;
    }
    rc = 0;
fail:
    if (d->pdf)
        HPDF_Free(d->pdf);
    pdf_draw_free(d);
    free(d->pages);
    arena_free(d->a);
    return rc;
}
