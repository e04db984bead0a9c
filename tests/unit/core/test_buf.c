/*
 * test_buf.c: the capped buffer: growth, the hard cap (BSS_E_TOO_BIG with
 * nothing appended), formatted appends, JSON string escaping, reset, free,
 * take, and out-of-memory through the allocator's fault injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/mem.h"

static void test_empty(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 100);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    assert_int_equal(bss_buf_append(&b, "x", 0), BSS_OK);
    assert_string_equal(b.data, "");
    bss_buf_reset(&b);
    bss_buf_free(&b);
    bss_buf_free(&b); /* twice is fine */
    size_t len = 99;
    char *s = bss_buf_take(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    bss_free(s);
}

static void test_append_grow(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(bss_buf_appends(&b, "abc"), BSS_OK);
    assert_int_equal(b.len, 3000);
    assert_int_equal(strlen(b.data), 3000);
    assert_true(b.cap >= 3001);
    assert_memory_equal(b.data + 2997, "abc", 4);
    assert_int_equal(bss_buf_append(&b, "\0z", 2), BSS_OK); /* bytes, not strings */
    assert_int_equal(b.len, 3002);
    assert_int_equal(b.data[3000], '\0');
    assert_int_equal(b.data[3001], 'z');
    bss_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_true(b.cap > 0); /* memory kept */
    assert_int_equal(bss_buf_appends(&b, "again"), BSS_OK);
    assert_string_equal(b.data, "again");
    bss_buf_free(&b);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 1 << 20);
}

static void test_cap(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 10);
    assert_int_equal(bss_buf_appends(&b, "0123456789"), BSS_OK);
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 11);
    assert_int_equal(bss_buf_appends(&b, "x"), BSS_E_TOO_BIG);
    assert_string_equal(b.data, "0123456789");
    bss_buf_reset(&b);
    assert_int_equal(bss_buf_appends(&b, "01234"), BSS_OK);
    assert_int_equal(bss_buf_appends(&b, "567890"), BSS_E_TOO_BIG); /* no partial append */
    assert_string_equal(b.data, "01234");
    assert_int_equal(bss_buf_appendf(&b, "%d", 123456), BSS_E_TOO_BIG);
    assert_string_equal(b.data, "01234");
    assert_int_equal(bss_buf_appendf(&b, "%d", 12345), BSS_OK);
    assert_string_equal(b.data, "0123412345");
    assert_int_equal(bss_buf_append(&b, "x", SIZE_MAX), BSS_E_TOO_BIG); /* no overflow */
    bss_buf_free(&b);

    bss_buf z;
    bss_buf_init(&z, 0);
    assert_int_equal(bss_buf_appends(&z, "a"), BSS_E_TOO_BIG);
    assert_int_equal(bss_buf_appends(&z, ""), BSS_OK);
    bss_buf_free(&z);
}

static void test_appendf(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 1 << 16);
    assert_int_equal(bss_buf_appendf(&b, "%s=%d;", "a", 1), BSS_OK);
    assert_int_equal(bss_buf_appendf(&b, "%s", ""), BSS_OK);
    char big[5000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(bss_buf_appendf(&b, "[%s]", big), BSS_OK);
    assert_int_equal(b.len, 4 + 1 + 4999 + 1);
    assert_memory_equal(b.data, "a=1;[qq", 7);
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    bss_buf_free(&b);
}

static void json_is(const char *in, size_t len, const char *want)
{
    bss_buf b;
    bss_buf_init(&b, 1024);
    assert_int_equal(bss_buf_append_json_str(&b, in, len), BSS_OK);
    assert_string_equal(b.data, want);
    bss_buf_free(&b);
}

static void test_json_str(void **state)
{
    json_is("", 0, "\"\"");
    json_is("plain", 5, "\"plain\"");
    json_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    json_is("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
    json_is("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
    json_is("nul\0byte", 8, "\"nul\\u0000byte\"");
    json_is("caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\""); /* UTF-8 kept */
    json_is("end\n", 4, "\"end\\n\"");
    json_is("\x1b[0m", 4, "\"\\u001b[0m\"");

    /* past the cap: nothing of the string is left behind */
    bss_buf b;
    bss_buf_init(&b, 12);
    assert_int_equal(bss_buf_appends(&b, "k:"), BSS_OK);
    assert_int_equal(bss_buf_append_json_str(&b, "abc\n\n\n", 6), BSS_E_TOO_BIG);
    assert_string_equal(b.data, "k:");
    assert_int_equal(bss_buf_append_json_str(&b, "abc\n", 4), BSS_OK);
    assert_string_equal(b.data, "k:\"abc\\n\"");
    bss_buf_free(&b);
    bss_buf_init(&b, 1);
    assert_int_equal(bss_buf_append_json_str(&b, "", 0), BSS_E_TOO_BIG);
    assert_string_equal(b.data, "");
    bss_buf_free(&b);
}

static void test_take(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 100);
    assert_int_equal(bss_buf_appends(&b, "hello"), BSS_OK);
    size_t len = 0;
    char *s = bss_buf_take(&b, &len);
    assert_string_equal(s, "hello");
    assert_int_equal(len, 5);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(bss_buf_appends(&b, "more"), BSS_OK); /* still usable */
    char *t = bss_buf_take(&b, NULL);
    assert_string_equal(t, "more");
    bss_free(s);
    bss_free(t);
}

static void test_oom(void **state)
{
    bss_buf b;
    bss_buf_init(&b, 1 << 20);
    bss_mem_fail_after(1, 0);
    assert_int_equal(bss_buf_appends(&b, "x"), BSS_E_NOMEM);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(bss_buf_appends(&b, "x"), BSS_OK);
    char big[200];
    memset(big, 'y', sizeof(big));
    bss_mem_fail_after(1, 0); /* the growth fails: contents kept */
    assert_int_equal(bss_buf_append(&b, big, sizeof(big)), BSS_E_NOMEM);
    assert_string_equal(b.data, "x");
    bss_mem_fail_after(1, 0);
    assert_int_equal(bss_buf_appendf(&b, "%.*s", 200, big), BSS_E_NOMEM);
    bss_mem_fail_after(1, 0);
    assert_int_equal(bss_buf_append_json_str(&b, big, sizeof(big)), BSS_E_NOMEM);
    assert_string_equal(b.data, "x");
    bss_buf_free(&b);
    bss_mem_fail_after(1, 0);
    assert_null(bss_buf_take(&b, NULL)); /* empty take allocates */
    bss_mem_fail_after(0, 0);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),   cmocka_unit_test(test_append_grow), cmocka_unit_test(test_cap),
        cmocka_unit_test(test_appendf), cmocka_unit_test(test_json_str),    cmocka_unit_test(test_take),
        cmocka_unit_test(test_oom),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
