/*
 * test_mem.c: the counted allocator (exact live-byte counts through malloc,
 * calloc, realloc, strdup and jansson), fault injection (the nth allocation,
 * sticky and not), and the arena (alignment, growth, big requests, OOM).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/mem.h"

static void test_counters(void **state)
{
    int64_t base = bss_mem_used();
    void *p = bss_malloc(100);
    assert_non_null(p);
    assert_int_equal(bss_mem_used(), base + 100);
    memset(p, 1, 100);
    p = bss_realloc(p, 1000);
    assert_non_null(p);
    assert_int_equal(bss_mem_used(), base + 1000);
    p = bss_realloc(p, 10);
    assert_int_equal(bss_mem_used(), base + 10);
    assert_int_equal(((unsigned char *)p)[9], 1); /* contents kept */
    bss_free(p);
    assert_int_equal(bss_mem_used(), base);

    int *z = bss_calloc(10, sizeof(int));
    assert_non_null(z);
    for (int i = 0; i < 10; i++)
        assert_int_equal(z[i], 0);
    assert_int_equal(bss_mem_used(), base + 10 * (int64_t)sizeof(int));
    bss_free(z);
    assert_null(bss_calloc(SIZE_MAX / 2, 4)); /* n * size overflows */
    assert_null(bss_malloc(SIZE_MAX));
    void *keep = bss_malloc(8);
    assert_null(bss_realloc(keep, SIZE_MAX));
    bss_free(keep);

    void *a = bss_malloc(0), *b = bss_malloc(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal((uintptr_t)a % 16, 0);
    bss_free(a);
    bss_free(b);
    bss_free(NULL);

    void *r = bss_realloc(NULL, 32); /* realloc(NULL) is malloc */
    assert_int_equal(bss_mem_used(), base + 32);
    bss_free(r);

    char *s = bss_strdup("hello");
    assert_string_equal(s, "hello");
    assert_int_equal(bss_mem_used(), base + 6);
    char *t = bss_strndup("hello", 3);
    assert_string_equal(t, "hel");
    char *u = bss_strndup("hi", 10);
    assert_string_equal(u, "hi");
    bss_free(s);
    bss_free(t);
    bss_free(u);
    assert_int_equal(bss_mem_used(), base);
}

static void test_jansson_counted(void **state)
{
    int64_t base = bss_mem_used();
    json_t *o = json_pack("{s:s, s:[i,i]}", "name", "value", "list", 1, 2);
    assert_non_null(o);
    assert_true(bss_mem_used() > base);
    char *text = json_dumps(o, JSON_COMPACT);
    assert_string_equal(text, "{\"name\":\"value\",\"list\":[1,2]}");
    bss_free(text); /* jansson's memory is ours */
    json_decref(o);
    assert_int_equal(bss_mem_used(), base);
}

static void test_fault_injection(void **state)
{
    bss_mem_fail_after(1, 0); /* the next one fails, then all is well */
    assert_null(bss_malloc(1));
    void *p = bss_malloc(1);
    assert_non_null(p);
    bss_free(p);

    bss_mem_fail_after(3, 0);
    void *a = bss_malloc(1), *b = bss_calloc(1, 1), *c = bss_malloc(1), *d = bss_malloc(1);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d);
    bss_free(a);
    bss_free(b);
    bss_free(d);

    bss_mem_fail_after(2, 1); /* sticky: from the 2nd on, everything fails */
    a = bss_malloc(1);
    assert_non_null(a);
    assert_null(bss_malloc(1));
    assert_null(bss_strdup("x"));
    assert_null(bss_realloc(a, 100)); /* a stays valid */
    assert_null(bss_arena_create(0));
    bss_mem_fail_after(0, 0); /* off */
    b = bss_realloc(a, 100);
    assert_non_null(b);
    bss_free(b);

    bss_mem_fail_after(-4, 1); /* negative: off */
    p = bss_malloc(1);
    assert_non_null(p);
    bss_free(p);
    bss_mem_fail_after(0, 0);
}

static void test_arena(void **state)
{
    int64_t base = bss_mem_used();
    bss_arena *a = bss_arena_create(0);
    assert_non_null(a);
    char *prev = NULL;
    for (int i = 1; i < 2000; i++) {
        char *p = bss_arena_alloc(a, (size_t)(i % 37) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(i % 37) + 1);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    char *big = bss_arena_alloc(a, 5 << 20); /* bigger than any block so far */
    assert_non_null(big);
    memset(big, 0, 5 << 20);
    char *s = bss_arena_strndup(a, "abcdef", 3);
    assert_string_equal(s, "abc");
    s = bss_arena_strndup(a, "xy", 100);
    assert_string_equal(s, "xy");
    assert_non_null(bss_arena_alloc(a, 0));
    assert_null(bss_arena_alloc(a, SIZE_MAX)); /* no overflow into a tiny block */
    assert_null(bss_arena_alloc(a, SIZE_MAX - 8));
    assert_true(bss_mem_used() > base + (5 << 20));
    bss_arena_destroy(a);
    assert_int_equal(bss_mem_used(), base);
    bss_arena_destroy(NULL);

    bss_arena *huge = bss_arena_create(SIZE_MAX - 100);
    assert_non_null(huge);
    assert_null(bss_arena_alloc(huge, 16));
    bss_arena_destroy(huge);

    /* out of memory while growing: NULL, and what was allocated is still freed */
    a = bss_arena_create(256);
    assert_non_null(bss_arena_alloc(a, 200));
    bss_mem_fail_after(1, 0);
    assert_null(bss_arena_alloc(a, 4096));
    assert_non_null(bss_arena_strndup(a, "", 0)); /* fits the current block */
    assert_non_null(bss_arena_alloc(a, 4096));
    bss_arena_destroy(a);
    assert_int_equal(bss_mem_used(), base);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_jansson_counted),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_arena),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
