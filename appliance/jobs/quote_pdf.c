/*
 * quote_pdf.c - a stored quote as the PDF quotation: what the server's
 * GET /api/quotes/{id}/pdf runs on a worker (job_task_run), and the shop's
 * block that `dxfquote quote --pdf` shares with it.
 *
 * The outline of each part is drawn from its stored drawing, measured
 * again here (the database keeps the figures, not the contours); its
 * price lines, unit price and total are those stored when it was priced,
 * so the paper shows exactly what the screen showed.
 *
 * Invariants: no money is computed here but the sum of the stored part
 * totals and the tax on it, rounded once as `dxfquote quote` rounds it;
 * parts that are not priced are left off the paper and counted in the
 * error when none is left.
 */
#include "job.h"

#include <stdlib.h>
#include <string.h>

/* The note under a part's name stays one short line. */
#define NOTE_MAX 160

/* s with "\n" (backslash, n) turned into a line break and "\\" into one
 * backslash (appliance.ini holds one line per value); any other backslash
 * is kept as typed.  In arena a; NULL when s is NULL or a runs out. */
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

int job_pdf_shop(const struct cfg *c, struct arena *a, struct pdf_quote *q)
{
    q->company.name = cfg_str(c, CFG_COMPANY_NAME);
    q->company.address = unescape(a, cfg_str(c, CFG_COMPANY_ADDRESS));
    q->company.phone = cfg_str(c, CFG_COMPANY_PHONE);
    q->company.email = cfg_str(c, CFG_COMPANY_EMAIL);
    q->company.tax_id = cfg_str(c, CFG_COMPANY_TAX_ID);
    q->company.logo_png = cfg_str(c, CFG_COMPANY_LOGO);
    q->validity_days = (int)cfg_int(c, CFG_PDF_VALIDITY_DAYS);
    q->terms = unescape(a, cfg_str(c, CFG_PDF_TERMS));
    q->paper = !strcmp(cfg_str(c, CFG_PDF_PAPER), "Letter") ? PDF_LETTER : PDF_A4;
    q->margin_mm = cfg_real(c, CFG_PDF_MARGIN_MM);
    return q->company.address && q->terms ? 0 : -1;
}

const char *job_pdf_customer(struct arena *a, const char *text)
{
    return unescape(a, text);
}

