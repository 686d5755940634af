/*
 * fuzz_multipart.c - libFuzzer target on the streaming multipart parser
 * (appliance/http/multipart.c, compiled in alone: it needs libc only).
 *
 * Input: byte 0 picks how the body is cut, the rest is the body, parsed
 * with the boundary "XyZ".  The body is parsed twice: whole, and in pieces
 * of 1 to 64 bytes whose sizes come from the input itself.  Checked:
 *   - callbacks nest (data and end only inside a part; begin never twice),
 *     and none runs after an error;
 *   - content bytes handed out never exceed the body's size;
 *   - both parses give the same result, and on success the same parts and
 *     content byte for byte (a hash of the event stream);
 *   - finish() succeeds exactly when the closing boundary was seen.
 * The first 200 bytes are also read as a Content-Type by http_mp_boundary,
 * whose result must be a valid boundary when it succeeds.
 * Seeds: tests/fuzz/seeds/multipart (see CMakeLists.txt).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
    uint64_t hash;
    size_t data_bytes, parts;
    int in_part, failed;
};

static void mix(struct trace *t, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        t->hash = (t->hash ^ s[i]) * 1099511628211ull; /* FNV-1a */
}

static int on_begin(void *ctx, const struct http_mp_part *p)
{
    struct trace *t = ctx;
    if (t->in_part || t->failed || !p->name[0])
        abort();
    if (strlen(p->name) >= HTTP_MP_NAME_MAX || strlen(p->filename) >= HTTP_MP_FILENAME_MAX ||
        strlen(p->content_type) >= HTTP_MP_TYPE_MAX)
        abort();
    t->in_part = 1;
    t->parts++;
    mix(t, "B", 1);
    mix(t, p->name, strlen(p->name) + 1);
    mix(t, p->filename, strlen(p->filename) + 1);
    mix(t, p->content_type, strlen(p->content_type) + 1);
    return 0;
}

static int on_data(void *ctx, const void *d, size_t n)
{
    struct trace *t = ctx;
    if (!t->in_part || t->failed || n == 0)
        abort();
    t->data_bytes += n;
    mix(t, d, n); /* pieces may differ; the bytes may not */
    return 0;
}

static int on_end(void *ctx)
{
    struct trace *t = ctx;
    if (!t->in_part || t->failed)
        abort();
    t->in_part = 0;
    mix(t, "E", 1);
    return 0;
}

static const struct http_mp_callbacks CB = {on_begin, on_data, on_end};

static int run(const uint8_t *body, size_t n, unsigned cut_seed, struct trace *t)
{
    static struct http_mp m;
    memset(t, 0, sizeof *t);
    t->hash = 14695981039346656037ull;
    http_mp_init(&m, "XyZ", &CB, t);
    int rc = 0;
    if (cut_seed == 0) {
        rc = http_mp_feed(&m, body, n);
    } else {
        size_t i = 0, k = 0;
        while (i < n && !rc) {
            size_t step = 1 + (body[k++ % n] ^ cut_seed) % 64;
            if (step > n - i)
                step = n - i;
            rc = http_mp_feed(&m, body + i, step);
            i += step;
        }
    }
    if (rc) {
        t->failed = 1;
        if (http_mp_feed(&m, "x", 1) != rc || http_mp_finish(&m) != rc)
            abort(); /* errors stick */
        return rc;
    }
    int done = http_mp_done(&m);
    rc = http_mp_finish(&m);
    if ((rc == 0) != done)
        abort();
    if (rc)
        t->failed = 1;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char ct[201];
    size_t k = size < 200 ? size : 200;
    memcpy(ct, data, k);
    ct[k] = '\0';
    char b[HTTP_MP_BOUNDARY_MAX + 1];
    if (http_mp_boundary(ct, b) == 0) {
        size_t bl = strlen(b);
        if (bl == 0 || bl > HTTP_MP_BOUNDARY_MAX || b[bl - 1] == ' ' || strpbrk(b, "\r\n\""))
            abort();
    }

    unsigned seed = data[0] | 1u;
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    struct trace whole, cut;
    int r1 = run(body, n, 0, &whole);
    int r2 = run(body, n, seed, &cut);
    if (whole.data_bytes > n || cut.data_bytes > n)
        abort();
    if (r1 != r2)
        abort();
    if (r1 == 0 && (whole.hash != cut.hash || whole.data_bytes != cut.data_bytes ||
                    whole.parts != cut.parts))
        abort();
    return 0;
}
