/*
 * test_json.c: parsing (line/column errors, duplicates, trailing data, the
 * depth limit, out of memory), dumping with BSS_JSON_DUMP_FLAGS into
 * bss_malloc'd text, dotted paths, typed getters and their messages, time
 * members, and RFC 7396 merge patch with the RFC's appendix A examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

static json_t *load(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    return v;
}

static void parse_bad(const char *text, const char *want_message)
{
    json_t *v = (json_t *)0x1;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_json_parse(text, strlen(text), &v, &ei), BSS_E_PARSE);
    assert_int_equal(ei.code, BSS_E_PARSE);
    assert_ptr_equal(v, (json_t *)0x1);
    if (strstr(ei.message, want_message) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", text, ei.message, want_message);
}

static void test_parse(void **state)
{
    json_t *v = load("{\"a\": [1, 2.5, \"x\", true, null], \"b\": {}}");
    assert_true(json_is_object(v));
    assert_int_equal(json_array_size(json_object_get(v, "a")), 5);
    json_decref(v);
    v = load("42"); /* any value at the top level */
    assert_true(json_is_integer(v));
    json_decref(v);
    v = load("  \"s\"\n");
    assert_string_equal(json_string_value(v), "s");
    json_decref(v);
    /* the length bounds the text */
    assert_int_equal(bss_json_parse("[1]garbage", 3, &v, NULL), BSS_OK);
    json_decref(v);
}

static void test_parse_errors(void **state)
{
    parse_bad("{\"a\": 1,\n  \"b\": }", "malformed JSON at line 2, column 8: ");
    parse_bad("{\"a\" 1}", "malformed JSON at line 1, column 6: ");
    parse_bad("", "malformed JSON at line 1, column 0: ");
    parse_bad("{} x", "malformed JSON at line 1, column 4: end of file expected");
    parse_bad("{}{}", "end of file expected");
    parse_bad("{\"a\": 1, \"a\": 2}", "duplicate object key");
    parse_bad("[\"\\u0000\"]", "a \\u0000 (NUL) character is not allowed in a string");
    parse_bad("{\"a\\u0000\": 1}", "a \\u0000 (NUL) character is not allowed in a member name");
    parse_bad("[1,]", "malformed JSON at line 1");
    parse_bad("{'a': 1}", "malformed JSON");
    parse_bad("[NaN]", "malformed JSON");
    parse_bad("[\"\xff\"]", "malformed JSON"); /* invalid UTF-8 */
    parse_bad("[99999999999999999999]", "too big integer");
    json_t *v;
    assert_int_equal(bss_json_parse(NULL, 0, &v, NULL), BSS_E_PARSE);
}

/* A real the double cannot hold is 400 naming the member, never a rounding. */
static void inexact(const char *text, const char *want_field, const char *want_message)
{
    json_t *v = (json_t *)0x1;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_json_parse(text, strlen(text), &v, &ei), BSS_E_INVALID);
    assert_ptr_equal(v, (json_t *)0x1);
    assert_string_equal(ei.field, want_field);
    if (strstr(ei.message, want_message) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", text, ei.message, want_message);
}

static void test_exact_reals(void **state)
{
    inexact("{\"price\":{\"unit\":\"EUR\",\"value\":999999999999.9999999}}", "price.value",
            "price.value: 999999999999.9999999 has more than 15 significant digits and cannot be held exactly");
    inexact("{\"a\":1.0000000000000001}", "a", "has more than 15 significant digits");
    inexact("{\"a\":1e-400}", "a", "a: 1e-400 is out of range");
    inexact("{\"a\":-1E+301}", "a", "is out of range");
    inexact("{\"a\":0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001}",
            "a", "is out of range");
    inexact("[1, {\"x\": [0.5, 2.0000000000000000001]}]", "[1].x[1]", "[1].x[1]: 2.0000000000000000001");
    inexact("{\"k\\\"q\":{\"z\":[[1.12345678901234567]]}}", "k\\\"q.z[0][0]", "more than 15");
    inexact("{\"a\":1234567890123456.5e-5}", "a", "more than 15"); /* the exponent does not hide digits */
    /* exact ones pass: 15 digits, trailing and leading zeros, exponents, zero, integers of any int64 size */
    const char *ok[] = {"{\"a\":999999999999.999}", "{\"a\":0.000000000000000000001}", "{\"a\":1.50000000000000000000}",
                        "{\"a\":1e300}", "{\"a\":-1e-300}", "{\"a\":0.0e-99999}", "{\"a\":9223372036854775807}",
                        "{\"a\":123456789012345e-5}", "{\"s\":\"1.0000000000000001\"}", "[-0.0]"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *v = load(ok[i]);
        json_decref(v);
    }
}

