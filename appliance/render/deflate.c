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
 * Most of the output is literals (the anti-aliased pixels along every
 * edge), so the loop is built around them: a literal costs two 3-byte
 * compares and one table look-up, and every code (a literal, or a match's
 * length, distance and extra bits together, at most 31 bits) goes into a
 * 64-bit accumulator that is stored 8 bytes at a time, unconditionally.
 * Match lengths are compared 8 bytes at a time, which reads the bytes in
 * memory order: the build is little-endian (asserted below).
 *
 * Accepts any input (a row distance over deflate's 32 KB window is simply
 * not used); the output is a complete zlib stream (RFC 1950/1951) checked
 * by zlib's own adler32.  Memory: the output buffer, at most 9/8 of the
 * input plus a few bytes (a literal is at most 9 bits).
 */
#include "render_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "deflate.c reads match lengths as little-endian words");

#define MAX_MATCH 258

/* The bit writer: codes go in least significant bit first (RFC 1951
 * 3.1.1).  After each put at most 7 bits are pending, so a put of up to
 * 57 bits always fits; the 8-byte store may run 7 bytes past the last
 * byte kept, which the buffer's slack allows. */
struct bits {
    unsigned char *p;
    uint64_t acc;
    unsigned n;
};

static inline void put(struct bits *b, uint64_t v, unsigned n)
{
    b->acc |= v << b->n;
    b->n += n;
    memcpy(b->p, &b->acc, 8);
    b->p += b->n >> 3;
    b->acc >>= b->n & ~7u;
    b->n &= 7u;
}

/* The codes of one stream: deflate's fixed literal codes (RFC 1951 3.2.6)
 * bit-reversed, because Huffman codes go out most significant bit first,
 * and each match length 3..258 as its length code plus extra bits. */
struct codes {
    uint16_t lit[256];
    uint8_t lit_n[256];
    uint32_t len[MAX_MATCH + 1]; /* length code, then its extra bits */
    uint8_t len_n[MAX_MATCH + 1];
};

static uint32_t reverse(uint32_t code, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    return r;
}

/* The fixed code of literal/length symbol s, reversed, and its length. */
static uint32_t fixed_code(int s, unsigned *n)
{
    if (s < 144)
        return *n = 8, reverse(0x30u + (uint32_t)s, 8);
    if (s < 256)
        return *n = 9, reverse(0x190u + (uint32_t)(s - 144), 9);
    if (s < 280)
        return *n = 7, reverse((uint32_t)(s - 256), 7);
    return *n = 8, reverse(0xC0u + (uint32_t)(s - 280), 8);
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

static void codes_init(struct codes *k)
{
    unsigned n;
    for (int s = 0; s < 256; s++) {
        k->lit[s] = (uint16_t)fixed_code(s, &n);
        k->lit_n[s] = (uint8_t)n;
    }
    int c = 0;
    for (int len = 3; len <= MAX_MATCH; len++) {
        while (c < 28 && len_base[c + 1] <= len)
            c++;
        uint32_t code = fixed_code(257 + c, &n);
        k->len[len] = code | (uint32_t)(len - len_base[c]) << n;
        k->len_n[len] = (uint8_t)(n + len_extra[c]);
    }
}

/* A distance's code and extra bits, and their bit count. */
static uint32_t dist_code(size_t dist, unsigned *n)
{
    int d = 29;
    while (dist_base[d] > dist)
        d--;
    *n = 5u + dist_extra[d];
    return reverse((uint32_t)d, 5) | (uint32_t)(dist - dist_base[d]) << 5;
}

/* How many bytes from a on equal those from s, up to max. */
static inline size_t run(const unsigned char *a, const unsigned char *s, size_t max)
{
    size_t n = 0;
    while (n + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + n, 8);
        memcpy(&y, s + n, 8);
        if (x != y)
            return n + (size_t)__builtin_ctzll(x ^ y) / 8;
        n += 8;
    }
    while (n < max && a[n] == s[n])
        n++;
    return n;
}

/* The first three bytes at a equal those at s. */
static inline int three(const unsigned char *a, const unsigned char *s)
{
    return a[0] == s[0] && a[1] == s[1] && a[2] == s[2];
}

/* One stream's state: the bit writer, the codes, and the two distances
 * pre-coded (drow 0: no row distance). */
struct enc {
    struct bits b;
    struct codes k;
    size_t drow;
    uint32_t d4, dr;
    unsigned n4, nr;
};

/* Codes a match of len bytes at distance 4, or at the row distance when up. */
static inline void put_match(struct enc *e, size_t len, int up)
{
    uint64_t code = e->k.len[len];
    unsigned bits = e->k.len_n[len];
    code |= (uint64_t)(up ? e->dr : e->d4) << bits;
    put(&e->b, code, bits + (up ? e->nr : e->n4));
}

/* Codes what starts at p (n bytes left, at least 3) and returns its
 * length: the longer match of the two distances, or a literal.  far says
 * the row above is in reach; the pixel to the left always is (p is 4 or
 * more bytes in). */
static inline size_t step(struct enc *e, const unsigned char *p, size_t n, int far)
{
    size_t max = n > MAX_MATCH ? MAX_MATCH : n;
    size_t len = 0;
    int up = 0;
    if (three(p, p - 4))
        len = 3 + run(p + 3, p - 1, max - 3);
    if (far && len < max && three(p, p - e->drow)) {
        size_t lr = 3 + run(p + 3, p + 3 - e->drow, max - 3);
        if (lr > len)
            len = lr, up = 1;
    }
    if (len) {
        put_match(e, len, up);
        return len;
    }
    put(&e->b, e->k.lit[*p], e->k.lit_n[*p]);
    return 1;
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
    struct enc e = {.b = {out, 0, 0}};
    e.drow = row > 0 && row + 1 <= 32768 ? (size_t)row + 1 : 0;
    codes_init(&e.k);
    e.d4 = dist_code(4, &e.n4);
    e.dr = e.drow ? dist_code(e.drow, &e.nr) : 0;
    *e.b.p++ = 0x78; /* deflate, 32 KB window */
    *e.b.p++ = 0x01; /* fastest; (0x7801 % 31) == 0 */
    put(&e.b, 3, 3); /* final block (1), fixed Huffman codes (01) */
    /* The first four bytes are literals; up to a row and a byte in, only
     * distance 4 reaches back; then both do.  The last two bytes cannot
     * start a match. */
    size_t i = 0, near = e.drow && e.drow < n ? e.drow : n;
    for (; i < 4 && i < n; i++)
        put(&e.b, e.k.lit[data[i]], e.k.lit_n[data[i]]);
    while (i < near && i + 3 <= n)
        i += step(&e, data + i, n - i, 0);
    while (i + 3 <= n)
        i += step(&e, data + i, n - i, 1);
    for (; i < n; i++)
        put(&e.b, e.k.lit[data[i]], e.k.lit_n[data[i]]);
    put(&e.b, 0, 7); /* end of block: symbol 256 is seven 0 bits */
    if (e.b.n > 0)
        put(&e.b, 0, 8 - e.b.n);
    uLong ad = adler32(adler32(0L, Z_NULL, 0), data, (uInt)n);
    for (int sh = 24; sh >= 0; sh -= 8)
        *e.b.p++ = (unsigned char)(ad >> sh);
    size_t used = (size_t)(e.b.p - out);
    if (used > INT_MAX) {
        free(out);
        return NULL;
    }
    *out_len = (int)used;
    return out;
}
