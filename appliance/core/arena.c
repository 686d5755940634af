/*
 * arena.c - the bump allocator behind every job.
 *
 * Memory comes in blocks that double in size (64 KiB up to 64 MiB; a larger
 * request gets a block of its own).  Allocations are 16-byte aligned and
 * never freed one by one.  The limit counts bytes handed out, so that a
 * drawing that would need 40 GB stops with a clear error instead of
 * swapping the server to death.
 *
 * Invariant: a->head is the block allocations come from; a->last points
 * at the most recent allocation so arena_grow() can extend it in place.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_MIN_BLOCK ((size_t)64 << 10)
#define ARENA_MAX_BLOCK ((size_t)64 << 20)

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
    struct block *head;
    size_t limit, used, next_size;
    void *last;
};

struct arena *arena_new(size_t limit)
{
    struct arena *a = xcalloc(1, sizeof *a);
    a->limit = limit;
    a->next_size = ARENA_MIN_BLOCK;
    return a;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    for (struct block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static size_t round_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *arena_alloc(struct arena *a, size_t n)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    n = round_up(n ? n : 1);
    if (a->limit && (n > a->limit || a->used > a->limit - n))
        return NULL;
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = a->next_size;
        if (size < n)
            size = n;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        if (a->next_size < ARENA_MAX_BLOCK)
            a->next_size *= 2;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    a->last = p;
    return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *arena_grow(struct arena *a, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return arena_alloc(a, new_n);
    if (new_n <= old_n)
        return p;
    struct block *b = a->head;
    size_t old_r = round_up(old_n ? old_n : 1);
    if (p == a->last && new_n <= SIZE_MAX / 2) {
        size_t new_r = round_up(new_n);
        size_t extra = new_r - old_r;
        unsigned char *end = (unsigned char *)p + old_r;
        if (end == b->data + b->used && b->size - b->used >= extra &&
            (!a->limit || (extra <= a->limit && a->used <= a->limit - extra))) {
            b->used += extra;
            a->used += extra;
            return p;
        }
    }
    void *q = arena_alloc(a, new_n);
    if (q)
        memcpy(q, p, old_n);
    return q;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

size_t arena_used(const struct arena *a)
{
    return a->used;
}
