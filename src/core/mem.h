/*
 * mem.h: every allocation in bss goes through these wrappers (Redis zmalloc,
 * curl's torture tests): they count live bytes and can be told to fail the
 * Nth allocation, so tests can prove that every out-of-memory path returns
 * BSS_E_NOMEM instead of crashing. jansson is pointed at them at start-up
 * (bss_mem_init), so JSON trees are counted too.
 *
 * bss_free(NULL) is a no-op. bss_malloc(0) returns a unique pointer.
 */
#ifndef BSS_CORE_MEM_H
#define BSS_CORE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *bss_malloc(size_t size);
void *bss_calloc(size_t n, size_t size);
void *bss_realloc(void *ptr, size_t size);
void bss_free(void *ptr);
char *bss_strdup(const char *s);
char *bss_strndup(const char *s, size_t n);

/*
 * Room for one more element in the array *arr (n in use, *cap allocated,
 * elem bytes each): doubled when full (first when empty), never past most.
 * False when it cannot grow (out of memory, or n == most).
 */
bool bss_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first, size_t most);

/* FNV-1a of p[0..n) continuing from h (BSS_FNV_START for a fresh hash): for in-memory hash tables. */
#define BSS_FNV_START UINT64_C(14695981039346656037)
static inline uint64_t bss_fnv1a(const void *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * UINT64_C(1099511628211);
    return h;
}

/* Routes jansson's allocations through the wrappers. Call once, early. */
void bss_mem_init(void);

/* Bytes currently allocated through the wrappers (all threads). */
int64_t bss_mem_used(void);

/*
 * Fault injection for tests: the nth allocation from now (1 = the next one)
 * fails, and every one after it fails too while `sticky` is set. 0 disables.
 */
void bss_mem_fail_after(int64_t nth, int sticky);

/*
 * An arena: many small allocations freed at once (a request's, a parse's).
 * Blocks grow geometrically; nothing is freed before bss_arena_destroy.
 */
typedef struct bss_arena bss_arena;
bss_arena *bss_arena_create(size_t first_block);
void *bss_arena_alloc(bss_arena *a, size_t size); /* 16-byte aligned; NULL on OOM */
char *bss_arena_strndup(bss_arena *a, const char *s, size_t n);
void bss_arena_destroy(bss_arena *a);

#endif