const char *job_pdf_note(struct arena *a, int needs_review, const char *const *notes, size_t n)
{
    const char *head = !needs_review ? "" : n ? "Needs review: " : "Needs review";
    size_t len = strlen(head);
    for (size_t i = 0; i < n; i++)
        len += strlen(notes[i]) + 2;
    if (len == 0)
        return NULL;
    char *s = arena_alloc(a, len + 4);
    if (!s)
        return NULL;
    size_t k = strlen(head);
    memcpy(s, head, k);
    for (size_t i = 0; i < n; i++) {
        size_t m = strlen(notes[i]);
        if (i) {
            memcpy(s + k, "; ", 2);
            k += 2;
        }
        memcpy(s + k, notes[i], m);
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

/* ------------------------------------------------------------ from store */

/* The customer block: the customer's name, contact, company, address,
 * e-mail and phone, one per line, from the catalog of customers when the
 * quote names one, else the name the quote carries.  NULL when there is
 * none; "" never. */
static const char *customer_block(const struct job_task_env *env, struct arena *a,
                                  const struct store_quote *q, struct err *e, int *failed)
{
    struct store_customer c;
    *failed = 0;
    int found = q->customer_id > 0 ? store_customer_get(env->db, a, q->customer_id, &c, e) : 0;
    if (found < 0) {
        *failed = 1;
        return NULL;
    }
    if (found == 0)
        return q->customer && q->customer[0] ? job_pdf_customer(a, q->customer) : NULL;
    const char *field[] = {c.name, c.contact, c.company, c.address, c.email, c.phone};
    size_t len = 1;
    for (size_t i = 0; i < sizeof field / sizeof *field; i++)
        len += field[i] ? strlen(field[i]) + 1 : 0;
    char *out = arena_alloc(a, len), *w = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < sizeof field / sizeof *field; i++) {
        if (!field[i] || !field[i][0])
            continue;
        if (w != out)
            *w++ = '\n';
        size_t n = strlen(field[i]);
        memcpy(w, field[i], n);
        w += n;
    }
    *w = '\0';
    return out;
}

struct collect {
    struct arena *a;
    struct store_part *parts;
    size_t n, cap, unpriced;
    int oom;
};

static int collect_part(const struct store_part *p, void *ctx)
{
    struct collect *cl = ctx;
    if (p->total_minor < 0 || !p->price || strcmp(p->state, "done") != 0) {
        cl->unpriced++;
        return 0;
    }
    if (cl->n == cl->cap) {
        size_t ncap = cl->cap ? cl->cap * 2 : 16;
        struct store_part *np = arena_calloc(cl->a, ncap, sizeof *np);
        if (!np) {
            cl->oom = 1;
            return 1;
        }
        if (cl->n)
            memcpy(np, cl->parts, cl->n * sizeof *np);
        cl->parts = np;
        cl->cap = ncap;
    }
    cl->parts[cl->n++] = *p;
    return 0;
}

/* The stored price JSON's lines and notes into pp. */
static int price_lines(struct arena *a, const struct store_part *sp, struct pdf_part *pp,
                       struct err *e)
{
    cJSON *price = cJSON_Parse(sp->price);
    if (!price)
        return err_set(e, "the stored price of %s is not JSON", sp->file_name);
    int rc = -1;
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(price, "lines");
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(price, "notes");
    size_t nl = (size_t)cJSON_GetArraySize(lines), nn = (size_t)cJSON_GetArraySize(notes), k = 0;
    struct pdf_line *pl = nl ? arena_calloc(a, nl, sizeof *pl) : NULL;
    const char **nt = nn ? arena_calloc(a, nn, sizeof *nt) : NULL;
    if ((nl && !pl) || (nn && !nt)) {
        err_set(e, "out of memory assembling the quotation");
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, lines)
    {
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(it, "label");
        const cJSON *amount = cJSON_GetObjectItemCaseSensitive(it, "amount_minor");
        const cJSON *detail = cJSON_GetObjectItemCaseSensitive(it, "detail");
        if (!cJSON_IsString(label) || !cJSON_IsNumber(amount)) {
            err_set(e, "the stored price of %s has a line without label or amount",
                    sp->file_name);
            goto done;
        }
        pl[k].label = arena_strdup(a, label->valuestring);
        pl[k].amount = (int64_t)amount->valuedouble;
        pl[k].detail = cJSON_IsString(detail) ? arena_strdup(a, detail->valuestring) : NULL;
        k++;
    }
    size_t kn = 0;
    cJSON_ArrayForEach(it, notes)
    {
        if (cJSON_IsString(it))
            nt[kn++] = arena_strdup(a, it->valuestring);
    }
    pp->lines = pl;
    pp->nlines = k;
    pp->notes = job_pdf_note(a, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(price, "needs_review")),
                             nt, kn);
    rc = 0;
done:
    cJSON_Delete(price);
    return rc;
}

/* The part's drawing measured again, for its outline. */
static int outline(const struct job_task_env *env, struct arena *a, const struct store_part *sp,
                   struct pdf_part *pp, struct err *e)
{
    size_t max = (size_t)cfg_int(env->c, CFG_LIMITS_UPLOAD_MB) << 20, len = 0;
    unsigned char *file = NULL;
    struct job_measured *m = arena_calloc(a, 1, sizeof *m);
    struct dxf_opts dx;
    struct geom_opts go;
    if (!m)
        return err_set(e, "out of memory assembling the quotation");
    if (job_stored_read(env->data_dir, sp->stored_path, sp->file_name, sp->size_bytes, max, NULL,
                        NULL, &file, &len, e) != 0)
        return -1;
    m->file = sp->file_name;
    job_measure_opts(env->c, NULL, sp->thickness_mm, &dx, &go);
    int rc = dxf_read_mem(a, file, len, &dx, &m->d, e);
    free(file);
    if (rc != 0) {
        err_prefix(e, "%s", sp->file_name);
        return -1;
    }
    if (job_measure_analyse(env->c, sp->thickness_mm, a, m, e) != 0)
        return -1;
    pp->curves = m->d.curves;
    pp->report = &m->r;
    return 0;
}

