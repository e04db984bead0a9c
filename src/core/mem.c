/*
 * mem.c: counted allocation wrappers with fault injection, and a simple
 * bump-pointer arena. Each block carries a 16-byte header holding its size so
 * bss_mem_used() is exact; the header keeps the returned pointer 16-aligned.
 */
#include "core/mem.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16

static _Atomic int64_t used_bytes;
static _Atomic int64_t fail_countdown; /* 0 = off */
static _Atomic int fail_sticky;
static _Atomic int failing;

static int should_fail(void)
{
    if (atomic_load_explicit(&failing, memory_order_relaxed))
        return 1;
    if (atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0)
        return 0;
    if (atomic_fetch_sub(&fail_countdown, 1) == 1) {
        if (atomic_load(&fail_sticky))
            atomic_store(&failing, 1);
        return 1;
    }
    return 0;
}

void bss_mem_fail_after(int64_t nth, int sticky)
{
    atomic_store(&failing, 0);
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_countdown, nth < 0 ? 0 : nth);
}

int64_t bss_mem_used(void)
{
    return atomic_load(&used_bytes);
}

void *bss_malloc(size_t size)
{
    if (size > SIZE_MAX - HDR || should_fail())
        return NULL;
    unsigned char *p = malloc(size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof(size));
    atomic_fetch_add_explicit(&used_bytes, (int64_t)size, memory_order_relaxed);
    return p + HDR;
}

void *bss_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = bss_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void bss_free(void *ptr)
{
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - HDR;
    size_t size;
    memcpy(&size, p, sizeof(size));
    atomic_fetch_sub_explicit(&used_bytes, (int64_t)size, memory_order_relaxed);
    free(p);
}

void *bss_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return bss_malloc(size);
    if (size > SIZE_MAX - HDR || should_fail())
        return NULL;
    unsigned char *old = (unsigned char *)ptr - HDR;
    size_t old_size;
    memcpy(&old_size, old, sizeof(old_size));
    unsigned char *p = realloc(old, size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof(size));
    atomic_fetch_add_explicit(&used_bytes, (int64_t)size - (int64_t)old_size, memory_order_relaxed);
    return p + HDR;
}

char *bss_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = bss_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *bss_strdup(const char *s)
{
    return bss_strndup(s, SIZE_MAX - HDR - 1);
}

void bss_mem_init(void)
{
    json_set_alloc_funcs(bss_malloc, bss_free);
}

/* ---- arena ---- */

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct bss_arena {
    block *head;
    size_t next_size;
};

bss_arena *bss_arena_create(size_t first_block)
{
    bss_arena *a = bss_calloc(1, sizeof(*a));
    if (a)
        a->next_size = first_block < 256 ? 256 : first_block;
    return a;
}

void *bss_arena_alloc(bss_arena *a, size_t size)
{
    if (size > SIZE_MAX / 4)
        return NULL; /* rounding or doubling below would overflow */
    size = (size + 15) & ~(size_t)15;
    block *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        size_t bs = a->next_size;
        while (bs < size)
            bs *= 2;
        if (bs > SIZE_MAX / 2 - sizeof(block))
            return NULL;
        b = bss_malloc(sizeof(block) + bs);
        if (b == NULL)
            return NULL;
        b->size = bs;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        if (a->next_size < (size_t)1 << 20)
            a->next_size *= 2;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

char *bss_arena_strndup(bss_arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = bss_arena_alloc(a, len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void bss_arena_destroy(bss_arena *a)
{
    if (a == NULL)
        return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        bss_free(b);
        b = n;
    }
    bss_free(a);
}

bool bss_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first, size_t most)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : first;
    if (c > most)
        c = most;
    void *p = c > n ? bss_realloc(*(void **)arr, c * elem) : NULL;
    if (!p)
        return false;
    *(void **)arr = p;
    *cap = c;
    return true;
}