static char *nested(int depth, char open, char close)
{
    char *s = bss_malloc((size_t)depth * 2 + 1);
    for (int i = 0; i < depth; i++) {
        s[i] = open;
        s[depth * 2 - 1 - i] = close;
    }
    s[depth * 2] = '\0';
    return s;
}

static void test_depth(void **state)
{
    char *ok = nested(64, '[', ']');
    json_t *v = load(ok);
    json_decref(v);
    char *deep = nested(65, '[', ']');
    parse_bad(deep, "nesting deeper than 64");
    char *very = nested(2000, '[', ']');
    parse_bad(very, "nesting deeper than 64");
    bss_free(ok);
    bss_free(deep);
    bss_free(very);
    /* objects count too: {"a":{"a":...}} */
    char objs[65 * 6 + 8];
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(objs + n, sizeof(objs) - n, "{\"a\":");
    n += (size_t)snprintf(objs + n, sizeof(objs) - n, "1");
    for (int i = 0; i < 65; i++)
        objs[n++] = '}';
    objs[n] = '\0';
    parse_bad(objs, "nesting deeper than 64");
    objs[n - 1] = '\0';
    memmove(objs, objs + 5, n - 5); /* 64 levels */
    v = load(objs);
    json_decref(v);
}

static void test_parse_oom(void **state)
{
    bss_errinfo ei;
    json_t *v = NULL;
    bss_mem_fail_after(1, 1);
    bss_err e = bss_json_parse("{\"a\": [1, 2, 3]}", 16, &v, &ei);
    bss_mem_fail_after(0, 0);
    assert_int_equal(e, BSS_E_NOMEM);
    assert_null(v);
    /*
     * fail each allocation in turn: never a crash or a leak. jansson reports
     * some allocation failures inside its lexer as syntax errors, so PARSE is
     * possible too.
     */
    static const char doc[] =
        "{\"a\": [1, 2.5, \"three\"], \"b\": {\"c\": null, \"d\": \"eeeeeeeeeeeeeeeeeeee\"}}";
    int ok = 0;
    for (int64_t n = 1; n < 200 && ok == 0; n++) {
        bss_mem_fail_after(n, 0);
        e = bss_json_parse(doc, sizeof(doc) - 1, &v, &ei);
        bss_mem_fail_after(0, 0);
        if (e == BSS_OK) {
            json_decref(v);
            ok = 1;
        } else if (e != BSS_E_NOMEM && e != BSS_E_PARSE) {
            fail_msg("allocation %d: %s", (int)n, ei.message);
        }
    }
    assert_int_equal(ok, 1);
}

static void test_dump(void **state)
{
    json_t *v =
        load("{\"z\": 1, \"a\": 12.5, \"m\": \"x\\ny\", \"n\": null, \"l\": [true, false], \"r\": 0.1}");
    size_t len = 0;
    char *s = bss_json_dump(v, &len);
    assert_string_equal(s, "{\"z\":1,\"a\":12.5,\"m\":\"x\\ny\",\"n\":null,\"l\":[true,false],\"r\":0.1}");
    assert_int_equal(len, strlen(s));
    bss_free(s);
    json_decref(v);

    json_t *num = json_integer(7);
    s = bss_json_dump(num, NULL); /* scalars too */
    assert_string_equal(s, "7");
    bss_free(s);
    json_decref(num);

    json_t *real = json_real(19.99); /* 15 significant digits keep money exact */
    s = bss_json_dump(real, NULL);
    assert_string_equal(s, "19.99");
    bss_free(s);
    json_decref(real);

    v = load(
        "{\"a\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}");
    bss_mem_fail_after(1, 1);
    s = bss_json_dump(v, &len);
    bss_mem_fail_after(0, 0);
    assert_null(s);
    json_decref(v);
}

