/*
 * test_ratelimit.c: per-key limits (src/api/ratelimit.c): the --rate-limit
 * text and its errors, the token bucket (burst, refill, Retry-After, roles
 * without a limit), and the count of requests in flight (the cap, keys
 * apart, leave, no cap, keys too long to count).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/ratelimit.h"
#include "auth/auth.h"
#include "core/mem.h"

static void check_bad(const char *spec, const char *needle)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_ratelimit_check(spec, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "rate-limit");
    if (!strstr(ei.message, needle))
        fail_msg("'%s': message '%s' lacks '%s'", spec, ei.message, needle);
}

static void test_spec(void **state)
{
    (void)state;
    assert_int_equal(bss_ratelimit_check("", NULL), BSS_OK);
    assert_int_equal(bss_ratelimit_check(BSS_RATELIMIT_DEFAULTS, NULL), BSS_OK);
    assert_int_equal(bss_ratelimit_check(" agent=5, readonly=0 ,", NULL), BSS_OK);
    check_bad("agent", "expected role=N");
    check_bad("boss=5", "no role 'boss'");
    check_bad("agent=-1", "agent must be 0..1000000");
    check_bad("agent=1000001", "agent must be 0..1000000");
    check_bad("agent=5x", "agent must be 0..1000000");
}

static void test_bucket(void **state)
{
    (void)state;
    bss_ratelimit *rl = bss_ratelimit_new("readonly=2", 0);
    assert_non_null(rl);
    int64_t retry = -1;
    for (int i = 0; i < 4; i++) /* the burst is twice the rate */
        assert_true(bss_ratelimit_take(rl, "k1", BSS_ROLE_READONLY, 1000, &retry));
    assert_false(bss_ratelimit_take(rl, "k1", BSS_ROLE_READONLY, 1000, &retry));
    assert_int_equal(retry, 500); /* one token every 500 ms */
    assert_true(bss_ratelimit_take(rl, "k2", BSS_ROLE_READONLY, 1000, &retry)); /* keys apart */
    assert_false(bss_ratelimit_take(rl, "k1", BSS_ROLE_READONLY, 1499, &retry));
    assert_int_equal(retry, 1);
    assert_true(bss_ratelimit_take(rl, "k1", BSS_ROLE_READONLY, 1500, &retry));
    for (int i = 0; i < 1000; i++) /* admin: unlimited by default */
        assert_true(bss_ratelimit_take(rl, "a", BSS_ROLE_ADMIN, 1000, &retry));
    assert_true(bss_ratelimit_take(rl, "", BSS_ROLE_READONLY, 1000, &retry)); /* no key: not metered */
    bss_ratelimit_free(rl);
}

static void test_inflight(void **state)
{
    (void)state;
    bss_ratelimit *rl = bss_ratelimit_new(NULL, 3);
    bool counted = false;
    int held = -1;
    for (int i = 0; i < 3; i++) {
        assert_true(bss_ratelimit_enter(rl, "k1", &counted, &held));
        assert_true(counted);
    }
    assert_int_equal(bss_ratelimit_inflight(rl, "k1"), 3);
    assert_false(bss_ratelimit_enter(rl, "k1", &counted, &held));
    assert_false(counted);
    assert_int_equal(held, 3);
    assert_true(bss_ratelimit_enter(rl, "k2", &counted, &held)); /* keys apart */
    bss_ratelimit_leave(rl, "k1");
    assert_int_equal(bss_ratelimit_inflight(rl, "k1"), 2);
    assert_true(bss_ratelimit_enter(rl, "k1", &counted, &held));
    for (int i = 0; i < 3; i++)
        bss_ratelimit_leave(rl, "k1");
    assert_int_equal(bss_ratelimit_inflight(rl, "k1"), 0);
    assert_int_equal(bss_ratelimit_inflight(rl, "k2"), 1);
    char longkey[64];
    memset(longkey, 'x', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    assert_true(bss_ratelimit_enter(rl, longkey, &counted, &held)); /* cannot be counted: passes uncounted */
    assert_false(counted);
    bss_ratelimit_free(rl);

    rl = bss_ratelimit_new(NULL, 0); /* no cap */
    for (int i = 0; i < 1000; i++) {
        assert_true(bss_ratelimit_enter(rl, "k1", &counted, &held));
        assert_false(counted);
    }
    bss_ratelimit_free(rl);
}

/* Many keys whose probe windows overlap: freed entries never hide later ones. */
static void test_inflight_many_keys(void **state)
{
    (void)state;
    bss_ratelimit *rl = bss_ratelimit_new(NULL, 1);
    char k[16];
    bool counted;
    int held, n = 0;
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "key-%d", i);
        assert_true(bss_ratelimit_enter(rl, k, &counted, &held));
        n += counted;
    }
    assert_true(n > 2500);
    for (int i = 0; i < 3000; i += 2) {
        snprintf(k, sizeof k, "key-%d", i);
        if (bss_ratelimit_inflight(rl, k))
            bss_ratelimit_leave(rl, k);
    }
    for (int i = 1; i < 3000; i += 2) {
        snprintf(k, sizeof k, "key-%d", i);
        if (bss_ratelimit_inflight(rl, k) == 1) /* still found after its neighbours left */
            assert_false(bss_ratelimit_enter(rl, k, &counted, &held));
    }
    bss_ratelimit_free(rl);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_inflight),
        cmocka_unit_test(test_inflight_many_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
