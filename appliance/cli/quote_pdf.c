/*
 * quote_pdf.c - the PDF quotation of `dxfquote quote ... --pdf OUT.pdf`:
 * fills pdf/'s struct pdf_quote from the configuration and the parts the
 * command priced, and writes the file whole or not at all.
 *
 * Accepts the parts as quote.c left them; only those with priced set go on
 * the quotation, in the order given, each named by its file's base name
 * and carrying its price breakdown and a short note (needs review, the
 * rules' notes).  The shop comes from [company] (name, address, phone,
 * email, tax_id, logo), the page from [pdf] (paper, margin_mm,
 * validity_days, terms).  appliance.ini holds one line per value, so a
 * backslash followed by n in the address, the terms or --customer is a new
 * line on paper (and a doubled backslash one backslash).
 *
 * Invariants: no money is computed here (totals come in doc, each part's
 * figures from its price); nothing reaches path unless the whole document
 * was made (it is written beside path and renamed over it).
 */
#include "quote_int.h"

#include "pdf/pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The note under a part's name stays one short line. */
#define NOTE_MAX 160

/* s with "\n" (backslash, n) turned into a line break and "\\" into one
 * backslash; any other backslash is kept as typed.  In arena a; NULL when
 * s is NULL or memory runs out. */
static char *unescape(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    char *out = arena_strdup(a, s), *w = out;
    if (!out)
        return NULL;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == '\\')) {
            *w++ = p[1] == 'n' ? '\n' : '\\';
            p++;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* "Needs review: open contour ...; hole smaller ..." or the notes alone,
 * cut to NOTE_MAX bytes on a character boundary with "..." to show it;
 * NULL when there is nothing to say. */
static const char *part_note(struct arena *a, const struct price_result *r)
{
    const char *head = !r->needs_review ? "" : r->nnotes ? "Needs review: " : "Needs review";
    size_t len = strlen(head);
    for (size_t i = 0; i < r->nnotes; i++)
        len += strlen(r->notes[i]) + 2;
    if (len == 0)
        return NULL;
    char *s = arena_alloc(a, len + 4);
    if (!s)
        return NULL;
    size_t k = strlen(head);
    memcpy(s, head, k);
    for (size_t i = 0; i < r->nnotes; i++) {
        size_t m = strlen(r->notes[i]);
        if (i) {
            memcpy(s + k, "; ", 2);
            k += 2;
        }
        memcpy(s + k, r->notes[i], m);
        k += m;
    }
    s[k] = '\0';
    if (k > NOTE_MAX) {
        k = NOTE_MAX - 3;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        memcpy(s + k, "...", 4);
    }
    return s;
}

static int fill_part(struct arena *a, const struct quote_part *qp, struct pdf_part *p)
{
    const struct price_result *r = &qp->r;
    struct pdf_line *lines = r->nlines ? arena_calloc(a, r->nlines, sizeof *lines) : NULL;
    if (r->nlines && !lines)
        return -1;
    for (size_t k = 0; k < r->nlines; k++) {
        lines[k].label = r->lines[k].label;
        lines[k].amount = r->lines[k].amount;
        lines[k].detail = r->lines[k].detail;
    }
    memset(p, 0, sizeof *p);
    p->name = base_name(qp->path);
    p->curves = qp->in.d.curves;
    p->report = &qp->in.r;
    p->material = qp->m.name;
    p->thickness_mm = qp->m.thickness_mm;
    p->quantity = qp->qty;
    p->unit_price = r->unit_price;
    p->line_total = r->total;
    p->lines = lines;
    p->nlines = r->nlines;
    p->notes = part_note(a, r);
    return 0;
}

int quote_pdf_write(const struct cfg *c, const struct quote_doc *doc,
                    const struct quote_part *parts, size_t n, const char *path, struct err *e)
{
    struct arena *a = arena_new(0);
    unsigned char *buf = NULL;
    size_t len = 0, np = 0;
    int rc = -1;
    struct pdf_part *pp = arena_calloc(a, n ? n : 1, sizeof *pp);
    if (!pp)
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (parts[i].priced && fill_part(a, &parts[i], &pp[np++]) != 0)
            goto oom;
    if (np == 0) {
        err_set(e, "%s: no part could be priced, so no quotation was written", path);
        goto done;
    }

    struct pdf_quote q;
    memset(&q, 0, sizeof q);
    q.company.name = cfg_str(c, CFG_COMPANY_NAME);
    q.company.address = unescape(a, cfg_str(c, CFG_COMPANY_ADDRESS));
    q.company.phone = cfg_str(c, CFG_COMPANY_PHONE);
    q.company.email = cfg_str(c, CFG_COMPANY_EMAIL);
    q.company.tax_id = cfg_str(c, CFG_COMPANY_TAX_ID);
    q.company.logo_png = cfg_str(c, CFG_COMPANY_LOGO);
    q.number = doc->number;
    q.date = doc->date;
    q.validity_days = (int)cfg_int(c, CFG_PDF_VALIDITY_DAYS);
    q.customer = doc->customer ? unescape(a, doc->customer) : NULL;
    q.currency = doc->currency;
    q.currency_exp = doc->decimals;
    q.parts = pp;
    q.nparts = np;
    q.subtotal = doc->subtotal;
    q.tax_rate = doc->tax_rate;
    q.tax = doc->tax;
    q.total = doc->total;
    q.terms = unescape(a, cfg_str(c, CFG_PDF_TERMS));
    q.rules_version = doc->rules;
    q.paper = !strcmp(cfg_str(c, CFG_PDF_PAPER), "Letter") ? PDF_LETTER : PDF_A4;
    q.margin_mm = cfg_real(c, CFG_PDF_MARGIN_MM);
    q.deterministic = doc->deterministic;
    if (!q.company.address || !q.terms || (doc->customer && !q.customer))
        goto oom;
    if (pdf_write(&q, NULL, &buf, &len, e) != 0 || quote_write_file(path, buf, len, e) != 0)
        goto done;
    rc = 0;
    goto done;
oom:
    err_set(e, "%s: out of memory assembling the quotation", path);
done:
    free(buf);
    arena_free(a);
    return rc;
}

int quote_write_file(const char *path, const unsigned char *data, size_t len, struct err *e)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return err_set(e, "%s: the path is too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return err_set(e, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w == 0)
            errno = EIO;
        if (w <= 0)
            goto fail;
        done += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    return 0;
fail:
    err_set(e, "%s: cannot write: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}