static void test_path(void **state)
{
    json_t *v = load("{\"a\": {\"b\": {\"c\": 3}, \"s\": \"x\"}, \"top\": 1}");
    assert_int_equal(json_integer_value(bss_json_path(v, "a.b.c")), 3);
    assert_int_equal(json_integer_value(bss_json_path(v, "top")), 1);
    assert_true(json_is_object(bss_json_path(v, "a.b")));
    assert_null(bss_json_path(v, "a.b.d"));
    assert_null(bss_json_path(v, "a.s.x")); /* through a string */
    assert_null(bss_json_path(v, "a..b"));
    assert_null(bss_json_path(v, "a."));
    assert_null(bss_json_path(v, ".a"));
    assert_null(bss_json_path(v, ""));
    assert_null(bss_json_path(v, NULL));
    assert_null(bss_json_path(NULL, "a"));
    assert_null(bss_json_path(json_object_get(v, "top"), "a"));
    json_decref(v);
}

static void expect_err(bss_err e, const bss_errinfo *ei, const char *field, const char *message)
{
    assert_int_equal(e, BSS_E_INVALID);
    assert_int_equal(ei->code, BSS_E_INVALID);
    assert_string_equal(ei->field, field);
    assert_string_equal(ei->message, message);
}

static void test_getters(void **state)
{
    json_t *o =
        load("{\"name\": \"n\", \"count\": 3, \"flag\": true, \"none\": null, \"real\": 2.0, \"num\": 5}");
    bss_errinfo ei;
    const char *s = "untouched";
    int64_t i = -1;
    bool b = false;

    assert_int_equal(bss_json_get_str(o, "name", NULL, true, &s, &ei), BSS_OK);
    assert_string_equal(s, "n");
    assert_int_equal(bss_json_get_int(o, "count", "x.count", true, &i, &ei), BSS_OK);
    assert_int_equal(i, 3);
    assert_int_equal(bss_json_get_bool(o, "flag", NULL, true, &b, &ei), BSS_OK);
    assert_true(b);

    /* missing or null and optional: OK, untouched */
    s = "untouched";
    i = -1;
    assert_int_equal(bss_json_get_str(o, "missing", NULL, false, &s, &ei), BSS_OK);
    assert_int_equal(bss_json_get_str(o, "none", NULL, false, &s, &ei), BSS_OK);
    assert_string_equal(s, "untouched");
    assert_int_equal(bss_json_get_int(o, "missing", NULL, false, &i, &ei), BSS_OK);
    assert_int_equal(bss_json_get_bool(o, "none", NULL, false, &b, &ei), BSS_OK);
    assert_int_equal(i, -1);
    assert_true(b);

    /* required and absent */
    expect_err(bss_json_get_str(o, "missing", "party.missing", true, &s, &ei), &ei, "party.missing",
               "party.missing: is required");
    expect_err(bss_json_get_int(o, "none", NULL, true, &i, &ei), &ei, "none", "none: is required");
    expect_err(bss_json_get_bool(o, "nope", NULL, true, &b, &ei), &ei, "nope", "nope: is required");

    /* wrong types */
    expect_err(bss_json_get_str(o, "count", "name", true, &s, &ei), &ei, "name", "name: expected a string");
    expect_err(bss_json_get_int(o, "real", "qty", false, &i, &ei), &ei, "qty", "qty: expected an integer");
    expect_err(bss_json_get_int(o, "name", NULL, false, &i, &ei), &ei, "name", "name: expected an integer");
    expect_err(bss_json_get_bool(o, "num", NULL, false, &b, &ei), &ei, "num", "num: expected true or false");
    assert_string_equal(s, "untouched");
    assert_int_equal(i, -1);

    /* not an object: every member is missing */
    json_t *arr = json_array();
    assert_int_equal(bss_json_get_str(arr, "a", NULL, false, &s, NULL), BSS_OK);
    assert_int_equal(bss_json_get_str(arr, "a", NULL, true, &s, NULL), BSS_E_INVALID);
    assert_int_equal(bss_json_get_str(NULL, "a", NULL, true, &s, NULL), BSS_E_INVALID);
    json_decref(arr);
    json_decref(o);
}

