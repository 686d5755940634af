/*
 * embed.c - turns files into one C source, so that the appliance carries its
 * web/ assets, db/ migrations and default rules/ inside the binary.
 *
 *   embed OUT.c SYMBOL BASE_DIR FILE...
 *
 * writes OUT.c defining `const struct embed_file SYMBOL[]` (core/core.h):
 * one entry per FILE, its path relative to BASE_DIR with '/' separators, the
 * bytes followed by a '\0' that len does not count, the gzip of the bytes
 * (zlib's gzip wrapper, level 9) when that is smaller, else NULL/0, and a
 * quoted strong ETag made of the first 128 bits of the SHA-256 of the bytes.
 * The table is sorted by path (strcmp order) and ends with an all-NULL entry.
 *
 * Invariants: every FILE lies inside BASE_DIR and names a regular file; no
 * two FILEs give the same path; SYMBOL is a C identifier.  The same inputs
 * give the same output bytes (the gzip header carries no time or name), and
 * the output appears atomically: it is written to OUT.c.tmp and renamed.
 * Data is written as string literals in lines of about 100 characters, which
 * compilers read quickly even for files of several megabytes.  A file over
 * EMBED_MAX_FILE bytes is refused: the appliance has no business carrying it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define EMBED_MAX_FILE (64u * 1024u * 1024u)
#define EMBED_LINE     100 /* output characters per string literal line */

struct item {
    char *rel;       /* path relative to BASE_DIR */
    const char *src; /* path as given, for messages */
    unsigned char *data;
    size_t len;
    unsigned char *gz; /* NULL when gzip is not smaller */
    size_t gz_len;
    char etag[33]; /* 32 hex digits */
};

static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs("embed: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* ---------------------------------------------------------------- SHA-256 */

/* FIPS 180-4.  Only used for ETags, so speed is not a concern. */
static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
        uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

static void sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char tail[128] = {0};
    size_t full = len / 64 * 64, rest = len - full;
    for (size_t i = 0; i < full; i += 64)
        sha_block(h, data + i);
    if (rest)
        memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8u;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
    sha_block(h, tail);
    if (tail_len == 128)
        sha_block(h, tail + 64);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

/* ------------------------------------------------------------------ input */

static int read_file(struct item *it)
{
    FILE *f = fopen(it->src, "rb");
    if (!f)
        return fail("%s: cannot open: %s", it->src, strerror(errno));
    size_t cap = 65536, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf)
        goto oom;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (ferror(f)) {
            fail("%s: read error: %s", it->src, strerror(errno));
            goto fail;
        }
        if (n > EMBED_MAX_FILE) {
            fail("%s: larger than %u bytes; embed only what the appliance serves", it->src,
                 EMBED_MAX_FILE);
            goto fail;
        }
        if (got == 0 && feof(f))
            break;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger)
                goto oom;
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    buf[n] = '\0';
    it->data = buf;
    it->len = n;
    return 0;
oom:
    fail("%s: out of memory", it->src);
fail:
    free(buf);
    fclose(f);
    return -1;
}

/* Gzip at level 9.  Leaves it->gz NULL when the result is not smaller. */
static int compress_item(struct item *it)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16 asks for the gzip wrapper; zlib writes mtime 0 and
     * no file name, so the bytes depend on the content only. */
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail("%s: deflateInit2 failed", it->src);
    uLong bound = deflateBound(&zs, (uLong)it->len);
    unsigned char *out = malloc(bound);
    if (!out) {
        deflateEnd(&zs);
        return fail("%s: out of memory", it->src);
    }
    zs.next_in = it->data;
    zs.avail_in = (uInt)it->len;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    size_t out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return fail("%s: deflate failed (%d)", it->src, rc);
    }
    if (out_len < it->len) {
        it->gz = out;
        it->gz_len = out_len;
    } else {
        free(out);
    }
    return 0;
}

/* Sets it->rel to src relative to base_real (a resolved directory). */
static int relative_path(struct item *it, const char *base_real)
{
    char *real = realpath(it->src, NULL);
    if (!real)
        return fail("%s: %s", it->src, strerror(errno));
    size_t bl = strlen(base_real);
    if (strncmp(real, base_real, bl) != 0 || real[bl] != '/' || real[bl + 1] == '\0') {
        fail("%s: not inside the base folder %s", it->src, base_real);
        free(real);
        return -1;
    }
    it->rel = strdup(real + bl + 1);
    free(real);
    if (!it->rel)
        return fail("%s: out of memory", it->src);
    return 0;
}

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->rel, ((const struct item *)b)->rel);
}

