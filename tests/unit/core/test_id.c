/*
 * test_id.c: UUIDv7 layout (version, variant, timestamp), strict ordering of
 * ids made by one thread in one millisecond (counter and its overflow into
 * the next ms), clocks that step back, uniqueness across threads, and the
 * validator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "core/id.h"
#include "core/mem.h"

#define N_SAME_MS 10000

static void test_layout(void **state)
{
    char id[BSS_ID_LEN + 1];
    int64_t now = INT64_C(1763775937123); /* 2025-11-22 */
    bss_id_new(now, id);
    assert_int_equal(strlen(id), BSS_ID_LEN);
    assert_true(bss_id_valid(id, strlen(id)));
    assert_int_equal(id[8], '-');
    assert_int_equal(id[14], '7');           /* version */
    assert_non_null(strchr("89ab", id[19])); /* variant 10 */
    assert_int_equal(bss_id_time_ms(id), now);
    for (const char *p = id; *p; p++)
        assert_true(*p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    /* the timestamp is big-endian in the first 48 bits */
    bss_id_new(0x0123456789ab, id);
    assert_memory_equal(id, "01234567-89ab-7", 15);
    /* out-of-range times are clamped to the 48-bit field */
    bss_id_new(-5, id);
    assert_true(bss_id_valid(id, BSS_ID_LEN));
    bss_id_new(INT64_MAX, id);
    assert_int_equal(bss_id_time_ms(id), (INT64_C(1) << 48) - 1);
}

static void test_same_ms_ordering(void **state)
{
    static char ids[N_SAME_MS][BSS_ID_LEN + 1];
    int64_t now = INT64_C(1900000000000);
    for (int i = 0; i < N_SAME_MS; i++)
        bss_id_new(now, ids[i]);
    int64_t last_time = 0;
    for (int i = 0; i < N_SAME_MS; i++) {
        assert_true(bss_id_valid(ids[i], BSS_ID_LEN));
        if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
            fail_msg("id %d not after id %d: %s <= %s", i, i - 1, ids[i], ids[i - 1]);
        int64_t t = bss_id_time_ms(ids[i]);
        /* 10,000 ids need at most 5 counter overflows (>= 2048 per ms) */
        assert_true(t >= now && t <= now + 5);
        assert_true(t >= last_time);
        last_time = t;
    }
    assert_int_equal(bss_id_time_ms(ids[0]), now);
    assert_true(last_time > now); /* the counter overflowed into later ms */
    /* a later call in the same ms follows on, still in order */
    char next[BSS_ID_LEN + 1];
    bss_id_new(now, next);
    assert_true(strcmp(next, ids[N_SAME_MS - 1]) > 0);
}

static void test_clock_steps(void **state)
{
    char a[BSS_ID_LEN + 1], b[BSS_ID_LEN + 1];
    int64_t now = INT64_C(1950000000000);
    bss_id_new(now, a);
    bss_id_new(now + 1, b);
    assert_true(strcmp(a, b) < 0);
    assert_int_equal(bss_id_time_ms(b), now + 1);
    /* a small step back keeps the thread's order */
    bss_id_new(now - 500, a);
    assert_true(strcmp(b, a) < 0);
    assert_int_equal(bss_id_time_ms(a), now + 1);
    /* a test clock moved far into the past starts from the given time */
    bss_id_new(now - 86400000, a);
    assert_int_equal(bss_id_time_ms(a), now - 86400000);
}

static void *make_ids(void *arg)
{
    char(*out)[BSS_ID_LEN + 1] = arg;
    for (int i = 0; i < 2000; i++)
        bss_id_new(INT64_C(1800000000000), out[i]);
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_threads_unique(void **state)
{
    static char ids[4][2000][BSS_ID_LEN + 1];
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, make_ids, ids[t]), 0);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++)
        for (int i = 1; i < 2000; i++)
            assert_true(strcmp(ids[t][i - 1], ids[t][i]) < 0);
    qsort(ids, 8000, BSS_ID_LEN + 1, cmp_id);
    char(*flat)[BSS_ID_LEN + 1] = (char(*)[BSS_ID_LEN + 1]) ids;
    for (int i = 1; i < 8000; i++)
        assert_true(strcmp(flat[i - 1], flat[i]) != 0);
}

static void test_valid(void **state)
{
    assert_true(bss_id_valid("0190f2c4-8d4e-7abc-9def-0123456789ab", 36));
    assert_true(bss_id_valid("0190F2C4-8D4E-7ABC-9DEF-0123456789AB", 36));
    assert_true(bss_id_valid("123e4567-e89b-12d3-a456-426614174000", 36)); /* v1: any version */
    assert_false(bss_id_valid("0190f2c4-8d4e-7abc-9def-0123456789a", 35));
    assert_false(bss_id_valid("0190f2c4-8d4e-7abc-9def-0123456789abc", 37));
    assert_false(bss_id_valid("0190f2c48d4e-7abc-9def-0123456789abc", 36));
    assert_false(bss_id_valid("0190f2c4-8d4e-7abc-9def-0123456789ag", 36));
    assert_false(bss_id_valid("0190f2c4_8d4e_7abc_9def_0123456789ab", 36));
    assert_false(bss_id_valid("{190f2c4-8d4e-7abc-9def-0123456789a}", 36));
    assert_false(bss_id_valid("", 0));
    assert_false(bss_id_valid(NULL, 36));
    /* length is what counts, not a NUL */
    assert_true(bss_id_valid("0190f2c4-8d4e-7abc-9def-0123456789ab/extra", 36));

    assert_int_equal(bss_id_time_ms("0190f2c4-8d4e-7abc-9def-0123456789ab"), INT64_C(0x0190f2c48d4e));
    assert_int_equal(bss_id_time_ms("123e4567-e89b-12d3-a456-426614174000"), 0); /* not v7 */
    assert_int_equal(bss_id_time_ms("not-an-id"), 0);
    assert_int_equal(bss_id_time_ms(NULL), 0);
    assert_int_equal(bss_id_time_ms("0190f2c4-8d4e-7abc-9def-0123456789abX"), 0);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),      cmocka_unit_test(test_same_ms_ordering),
        cmocka_unit_test(test_clock_steps), cmocka_unit_test(test_threads_unique),
        cmocka_unit_test(test_valid),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
