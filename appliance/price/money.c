/*
 * money.c - currency exponents (ISO 4217), rounding to minor units, and
 * formatting minor units back as decimals.
 *
 * Accepts three-letter uppercase codes from the table below; any other code
 * is unknown (-1), so a misspelt company.currency fails loudly instead of
 * pricing in the wrong unit.  Rounding is half away from zero with a
 * tolerance of 1e-6 minor units, so that amounts a person writes with the
 * currency's decimals round as on paper whatever their binary double.  An
 * amount must be finite and at most 2^53 minor units, where every integer
 * is still exact in a double.
 */
#include "price.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Codes sorted within each exponent; ISO 4217 list one, the currencies a
 * job shop is likely to invoice in.  Everything with 2 decimals unless
 * listed under 0 or 3. */
static const char decimals0[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
static const char decimals3[] = "BHD IQD JOD KWD LYD OMR TND";
static const char decimals2[] =
    "AED ARS AUD BAM BGN BRL BYN CAD CHF CNY COP CZK DKK DZD EGP EUR GBP GEL HKD HUF IDR ILS "
    "INR KES KZT MAD MDL MKD MXN MYR NGN NOK NZD PEN PHP PKR PLN QAR RON RSD RUB SAR SEK SGD "
    "THB TRY TWD UAH USD UYU ZAR";

static int in_list(const char *list, const char *code)
{
    for (const char *p = list; *p; p += p[3] ? 4 : 3)
        if (!strncmp(p, code, 3))
            return 1;
    return 0;
}

int price_currency_decimals(const char *code)
{
    if (!code || strlen(code) != 3)
        return -1;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return -1;
    if (in_list(decimals2, code))
        return 2;
    if (in_list(decimals0, code))
        return 0;
    if (in_list(decimals3, code))
        return 3;
    return -1;
}

static double scale_of(int decimals)
{
    double s = 1;
    for (int i = 0; i < decimals; i++)
        s *= 10;
    return s;
}

int price_round(double amount, int decimals, int64_t *minor)
{
    const double max_minor = 9007199254740992.0; /* 2^53 */
    if (!isfinite(amount))
        return -1;
    double v = fabs(amount) * scale_of(decimals);
    if (!(v <= max_minor))
        return -1;
    double r = floor(v + 0.5 + 1e-6);
    *minor = (int64_t)(amount < 0 ? -r : r);
    return 0;
}

const char *price_format(int64_t minor, int decimals, char *buf, size_t n)
{
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t unit = 1;
    for (int i = 0; i < decimals; i++)
        unit *= 10;
    if (decimals == 0)
        snprintf(buf, n, "%s%" PRIu64, minor < 0 ? "-" : "", mag);
    else
        snprintf(buf, n, "%s%" PRIu64 ".%0*" PRIu64, minor < 0 ? "-" : "", mag / unit, decimals,
                 mag % unit);
    return buf;
}

double price_units(int64_t minor, int decimals)
{
    return (double)minor / scale_of(decimals);
}