static int is_identifier(const char *s)
{
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* ----------------------------------------------------------------- output */

/* Writes bytes as adjacent string literals.  Printable ASCII goes as itself;
 * '"', '\\' and '?' (trigraphs are live in strict C11) are escaped; every
 * other byte is a three-digit octal escape, which cannot swallow the next
 * character the way a \x escape would. */
static void put_literal(FILE *f, const unsigned char *p, size_t n, const char *indent)
{
    int col = 0;
    fprintf(f, "%s\"", indent);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (col >= EMBED_LINE) {
            fputs("\"\n    \"", f);
            col = 0;
        }
        if (c == '"' || c == '\\' || c == '?') {
            fputc('\\', f);
            fputc(c, f);
            col += 2;
        } else if (c >= 0x20 && c < 0x7f) {
            fputc(c, f);
            col++;
        } else {
            fprintf(f, "\\%03o", c);
            col += 4;
            if (c == '\n' && i + 1 < n) {
                /* keep text files readable in the generated source */
                fputs("\"\n    \"", f);
                col = 0;
            }
        }
    }
    fputs("\"", f);
}

static int write_output(const char *out, const char *sym, const struct item *items, size_t n)
{
    size_t tl = strlen(out) + 5;
    char *tmp = malloc(tl);
    if (!tmp)
        return fail("out of memory");
    snprintf(tmp, tl, "%s.tmp", out);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail("%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    /* literals longer than C's portable minimum of 4095 are the point here;
     * gcc and clang both warn about them under -Wpedantic only */
    fprintf(f,
            "/* Generated by tools/embed.c: do not edit. */\n#include \"core/core.h\"\n\n"
            "#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n\n"
            "extern const struct embed_file %s[];\n\n",
            sym);
    for (size_t i = 0; i < n; i++) {
        if (!strstr(items[i].rel, "*/"))
            fprintf(f, "/* %s */\n", items[i].rel);
        fprintf(f, "static const unsigned char %s_d%zu[%zu] =\n", sym, i, items[i].len + 1);
        put_literal(f, items[i].data, items[i].len, "    ");
        fputs(";\n", f);
        if (items[i].gz) {
            /* one spare byte: the literal's '\0' then fits, for every compiler */
            fprintf(f, "static const unsigned char %s_g%zu[%zu] =\n", sym, i, items[i].gz_len + 1);
            put_literal(f, items[i].gz, items[i].gz_len, "    ");
            fputs(";\n", f);
        }
        fputc('\n', f);
    }
    fprintf(f, "const struct embed_file %s[] = {\n", sym);
    for (size_t i = 0; i < n; i++) {
        fputs("    {", f);
        put_literal(f, (const unsigned char *)items[i].rel, strlen(items[i].rel), "");
        fprintf(f, ", %s_d%zu, %zu, ", sym, i, items[i].len);
        if (items[i].gz)
            fprintf(f, "%s_g%zu, %zu, ", sym, i, items[i].gz_len);
        else
            fputs("NULL, 0, ", f);
        fprintf(f, "\"\\\"%s\\\"\"},\n", items[i].etag);
    }
    fputs("    {NULL, NULL, 0, NULL, 0, NULL},\n};\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fail("%s: write error: %s", tmp, strerror(errno));
        goto fail;
    }
    if (rename(tmp, out) != 0) {
        fail("%s: cannot rename to %s: %s", tmp, out, strerror(errno));
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    remove(tmp);
    free(tmp);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: embed OUT.c SYMBOL BASE_DIR [FILE...]\n");
        return 2;
    }
    const char *out = argv[1], *sym = argv[2];
    if (!is_identifier(sym)) {
        fail("symbol \"%s\" is not a C identifier", sym);
        return 2;
    }
    size_t n = (size_t)(argc - 4);
    struct item *items = calloc(n ? n : 1, sizeof *items);
    char *base = realpath(argv[3], NULL);
    int rc = 1;
    if (!items) {
        fail("out of memory");
        goto done;
    }
    if (!base) {
        fail("%s: %s", argv[3], strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        struct item *it = &items[i];
        it->src = argv[4 + i];
        if (relative_path(it, base) != 0 || read_file(it) != 0 || compress_item(it) != 0)
            goto done;
        unsigned char digest[32];
        sha256(it->data, it->len, digest);
        for (int j = 0; j < 16; j++)
            snprintf(it->etag + 2 * j, 3, "%02x", digest[j]);
    }
    qsort(items, n, sizeof *items, item_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(items[i - 1].rel, items[i].rel) == 0) {
            fail("%s and %s both embed as \"%s\"", items[i - 1].src, items[i].src, items[i].rel);
            goto done;
        }
    if (write_output(out, sym, items, n) == 0)
        rc = 0;
done:
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].rel);
        free(items[i].data);
        free(items[i].gz);
    }
    free(items);
    free(base);
    return rc;
}
