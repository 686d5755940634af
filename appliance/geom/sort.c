/*
 * sort.c - a stable radix sort of 64-bit keys, for the analysis passes
 * that group or order hundreds of thousands of items (duplicates, nesting).
 *
 * Accepts n values and scratch room for n more; sorts by the bits from
 * `lo` up, 11 bits a pass, least significant digit first, so values whose
 * sorted bits are equal keep their input order.  A pass whose digit is
 * the same in every value moves nothing and is skipped, so keys that use
 * few bits cost few passes.  Time O(n) per pass, no allocation.  The
 * key-value form sorts whole 64-bit keys with a 32-bit payload; doubles
 * become such keys through geom_sort_key(), which keeps their order.
 */
#include "geom_int.h"

#include <string.h>

#define RADIX_BITS 11
#define RADIX      (1u << RADIX_BITS)

uint64_t *geom_radix_sort(uint64_t *v, uint64_t *tmp, size_t n, int lo)
{
    static const uint64_t mask = RADIX - 1;
    uint32_t count[RADIX];
    for (int shift = lo; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(v[i] >> shift) & mask]++;
        if (n == 0 || count[(v[0] >> shift) & mask] == n)
            continue; /* one digit for all: already in order */
        uint32_t sum = 0;
        for (uint32_t d = 0; d < RADIX; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i] >> shift) & mask]++] = v[i];
        uint64_t *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

struct geom_kv *geom_radix_sort_kv(struct geom_kv *v, struct geom_kv *tmp, size_t n)
{
    static const uint64_t mask = RADIX - 1;
    uint32_t count[RADIX];
    for (int shift = 0; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(v[i].key >> shift) & mask]++;
        if (n == 0 || count[(v[0].key >> shift) & mask] == n)
            continue;
        uint32_t sum = 0;
        for (uint32_t d = 0; d < RADIX; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i].key >> shift) & mask]++] = v[i];
        struct geom_kv *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

uint64_t geom_sort_key(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}
