/*
 * quote_out.c - what `dxfquote quote` prints: each priced part as a
 * breakdown for a person or as the "price" object of --json, and the
 * totals of a quotation (subtotal, tax, total, what was written).
 *
 * Accepts parts as quote.c priced them (priced set) and totals it summed;
 * nothing is computed here but the conversion of minor units to the
 * decimal figures shown beside them.  The JSON shapes are documented in
 * docs/quote.md; amounts appear as decimal numbers in the currency (12.34)
 * and as integer minor units (1234), the exact figure.
 */
#include "quote_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ a part */

cJSON *quote_price_json(const struct quote_part *qp, const struct quote_rules *qr)
{
    const struct price_result *r = &qp->r;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "unit_price", price_units(r->unit_price, r->decimals));
    cJSON_AddNumberToObject(p, "total", price_units(r->total, r->decimals));
    cJSON_AddStringToObject(p, "currency", r->currency);
    cJSON_AddNumberToObject(p, "unit_price_minor", (double)r->unit_price);
    cJSON_AddNumberToObject(p, "total_minor", (double)r->total);
    cJSON_AddNumberToObject(p, "decimals", r->decimals);
    cJSON *lines = cJSON_AddArrayToObject(p, "lines");
    for (size_t i = 0; i < r->nlines; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "label", r->lines[i].label);
        cJSON_AddNumberToObject(l, "amount", price_units(r->lines[i].amount, r->decimals));
        cJSON_AddNumberToObject(l, "amount_minor", (double)r->lines[i].amount);
        cJSON_AddStringToObject(l, "detail", r->lines[i].detail);
        cJSON_AddItemToArray(lines, l);
    }
    cJSON *notes = cJSON_AddArrayToObject(p, "notes");
    for (size_t i = 0; i < r->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
    cJSON_AddBoolToObject(p, "needs_review", r->needs_review);
    if (r->lead_time_days >= 0)
        cJSON_AddNumberToObject(p, "lead_time_days", r->lead_time_days);
    else
        cJSON_AddNullToObject(p, "lead_time_days");
    if (qr->version > 0)
        cJSON_AddNumberToObject(p, "rules_version", (double)qr->version);
    else
        cJSON_AddNullToObject(p, "rules_version");
    cJSON_AddStringToObject(p, "rules_origin", qr->origin);
    cJSON_AddStringToObject(p, "rules_name", qr->name);
    cJSON *mj = cJSON_AddObjectToObject(p, "material");
    cJSON_AddStringToObject(mj, "name", qp->m.name);
    cJSON_AddNumberToObject(mj, "thickness_mm", qp->m.thickness_mm);
    cJSON_AddNumberToObject(p, "quantity", (double)qp->qty);
    cJSON *oj = cJSON_AddObjectToObject(p, "options");
    for (size_t i = 0; i < qp->nopts; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(oj, qp->opts[i].key);
        if (qp->opts[i].value)
            cJSON_AddStringToObject(oj, qp->opts[i].key, qp->opts[i].value);
        else
            cJSON_AddTrueToObject(oj, qp->opts[i].key);
    }
    return p;
}

void quote_print_part(const struct quote_part *qp, const struct quote_rules *qr)
{
    char amount[40];
    const struct inspection *in = &qp->in;
    const struct price_result *r = &qp->r;
    const struct geom_report *g = &in->r;
    printf("%s\n", in->path);
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
