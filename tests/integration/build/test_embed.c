/*
 * test_embed.c - round trip through tools/embed.c: the files written by
 * gen_fixtures.c come back byte for byte, with a trailing '\0', a gzip that
 * inflates to the same bytes, an ETag equal to the first 128 bits of the
 * SHA-256 published in FIPS 180-4 for the test vectors, and a table sorted
 * by strcmp and ended by a NULL entry.
 */
#include "test.h"

#include "core/core.h"

#include <stdlib.h>
#include <zlib.h>

extern const struct embed_file embed_fixture[];

static const struct embed_file *find(const char *path)
{
    for (const struct embed_file *f = embed_fixture; f->path; f++)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}

/* Inflates a gzip member; returns 1 when it gives exactly want/n. */
static int gunzip_equals(const unsigned char *gz, size_t gz_len, const unsigned char *want,
                         size_t n)
{
    unsigned char *out = malloc(n + 1);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (!out || inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(out);
        return 0;
    }
    zs.next_in = (unsigned char *)(uintptr_t)gz;
    zs.avail_in = (uInt)gz_len;
    zs.next_out = out;
    zs.avail_out = (uInt)(n + 1);
    int rc = inflate(&zs, Z_FINISH);
    int ok =
        rc == Z_STREAM_END && zs.total_out == n && zs.avail_in == 0 && memcmp(out, want, n) == 0;
    inflateEnd(&zs);
    free(out);
    return ok;
}

TEST(table_sorted_and_terminated)
{
    const char *want[] = {"Z-upper.css",  "abc.txt",       "bytes.bin",
                          "empty",        "million-a.txt", "sub/abc-copy.txt",
                          "trigraphs.js", "v448.txt",      "v896.txt"};
    size_t n = 0;
    while (embed_fixture[n].path)
        n++;
    CHECK(n == sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n && i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(embed_fixture[i].path, want[i]);
    const struct embed_file *end = &embed_fixture[n];
    CHECK(end->data == NULL && end->len == 0 && end->gz == NULL && end->etag == NULL);
}

TEST(abc_vector)
{
    const struct embed_file *f = find("abc.txt");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(f->len == 3);
    CHECK(memcmp(f->data, "abc", 4) == 0); /* includes the trailing '\0' */
    /* SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 ... */
    CHECK_STR(f->etag, "\"ba7816bf8f01cfea414140de5dae2223\"");
    /* a gzip member has 18 bytes of framing: 3 bytes cannot shrink */
    CHECK(f->gz == NULL && f->gz_len == 0);
    const struct embed_file *copy = find("sub/abc-copy.txt");
    CHECK(copy != NULL && strcmp(copy->etag, f->etag) == 0);
}

TEST(empty_file)
{
    const struct embed_file *f = find("empty");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(f->len == 0 && f->data != NULL && f->data[0] == '\0');
    /* SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 ... */
    CHECK_STR(f->etag, "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    CHECK(f->gz == NULL);
}

TEST(padding_blocks)
{
    /* 56 bytes: the length field no longer fits, padding takes two blocks */
    const struct embed_file *f = find("v448.txt");
    CHECK(f != NULL);
    if (f) {
        CHECK(f->len == 56);
        CHECK_STR(f->etag, "\"248d6a61d20638b8e5c026930c3e6039\"");
    }
    /* 112 bytes: one full block, then the tail with the length */
    f = find("v896.txt");
    CHECK(f != NULL);
    if (f) {
        CHECK(f->len == 112);
        CHECK_STR(f->etag, "\"cf5b16a778af8380036ce59e7b049237\"");
    }
}

TEST(million_a)
{
    const struct embed_file *f = find("million-a.txt");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(f->len == 1000000);
    size_t bad = 0;
    for (size_t i = 0; i < f->len; i++)
        bad += f->data[i] != 'a';
    CHECK(bad == 0);
    CHECK(f->data[f->len] == '\0');
    /* SHA-256 of one million 'a' = cdc76e5c 9914fb92 81a1c7e2 84d73e67 ... */
    CHECK_STR(f->etag, "\"cdc76e5c9914fb9281a1c7e284d73e67\"");
    /* deflate's longest match is 258 bytes, so at least ~1000000/258 symbols:
     * well under 2% of the size, never more */
    CHECK(f->gz != NULL && f->gz_len > 18 && f->gz_len < 20000);
    if (f->gz) {
        /* RFC 1952: magic 1f 8b, method 8, no time stamp (bytes 4..7 zero) */
        CHECK(f->gz[0] == 0x1f && f->gz[1] == 0x8b && f->gz[2] == 8);
        CHECK(f->gz[4] == 0 && f->gz[5] == 0 && f->gz[6] == 0 && f->gz[7] == 0);
        CHECK(gunzip_equals(f->gz, f->gz_len, f->data, f->len));
    }
}

TEST(every_byte_value)
{
    const struct embed_file *f = find("bytes.bin");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(f->len == 1024);
    size_t bad = 0;
    for (size_t i = 0; i < f->len; i++)
        bad += f->data[i] != (unsigned char)(i % 256);
    CHECK(bad == 0);
    CHECK(f->data[1024] == '\0');
    /* four repeats of 0..255 compress: the gzip must round-trip */
    CHECK(f->gz != NULL && f->gz_len < f->len);
    if (f->gz)
        CHECK(gunzip_equals(f->gz, f->gz_len, f->data, f->len));
}

TEST(trigraphs_and_escapes)
{
    const struct embed_file *f = find("trigraphs.js");
    CHECK(f != NULL);
    if (!f)
        return;
    /* spelled with escaped '?' here too, so no trigraph is replaced */
    const char want[] = "\?\?=\?\?/\?\?'\?\?(\?\?)\?\?!\?\?<\?\?>\?\?-\"\\\?\n";
    CHECK(f->len == sizeof want - 1);
    CHECK(memcmp(f->data, want, sizeof want) == 0);
}

int main(void)
{
    RUN(table_sorted_and_terminated);
    RUN(abc_vector);
    RUN(empty_file);
    RUN(padding_blocks);
    RUN(million_a);
    RUN(every_byte_value);
    RUN(trigraphs_and_escapes);
    return test_report();
}