int job_quote_pdf(const struct job_task_env *env, int64_t quote_id, int deterministic,
                  unsigned char **buf, size_t *len, struct err *e)
{
    struct arena *a = arena_new((size_t)cfg_int(env->c, CFG_LIMITS_MEMORY_MB) << 20);
    struct store_quote sq;
    struct collect cl;
    struct pdf_quote q;
    int rc = -1;
    memset(&cl, 0, sizeof cl);
    memset(&q, 0, sizeof q);
    cl.a = a;
    if (!a)
        return err_set(e, "out of memory assembling the quotation");
    int found = store_quote_get(env->db, a, quote_id, &sq, e);
    if (found <= 0) {
        if (found == 0)
            err_set(e, "there is no quote %lld", (long long)quote_id);
        rc = found == 0 ? JOB_NOTHING : -1;
        goto done;
    }
    if (store_part_list(env->db, a, quote_id, collect_part, &cl, e) != 0)
        goto done;
    if (cl.oom)
        goto oom;
    if (cl.n == 0) {
        err_set(e,
                cl.unpriced ? "%s has no priced part yet (%zu waiting or failed): choose a "
                              "material for each part, or wait for them to be measured"
                            : "%s has no parts yet: add drawings before making its PDF",
                sq.number, cl.unpriced);
        rc = JOB_NOTHING;
        goto done;
    }
    struct pdf_part *pp = arena_calloc(a, cl.n, sizeof *pp);
    if (!pp)
        goto oom;
    int decimals = price_currency_decimals(sq.currency);
    const int64_t cap = (int64_t)1 << 53;
    int64_t subtotal = 0, tax = 0;
    for (size_t i = 0; i < cl.n; i++) {
        const struct store_part *sp = &cl.parts[i];
        pp[i].name = sp->file_name;
        pp[i].material = sp->material;
        pp[i].thickness_mm = sp->thickness_mm;
        pp[i].quantity = sp->qty;
        pp[i].unit_price = sp->unit_price_minor;
        pp[i].line_total = sp->total_minor;
        if (price_lines(a, sp, &pp[i], e) != 0 || outline(env, a, sp, &pp[i], e) != 0)
            goto done;
        if (sp->total_minor > cap - subtotal) {
            err_set(e, "%s: the total is too large to print exactly", sq.number);
            goto done;
        }
        subtotal += sp->total_minor;
    }
    double tax_rate = cfg_real(env->c, CFG_COMPANY_TAX_RATE);
    if (decimals < 0 ||
        price_round(price_units(subtotal, decimals) * tax_rate, decimals, &tax) != 0 ||
        tax > cap - subtotal) {
        err_set(e, "%s: cannot compute the tax in %s", sq.number, sq.currency);
        goto done;
    }
    if (job_pdf_shop(env->c, a, &q) != 0)
        goto oom;
    char rules[32] = "";
    if (sq.rules_version > 0)
        snprintf(rules, sizeof rules, "rules v%lld", (long long)sq.rules_version);
    else if (cl.parts[0].rules_version > 0)
        snprintf(rules, sizeof rules, "rules v%lld", (long long)cl.parts[0].rules_version);
    int customer_failed;
    q.number = sq.number;
    q.date = sq.created;
    q.customer = customer_block(env, a, &sq, e, &customer_failed);
    if (customer_failed)
        goto done;
    /* Valid until the quote's own date when it has one: the whole days
     * from its date, at least one. */
    if (sq.valid_until > sq.created)
        q.validity_days = (int)((sq.valid_until - sq.created + 86399) / 86400);
    else if (sq.valid_until == 0)
        q.validity_days = 0; /* no limit: none printed */
    q.currency = sq.currency;
    q.currency_exp = decimals;
    q.parts = pp;
    q.nparts = cl.n;
    q.subtotal = subtotal;
    q.tax_rate = tax_rate;
    q.tax = tax;
    q.total = subtotal + tax;
    q.rules_version = rules[0] ? rules : NULL;
    q.deterministic = deterministic;
    rc = pdf_write(&q, NULL, buf, len, e) == 0 ? 0 : -1;
    goto done;
oom:
    err_set(e, "out of memory assembling the quotation ([limits] memory_mb)");
done:
    arena_free(a);
    return rc;
}
