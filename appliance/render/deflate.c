/*
 * deflate.c - a fast zlib stream for PNG previews (stb_image_write's
 * STBIW_ZLIB_COMPRESS hook).
 *
 * A preview is large flat areas, thin lines and text.  Two match candidates
 * find nearly all of its redundancy: the pixel to the left (distance 4) and
 * the same byte one row up (distance = row bytes + 1, PNG's filter byte
 * included).  The encoder tries just those two at every position, takes the
 * longer match (3 to 258 bytes), otherwise writes a literal, and codes the
 * lot with deflate's fixed Huffman tables in one final block.  That is one
 * pass over the image with no hash table: several times faster than zlib at
 * level 1, and on previews within a small factor of its size.
 *
 * Accepts any input (a row distance over deflate's 32 KB window is simply
 * not used); the output is a complete zlib stream (RFC 1950/1951) checked
 * by zlib's own adler32.  Memory: the output buffer, at most 9/8 of the
 * input plus a few bytes.
 */
#include "render_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct bits {
    unsigned char *p;
    uint64_t acc;
    int n;
};

static void put(struct bits *b, uint32_t v, int n)
{
    b->acc |= (uint64_t)v << b->n;
    b->n += n;
    while (b->n >= 8) {
        *b->p++ = (unsigned char)b->acc;
        b->acc >>= 8;
        b->n -= 8;
    }
}

/* Deflate's fixed codes (RFC 1951 3.2.6), bit-reversed because Huffman
 * codes go out most significant bit first.  Built per call: 318 entries. */
struct codes {
    uint16_t lit[288];
    uint8_t lit_n[288];
    uint8_t dist[30];
};

static uint32_t reverse(uint32_t code, int n)
{
    uint32_t r = 0;
    for (int i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    return r;
}

static void codes_init(struct codes *k)
{
    for (int s = 0; s < 288; s++) {
        uint32_t code;
        int n;
        if (s < 144)
            code = 0x30u + (uint32_t)s, n = 8;
        else if (s < 256)
            code = 0x190u + (uint32_t)(s - 144), n = 9;
        else if (s < 280)
            code = (uint32_t)(s - 256), n = 7;
        else
            code = 0xC0u + (uint32_t)(s - 280), n = 8;
        k->lit[s] = (uint16_t)reverse(code, n);
        k->lit_n[s] = (uint8_t)n;
    }
    for (int d = 0; d < 30; d++)
        k->dist[d] = (uint8_t)reverse((uint32_t)d, 5);
}

static void put_sym(struct bits *b, const struct codes *k, int s)
{
    put(b, k->lit[s], k->lit_n[s]);
}

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                       33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                       1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static void put_match(struct bits *b, const struct codes *c, int len, int dist)
{
    int k = 28;
    while (len_base[k] > len)
        k--;
    put_sym(b, c, 257 + k);
    if (len_extra[k])
        put(b, (uint32_t)(len - len_base[k]), len_extra[k]);
    int d = 29;
    while (dist_base[d] > dist)
        d--;
    put(b, c->dist[d], 5);
    if (dist_extra[d])
        put(b, (uint32_t)(dist - dist_base[d]), dist_extra[d]);
}

/* How many bytes from i on equal those dist earlier, up to max. */
static int run(const unsigned char *p, size_t i, size_t dist, int max)
{
    const unsigned char *a = p + i, *s = p + i - dist;
    int n = 0;
    while (n + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + n, 8);
        memcpy(&y, s + n, 8);
        if (x != y)
            return n + __builtin_ctzll(x ^ y) / 8;
        n += 8;
    }
    while (n < max && a[n] == s[n])
        n++;
    return n;
}

unsigned char *render_deflate(unsigned char *data, int data_len, int *out_len, int row)
{
    if (data_len < 0)
        return NULL;
    size_t n = (size_t)data_len;
    size_t cap = n + n / 8 + 64;
    unsigned char *out = render_big_alloc(cap);
    if (!out)
        return NULL;
    size_t drow = row > 0 && row + 1 <= 32768 ? (size_t)row + 1 : 0;
    struct codes k;
    codes_init(&k);
    struct bits b = {out, 0, 0};
    *b.p++ = 0x78; /* deflate, 32 KB window */
    *b.p++ = 0x01; /* fastest; (0x7801 % 31) == 0 */
    put(&b, 1, 1); /* final block */
    put(&b, 1, 2); /* fixed Huffman codes */
    size_t i = 0;
    while (i < n) {
        int max = n - i > 258 ? 258 : (int)(n - i);
        int len = 0, dist = 0;
        if (i >= 4) {
            len = run(data, i, 4, max);
            dist = 4;
        }
        if (drow && i >= drow && len < max) {
            int lr = run(data, i, drow, max);
            if (lr > len) {
                len = lr;
                dist = (int)drow;
            }
        }
        if (len >= 3) {
            put_match(&b, &k, len, dist);
            i += (size_t)len;
        } else {
            put_sym(&b, &k, data[i]);
            i++;
        }
    }
    put_sym(&b, &k, 256);
    if (b.n > 0)
        put(&b, 0, 8 - b.n);
    uLong ad = adler32(adler32(0L, Z_NULL, 0), data, (uInt)n);
    for (int sh = 24; sh >= 0; sh -= 8)
        *b.p++ = (unsigned char)(ad >> sh);
    size_t used = (size_t)(b.p - out);
    if (used > INT_MAX) {
        free(out);
        return NULL;
    }
    *out_len = (int)used;
    return out;
}
