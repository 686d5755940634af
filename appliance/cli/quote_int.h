/*
 * quote_int.h - private to cli/'s quote command: one part of a quotation
 * as quote.c measured and priced it, what quote_out.c prints of it, and
 * the PDF quotation that quote_pdf.c assembles from the parts priced.
 */
#ifndef DXFQ_CLI_QUOTE_INT_H
#define DXFQ_CLI_QUOTE_INT_H

#include <cJSON.h>
#include <stdint.h>

#include "core/core.h"
#include "jobs/job.h"
#include "price/price.h"
#include "quote_rules.h"

/* One FILE argument: what it asks for (the command's defaults with its
 * FILE@key=value,... overrides applied) and, once done, what came of it.
 * Everything it points to lives in ar, or in argv, or in the command's
 * arena (options); the command frees ar when the part is no longer
 * needed. */
struct quote_part {
    const char *arg;  /* the argument as given, for messages */
    const char *path; /* the drawing */
    const char *material;
    double thickness_mm;
    long long qty;
    const char *units; /* NULL: the drawing's own */
    struct price_option *opts;
    size_t nopts;

    struct arena *ar;
    int priced;              /* 1 when in, m and r are valid */
    const char *error;       /* why it was not priced (in ar), for stderr and JSON */
    struct job_measured in;  /* the measured drawing */
    struct price_material m; /* the catalog row it was priced on */
    struct price_result r;
};

/* Everything on the quotation that is not a part. */
struct quote_doc {
    const char *number;   /* "Q-20261129-0412" */
    int64_t date;         /* midnight UTC of the quote's calendar date */
    int deterministic;    /* --date given: the same inputs give the same bytes */
    const char *customer; /* as typed; "\n" (backslash, n) starts a new line; may be NULL */
    const char *rules;    /* the rules that priced it, for the small print */
    const char *currency;
    int decimals;
    int64_t subtotal, tax, total; /* minor units */
    double tax_rate;
};

/* The parts priced and failed, and the sums of those priced. */
struct quote_totals {
    size_t priced, failed;
    struct quote_doc doc;
};

/* The "price" object of a priced part (docs/quote.md), as the server
 * writes it (job_price_json).  Caller frees it with cJSON_Delete(). */
cJSON *quote_price_json(const struct quote_part *qp, const struct quote_rules *qr);

/* A priced part's breakdown for a person, on stdout. */
void quote_print_part(const struct quote_part *qp, const struct quote_rules *qr);

/* Adds to o: priced, failed, currency, decimals, subtotal, tax_rate, tax,
 * total (each amount also as *_minor), "quotation" ({number, date, pdf}
 * when the PDF pdf was written, else null) and "png" (the preview written)
 * when png is not NULL. */
void quote_totals_json(cJSON *o, const struct quote_totals *t, const char *pdf, const char *png);

/* The same for a person, on stdout. */
void quote_print_totals(const struct quote_totals *t, const char *pdf, const char *png);

/* Writes the quotation of the priced parts among parts[0..n) to path:
 * the company, paper, margin, validity and terms from c ([company],
 * [pdf]), the rest from doc.  The file appears whole or not at all (it is
 * written beside path and renamed).  -1 with e filled on failure. */
int quote_pdf_write(const struct cfg *c, const struct quote_doc *doc,
                    const struct quote_part *parts, size_t n, const char *path, struct err *e);

/* Writes len bytes to path through a temporary file in the same folder
 * and a rename, so that a reader never sees half a file and a failure
 * leaves what was there before.  -1 with e naming the file and the
 * system's reason. */
int quote_write_file(const char *path, const unsigned char *data, size_t len, struct err *e);

#endif