static void test_time_members(void **state)
{
    json_t *o = load("{\"start\": \"2026-02-28T13:45:00.123+02:00\", \"bad\": \"2026-02-30T00:00:00Z\", "
                     "\"num\": 5}");
    bss_errinfo ei;
    int64_t ms = -1;
    assert_int_equal(bss_json_get_time(o, "start", NULL, true, &ms, &ei), BSS_OK);
    assert_int_equal(ms, bss_time_from_civil(2026, 2, 28, 11, 45, 0, 123));
    ms = -1;
    assert_int_equal(bss_json_get_time(o, "missing", NULL, false, &ms, &ei), BSS_OK);
    assert_int_equal(ms, -1);
    assert_int_equal(bss_json_get_time(o, "bad", "validFor.startDateTime", true, &ms, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "validFor.startDateTime");
    assert_true(strncmp(ei.message,
                        "validFor.startDateTime: not an RFC 3339 date-time: '2026-02-30T00:00:00Z'",
                        72) == 0);
    expect_err(bss_json_get_time(o, "num", NULL, true, &ms, &ei), &ei, "num",
               "num: expected an RFC 3339 date-time string");
    expect_err(bss_json_get_time(o, "gone", NULL, true, &ms, &ei), &ei, "gone", "gone: is required");
    assert_int_equal(ms, -1);

    assert_int_equal(bss_json_set_time(o, "end", bss_time_from_civil(2026, 3, 1, 0, 0, 0, 5)), 0);
    assert_string_equal(json_string_value(json_object_get(o, "end")), "2026-03-01T00:00:00.005Z");
    json_t *arr = json_array();
    assert_int_equal(bss_json_set_time(arr, "end", 0), -1);
    json_decref(arr);
    json_decref(o);
}

/* Applies patch to target and compares the dump with want (NULL: expect BSS_E_INVALID). */
static void patch_is(const char *target, const char *patch, const char *want)
{
    json_t *t = load(target), *p = load(patch);
    bss_err e = bss_json_merge_patch(t, p);
    if (want == NULL) {
        assert_int_equal(e, BSS_E_INVALID);
    } else {
        assert_int_equal(e, BSS_OK);
        json_t *w = load(want);
        if (!json_equal(t, w)) {
            char *got = bss_json_dump(t, NULL);
            fail_msg("%s + %s = %s, want %s", target, patch, got, want);
        }
        json_decref(w);
    }
    json_decref(t);
    json_decref(p);
}

static void test_merge_patch(void **state)
{
    /* RFC 7396 appendix A */
    patch_is("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    patch_is("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
    patch_is("{\"a\":\"b\"}", "{\"a\":null}", "{}");
    patch_is("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
    patch_is("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    patch_is("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
    patch_is("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
    patch_is("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
    patch_is("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
    patch_is("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
    /* whole-document replacements cannot be done in place: refused */
    patch_is("[\"a\",\"b\"]", "[\"c\",\"d\"]", NULL);
    patch_is("{\"a\":\"b\"}", "[\"c\"]", NULL);
    patch_is("{\"a\":\"foo\"}", "null", NULL);
    patch_is("{\"a\":\"foo\"}", "\"bar\"", NULL);
    patch_is("[1,2]", "{\"a\":\"b\",\"c\":null}", NULL);
    /* more: deep merge keeps siblings, nested object over a scalar */
    patch_is("{\"a\":{\"x\":1,\"y\":2},\"k\":3}", "{\"a\":{\"y\":null,\"z\":{\"q\":null,\"r\":1}}}",
             "{\"a\":{\"x\":1,\"z\":{\"r\":1}},\"k\":3}");
    patch_is("{\"a\":1}", "{\"a\":{\"b\":2}}", "{\"a\":{\"b\":2}}");
    patch_is("{\"a\":1}", "{}", "{\"a\":1}");

    /* the patch is copied, not shared */
    json_t *t = load("{}"), *p = load("{\"l\":[1]}");
    assert_int_equal(bss_json_merge_patch(t, p), BSS_OK);
    json_array_append_new(json_object_get(t, "l"), json_integer(2));
    assert_int_equal(json_array_size(json_object_get(p, "l")), 1);
    json_decref(t);
    json_decref(p);

    /* out of memory */
    t = load("{}");
    p = load("{\"a\":{\"b\":[1,2,3]}}");
    bss_mem_fail_after(1, 1);
    bss_err e = bss_json_merge_patch(t, p);
    bss_mem_fail_after(0, 0);
    assert_int_equal(e, BSS_E_NOMEM);
    json_decref(t);
    json_decref(p);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),       cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_depth),       cmocka_unit_test(test_parse_oom),
        cmocka_unit_test(test_dump),        cmocka_unit_test(test_path),
        cmocka_unit_test(test_getters),     cmocka_unit_test(test_time_members),
        cmocka_unit_test(test_merge_patch), cmocka_unit_test(test_exact_reals),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
