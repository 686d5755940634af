/*
 * quote_out.c - what `dxfquote quote` prints: each priced part as a
 * breakdown for a person or as the "price" object of --json, and the
 * totals of a quotation (subtotal, tax, total, what was written).
 *
 * Accepts parts as quote.c priced them (priced set) and totals it summed;
 * nothing is computed here but the conversion of minor units to the
 * decimal figures shown beside them; a part's "price" object is the job
 * system's (job_price_json), so it is the server's.  The JSON shapes are
 * documented in docs/quote.md; amounts appear as decimal numbers in the
 * currency (12.34) and as integer minor units (1234), the exact figure.
 */
#include "quote_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ a part */

cJSON *quote_price_json(const struct quote_part *qp, const struct quote_rules *qr)
{
    struct job_rules jr = {.version = qr->version, .origin = qr->origin, .name = qr->name};
    return job_price_json(&qp->r, &jr, &qp->m, qp->qty, qp->opts, qp->nopts);
}

void quote_print_part(const struct quote_part *qp, const struct quote_rules *qr)
{
    char amount[40];
    const struct job_measured *in = &qp->in;
    const struct price_result *r = &qp->r;
    const struct geom_report *g = &in->r;
    printf("%s\n", in->file);
    printf("%-14s %.3f mm cut, %zu pierces, %.3f x %.3f mm\n", "part", g->cut_length_mm, g->pierces,
           g->width_mm, g->height_mm);
    printf("%-14s %s, %g mm\n", "material", qp->m.name, qp->m.thickness_mm);
    printf("%-14s %lld\n", "quantity", qp->qty);
    printf("%-14s", "options");
    if (!qp->nopts)
        printf(" none");
    for (size_t i = 0; i < qp->nopts; i++)
        printf("%s %s%s%s", i ? "," : "", qp->opts[i].key, qp->opts[i].value ? "=" : "",
               qp->opts[i].value ? qp->opts[i].value : "");
    printf("\n%-14s %s\n\n", "rules", qr->describe);
    for (size_t i = 0; i < r->nlines; i++) {
        printf("  %-34s %14s", r->lines[i].label,
               price_format(r->lines[i].amount, r->decimals, amount, sizeof amount));
        if (r->lines[i].detail[0])
            printf("  %s", r->lines[i].detail);
        printf("\n");
    }
    printf("  %-34s %14s %s\n", "Total", price_format(r->total, r->decimals, amount, sizeof amount),
           r->currency);
    printf("  %-34s %14s %s\n\n", "Unit price",
           price_format(r->unit_price, r->decimals, amount, sizeof amount), r->currency);
    if (r->lead_time_days >= 0)
        printf("%-14s %d day%s\n", "lead time", r->lead_time_days,
               r->lead_time_days == 1 ? "" : "s");
    printf("%-14s %s\n", "needs review", r->needs_review ? "yes" : "no");
    for (size_t i = 0; i < r->nnotes; i++)
        printf("  - %s\n", r->notes[i]);
}

/* ------------------------------------------------------------------ totals */

static void add_money(cJSON *o, const char *key, int64_t minor, int decimals)
{
    char k[48];
    cJSON_AddNumberToObject(o, key, price_units(minor, decimals));
    snprintf(k, sizeof k, "%s_minor", key);
    cJSON_AddNumberToObject(o, k, (double)minor);
}

void quote_totals_json(cJSON *o, const struct quote_totals *t, const char *pdf, const char *png)
{
    const struct quote_doc *d = &t->doc;
    cJSON_AddNumberToObject(o, "priced", (double)t->priced);
    cJSON_AddNumberToObject(o, "failed", (double)t->failed);
    cJSON_AddStringToObject(o, "currency", d->currency);
    cJSON_AddNumberToObject(o, "decimals", d->decimals);
    add_money(o, "subtotal", d->subtotal, d->decimals);
    cJSON_AddNumberToObject(o, "tax_rate", d->tax_rate);
    add_money(o, "tax", d->tax, d->decimals);
    add_money(o, "total", d->total, d->decimals);
    if (pdf) {
        char date[16];
        cJSON *q = cJSON_AddObjectToObject(o, "quotation");
        cJSON_AddStringToObject(q, "number", d->number);
        time_t tt = (time_t)d->date;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        cJSON_AddStringToObject(q, "date", date);
        cJSON_AddStringToObject(q, "pdf", pdf);
    } else {
        cJSON_AddNullToObject(o, "quotation");
    }
    if (png)
        cJSON_AddStringToObject(o, "png", png);
}

void quote_print_totals(const struct quote_totals *t, const char *pdf, const char *png)
{
    const struct quote_doc *d = &t->doc;
    char amount[40];
    printf("%-14s %zu priced", "parts", t->priced);
    if (t->failed)
        printf(", %zu failed", t->failed);
    printf("\n%-14s %14s %s\n", "subtotal",
           price_format(d->subtotal, d->decimals, amount, sizeof amount), d->currency);
    char label[32];
    snprintf(label, sizeof label, "tax %.4g %%", d->tax_rate * 100);
    printf("%-14s %14s %s\n", label, price_format(d->tax, d->decimals, amount, sizeof amount),
           d->currency);
    printf("%-14s %14s %s\n", "total", price_format(d->total, d->decimals, amount, sizeof amount),
           d->currency);
    if (pdf)
        printf("%-14s %s, quotation %s\n", "pdf", pdf, d->number);
    if (png)
        printf("%-14s %s\n", "preview", png);
}
