/*
 * pdf.h - the PDF quotation a shop sends to its customer.
 *
 * pdf/ turns plain structs (company, customer, parts with their measured
 * contours and prices) into a PDF with libharu and the base-14 fonts
 * Helvetica and Helvetica-Bold.  It knows nothing of SQL, HTTP, Lua or the
 * configuration file: the caller fills struct pdf_quote from wherever its
 * data lives ([company] and [pdf] in appliance.ini, the price rules, the
 * database).
 *
 * Text is UTF-8.  It is printed in WinAnsiEncoding (Windows-1252), the
 * encoding the base-14 fonts carry; a character that encoding cannot show
 * is printed as PDF_REPLACEMENT, never dropped.  Money is int64 minor units
 * (cents) with the currency's exponent and is never put through floating
 * point.
 *
 * No global state: any number of quotes may be written at once from
 * different threads.
 */
#ifndef DXFQ_PDF_H
#define DXFQ_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "geom/geom.h"

/* What a character outside Windows-1252 (or invalid UTF-8) prints as. */
#define PDF_REPLACEMENT '?'

enum pdf_paper { PDF_A4, PDF_LETTER };

/* The shop.  Every string may be NULL or "" (then it is left out) except
 * name.  address: lines separated by '\n'.  logo_png: path of a PNG printed
 * at the top left; a path that cannot be read as a PNG fails the quote. */
struct pdf_company {
    const char *name;
    const char *address;
    const char *phone;
    const char *email;
    const char *tax_id;
    const char *logo_png;
};

/* One line of a part's price breakdown, as the pricing rule returned it:
 * "Cutting", 1234 (minor units), "7.41 m at 2.00 EUR/m". detail may be NULL. */
struct pdf_line {
    const char *label;
    int64_t amount;
    const char *detail;
};

/* One row of the table. */
struct pdf_part {
    const char *name; /* file or part name */
    /* The measured drawing: curves as geom_analyse() received them and its
     * report.  Every contour of the report is drawn, closed ones filled
     * (even-odd: holes clear, islands filled), open ones in orange.
     * report NULL: no drawing and no size. */
    const struct geom_curve *curves;
    const struct geom_report *report;
    const char *material; /* may be NULL */
    double thickness_mm;  /* <= 0: not printed */
    int64_t quantity;
    int64_t unit_price;           /* minor units */
    int64_t line_total;           /* minor units, as priced (not recomputed here) */
    const struct pdf_line *lines; /* breakdown, nlines of them; may be NULL */
    size_t nlines;
    const char *notes; /* one short line under the name; may be NULL */
};

/* A whole quotation.  Totals are printed as given: pdf/ does no pricing. */
struct pdf_quote {
    struct pdf_company company;
    const char *number;   /* "Q-2026-0142" */
    int64_t date;         /* unix time of the quote; printed as a UTC date */
    int validity_days;    /* valid until date + validity_days (0: not printed) */
    const char *customer; /* the customer block, lines separated by '\n'; may be NULL */
    const char *currency; /* ISO 4217 code, "EUR" */
    int currency_exp;     /* minor-unit exponent, 0..4: 2 for EUR, 0 for JPY */
    const struct pdf_part *parts;
    size_t nparts;
    int64_t subtotal;
    double tax_rate; /* 0.20 is 20 %, printed beside the tax */
    int64_t tax;
    int64_t total;
    const char *terms;         /* paragraphs separated by '\n'; may be NULL */
    const char *rules_version; /* printed in small print; may be NULL */
    enum pdf_paper paper;
    double margin_mm; /* 5..50 */
    /* 1: the PDF depends on nothing but this struct: its creation date is
     * q->date, so the same quote gives the same bytes.  0: the creation
     * date is now.  Either way the file's /ID is the MD5 of the quote
     * number, company, creation date, part count and total: never random. */
    int deterministic;
};

/* Writes the quotation to the file at path (when path is not NULL) and/or
 * into memory (when buf is not NULL: *buf is malloc'd, *len bytes, and the
 * caller frees it with free()).  Returns 0, or -1 with e saying what failed
 * (a libharu error is named with its code, e.g. an unreadable logo or an
 * unwritable path); nothing is written to memory on failure, and a file
 * already begun is removed. */
int pdf_write(const struct pdf_quote *q, const char *path, unsigned char **buf, size_t *len,
              struct err *e);

/* Formats minor units with the exponent as "1,234.50" (exp 2), "-7" (exp
 * 0): thousands separated by ',', '.' before the decimals, exact for every
 * int64.  code not NULL: appended after a space ("1,234.50 EUR").  Always
 * terminates buf; returns the length it needed (like snprintf). */
size_t pdf_money(char *buf, size_t n, int64_t minor, int exp, const char *code);

#endif
