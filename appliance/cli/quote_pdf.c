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
 * validity_days, terms) through job_pdf_shop(), shared with the server's
 * quotations.  appliance.ini holds one line per value, so a backslash
 * followed by n in the address, the terms or --customer is a new line on
 * paper (and a doubled backslash one backslash).
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

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
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
    p->notes = job_pdf_note(a, r->needs_review, (const char *const *)r->notes, r->nnotes);
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
    if (job_pdf_shop(c, a, &q) != 0)
        goto oom;
    q.number = doc->number;
    q.date = doc->date;
    q.customer = doc->customer ? job_pdf_customer(a, doc->customer) : NULL;
    q.currency = doc->currency;
    q.currency_exp = doc->decimals;
    q.parts = pp;
    q.nparts = np;
    q.subtotal = doc->subtotal;
    q.tax_rate = doc->tax_rate;
    q.tax = doc->tax;
    q.total = doc->total;
    q.rules_version = doc->rules;
    q.deterministic = doc->deterministic;
    if (doc->customer && !q.customer)
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
