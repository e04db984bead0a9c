/*
 * test_zones.c: compiled zone tables. Longest-prefix semantics (national,
 * premium inside national, NANP countries inside +1), the defaultZone and
 * "no zone", non-digits and lengths, roaming tables keyed by 5- and 6-digit
 * MCC-MNC, every rejected document with its exact code, field and message,
 * out-of-memory at every allocation, and a randomized comparison of the
 * compacted trie against a brute-force longest-prefix search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cattest.h"

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

static bss_zone_table *build_ok(const char *text)
{
    json_t *doc = cat_json(text);
    bss_zone_table *t = NULL;
    bss_errinfo ei;
    if (bss_zone_table_build(doc, &t, &ei) != BSS_OK)
        fail_msg("build: %s (%s)", ei.message, ei.field);
    json_decref(doc);
    return t;
}

static void build_bad(const char *text, bss_err code, const char *field, const char *message)
{
    json_t *doc = cat_json(text);
    bss_zone_table *t = (bss_zone_table *)(uintptr_t)1;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    cat_expect_error(bss_zone_table_build(doc, &t, &ei), &ei, code, field, message);
    assert_ptr_equal(t, (bss_zone_table *)(uintptr_t)1);
    json_decref(doc);
}

static int zone_of(const bss_zone_table *t, const char *digits)
{
    return bss_zone_lookup(t, digits, strlen(digits));
}

static const char *name_of(const bss_zone_table *t, const char *digits)
{
    const char *n = bss_zone_name(t, zone_of(t, digits));
    return n ? n : "(none)";
}

static const char *const NL =
    "{\"name\": \"NL destinations\", \"kind\": \"destination\", \"zones\": ["
    " {\"name\": \"national-fixed\", \"prefixes\": [\"3110\", \"3120\", \"3130\", \"3170\"]},"
    " {\"name\": \"national-mobile\", \"prefixes\": [\"316\"]},"
    " {\"name\": \"premium\", \"prefixes\": [\"3190\", \"31906\", \"31909\"]},"
    " {\"name\": \"free\", \"prefixes\": [\"31800\"]},"
    " {\"name\": \"usa\", \"prefixes\": [\"1\"]},"
    " {\"name\": \"caribbean\", \"prefixes\": [\"1264\", \"1268\", \"1876\"]},"
    " {\"name\": \"eu\", \"prefixes\": [\"32\", \"33\", \"49\", \"352\"]},"
    " {\"name\": \"international-rest\"}],"
    " \"defaultZone\": \"international-rest\"}";

static void test_longest_prefix(void **state)
{
    bss_zone_table *t = build_ok(NL);
    assert_int_equal(bss_zone_table_zone_kind(t), BSS_ZONE_DESTINATION);
    assert_int_equal(bss_zone_count(t), 8);
    assert_int_equal(bss_zone_prefix_count(t), 17);
    assert_string_equal(name_of(t, "31612345678"), "national-mobile");
    assert_string_equal(name_of(t, "31201234567"), "national-fixed");
    assert_string_equal(name_of(t, "319012345"), "premium");
    assert_string_equal(name_of(t, "319061234"), "premium");
    assert_string_equal(name_of(t, "318001234"), "free");
    assert_string_equal(name_of(t, "318011234"), "international-rest"); /* 31 itself is no prefix */
    assert_string_equal(name_of(t, "12125550100"), "usa");
    assert_string_equal(name_of(t, "12645551234"), "caribbean"); /* longer prefix inside +1 */
    assert_string_equal(name_of(t, "18765551234"), "caribbean");
    assert_string_equal(name_of(t, "12"), "usa");
    assert_string_equal(name_of(t, "1"), "usa");
    assert_string_equal(name_of(t, "35212345"), "eu");
    assert_string_equal(name_of(t, "3512345"), "international-rest");
    assert_string_equal(name_of(t, "4412345678"), "international-rest");
    assert_string_equal(name_of(t, ""), "international-rest");
    /* a non-digit stops the match; len bounds it */
    assert_string_equal(name_of(t, "316-12345"), "national-mobile");
    assert_string_equal(name_of(t, "31x612345"), "international-rest");
    assert_string_equal(name_of(t, "+31612345"), "international-rest");
    assert_int_equal(bss_zone_lookup(t, "31612345", 2), bss_zone_index(t, "international-rest"));
    assert_int_equal(bss_zone_lookup(t, "31612345", 3), bss_zone_index(t, "national-mobile"));
    assert_int_equal(bss_zone_lookup(t, "3", 0), bss_zone_index(t, "international-rest"));
    /* names and indexes */
    assert_int_equal(bss_zone_index(t, "premium"), 2);
    assert_int_equal(bss_zone_index(t, "nope"), -1);
    assert_string_equal(bss_zone_name(t, 0), "national-fixed");
    assert_null(bss_zone_name(t, 8));
    assert_null(bss_zone_name(t, -1));
    bss_zone_table_free(t);
    bss_zone_table_free(NULL);
}

static void test_no_default(void **state)
{
    bss_zone_table *t =
        build_ok("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": "
                 "[\"316\"]}, {\"name\": \"long\", \"prefixes\": [\"123456789012345\"]}]}");
    assert_int_equal(zone_of(t, "316"), 0);
    assert_int_equal(zone_of(t, "31"), -1);
    assert_int_equal(zone_of(t, "4412"), -1);
    assert_int_equal(zone_of(t, ""), -1);
    assert_int_equal(zone_of(t, "123456789012345"), 1);
    assert_int_equal(zone_of(t, "1234567890123456789"), 1);
    assert_int_equal(zone_of(t, "12345678901234"), -1);
    bss_zone_table_free(t);
}

static void test_roaming(void **state)
{
    bss_zone_table *t =
        build_ok("{\"name\": \"roaming\", \"kind\": \"roaming\", \"zones\": ["
                 " {\"name\": \"eu\", \"prefixes\": [\"20408\", \"20416\", \"26201\", \"20801\"]},"
                 " {\"name\": \"usa\", \"prefixes\": [\"310410\", \"310260\", \"311480\"]},"
                 " {\"name\": \"usa-partner\", \"prefixes\": [\"31026\"]},"
                 " {\"name\": \"world\"}], \"defaultZone\": \"world\"}");
    assert_int_equal(bss_zone_table_zone_kind(t), BSS_ZONE_ROAMING);
    assert_string_equal(name_of(t, "20408"), "eu");
    assert_string_equal(name_of(t, "26201"), "eu");
    assert_string_equal(name_of(t, "310410"), "usa");
    assert_string_equal(name_of(t, "310260"), "usa");
    assert_string_equal(name_of(t, "310261"), "usa-partner"); /* 5-digit entry, 6-digit network */
    assert_string_equal(name_of(t, "31041"), "world");
    assert_string_equal(name_of(t, "20409"), "world");
    assert_string_equal(name_of(t, "44020"), "world");
    bss_zone_table_free(t);

    build_bad("{\"kind\": \"roaming\", \"zones\": [{\"name\": \"eu\", \"prefixes\": [\"20408\", \"2040\"]}]}",
              BSS_E_INVALID, "zones[0].prefixes[1]",
              "zones[0].prefixes[1]: \"2040\" is not a prefix: use an MCC-MNC of 5 or 6 digits");
    build_bad("{\"kind\": \"roaming\", \"zones\": [{\"name\": \"eu\", \"prefixes\": [\"2040812\"]}]}",
              BSS_E_INVALID, "zones[0].prefixes[0]", "MCC-MNC of 5 or 6 digits");
}

static void test_document_errors(void **state)
{
    build_bad("[]", BSS_E_INVALID, "", "a zone table must be a JSON object");
    build_bad("{\"zones\": [{\"name\": \"a\", \"prefixes\": [\"1\"]}]}", BSS_E_INVALID, "kind",
              "kind: is required");
    build_bad("{\"kind\": 3, \"zones\": []}", BSS_E_INVALID, "kind", "kind: expected a string");
    build_bad("{\"kind\": \"national\", \"zones\": []}", BSS_E_INVALID, "kind",
              "kind: must be \"destination\" or \"roaming\", not \"national\"");
    build_bad(
        "{\"kind\": \"destination\", \"name\": 5, \"zones\": [{\"name\": \"a\", \"prefixes\": [\"1\"]}]}",
        BSS_E_INVALID, "name", "name: expected a string");
    build_bad("{\"kind\": \"destination\"}", BSS_E_INVALID, "zones",
              "zones: expected a non-empty array of zones");
    build_bad("{\"kind\": \"destination\", \"zones\": []}", BSS_E_INVALID, "zones", "non-empty array");
    build_bad("{\"kind\": \"destination\", \"zones\": {}}", BSS_E_INVALID, "zones", "non-empty array");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"1\"]}, 7]}",
              BSS_E_INVALID, "zones[1]", "zones[1]: expected an object with \"name\" and \"prefixes\"");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"prefixes\": [\"1\"]}]}", BSS_E_INVALID,
              "zones[0].name", "zones[0].name: is required");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"\", \"prefixes\": [\"1\"]}]}",
              BSS_E_INVALID, "zones[0].name", "zones[0].name: a zone name must not be empty");
    build_bad(
        "{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"1\"]}, {\"name\": \"b\", "
        "\"prefixes\": [\"2\"]}, {\"name\": \"a\", \"prefixes\": [\"3\"]}]}",
        BSS_E_UNPROCESSABLE, "zones[2].name", "zone \"a\" is defined twice: zones[0] and zones[2]");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": \"316\"}]}",
              BSS_E_INVALID, "zones[0].prefixes", "zones[0].prefixes: expected an array of digit strings");
    build_bad(
        "{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [316]}]}", BSS_E_INVALID,
        "zones[0].prefixes[0]",
        "zones[0].prefixes[0]: a prefix must be a string of 1 to 15 decimal digits (E.164 without '+')");
    build_bad(
        "{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"31\", \"+31\"]}]}",
        BSS_E_INVALID, "zones[0].prefixes[1]",
        "zones[0].prefixes[1]: \"+31\" is not a prefix: use 1 to 15 decimal digits (E.164 without '+')");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"\"]}]}",
              BSS_E_INVALID, "zones[0].prefixes[0]", "\"\" is not a prefix");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"3 1\"]}]}",
              BSS_E_INVALID, "zones[0].prefixes[0]", "\"3 1\" is not a prefix");
    build_bad(
        "{\"kind\": \"destination\", \"zones\": [{\"name\": \"a\", \"prefixes\": [\"1234567890123456\"]}]}",
        BSS_E_INVALID, "zones[0].prefixes[0]", "is not a prefix: use 1 to 15 decimal digits");
}

static void test_semantic_errors(void **state)
{
    /* duplicate prefix in two zones: names both places */
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\"]},"
              " {\"name\": \"premium\", \"prefixes\": [\"31900\"]},"
              " {\"name\": \"special\", \"prefixes\": [\"31800\", \"31900\"]}]}",
              BSS_E_UNPROCESSABLE, "zones[2].prefixes[1]",
              "prefix \"31900\" is listed twice: zones[1].prefixes[0] (\"premium\") and zones[2].prefixes[1] "
              "(\"special\")");
    /* duplicate within one zone */
    build_bad(
        "{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\", \"317\", "
        "\"316\"]}]}",
        BSS_E_UNPROCESSABLE, "zones[0].prefixes[2]",
        "prefix \"316\" is listed twice: zones[0].prefixes[0] (\"mobile\") and zones[0].prefixes[2] "
        "(\"mobile\")");
    /* unreachable zone: no prefixes, not the default */
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\"]},"
              " {\"name\": \"ghost\", \"prefixes\": []}]}",
              BSS_E_UNPROCESSABLE, "zones[1].prefixes",
              "zone \"ghost\" has no prefixes and is not the defaultZone: no number can reach it");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\"]},"
              " {\"name\": \"ghost\"}], \"defaultZone\": \"mobile\"}",
              BSS_E_UNPROCESSABLE, "zones[1].prefixes", "zone \"ghost\" has no prefixes");
    /* defaultZone must be a zone */
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\"]}],"
              " \"defaultZone\": \"rest\"}",
              BSS_E_UNPROCESSABLE, "defaultZone", "defaultZone \"rest\" is not one of the zones");
    build_bad("{\"kind\": \"destination\", \"zones\": [{\"name\": \"mobile\", \"prefixes\": [\"316\"]}],"
              " \"defaultZone\": 1}",
              BSS_E_INVALID, "defaultZone", "defaultZone: expected a string");
    /* a table whose only zone is the default is fine: everything goes there */
    bss_zone_table *t =
        build_ok("{\"kind\": \"destination\", \"zones\": [{\"name\": \"all\"}], \"defaultZone\": \"all\"}");
    assert_int_equal(zone_of(t, "31612345678"), 0);
    assert_int_equal(bss_zone_prefix_count(t), 0);
    bss_zone_table_free(t);
}

static void test_oom(void **state)
{
    json_t *doc = cat_json(NL);
    int failures = 0;
    for (int64_t n = 1;; n++) {
        bss_zone_table *t = NULL;
        bss_errinfo ei;
        int64_t before = bss_mem_used();
        bss_mem_fail_after(n, 1);
        bss_err e = bss_zone_table_build(doc, &t, &ei);
        bss_mem_fail_after(0, 0);
        if (e == BSS_OK) {
            assert_int_equal(zone_of(t, "316"), 1);
            bss_zone_table_free(t);
            break;
        }
        assert_int_equal(e, BSS_E_NOMEM);
        assert_int_equal(bss_mem_used(), before);
        failures++;
    }
    assert_true(failures >= 5);
    json_decref(doc);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* 3000 random prefixes over 40 zones; 20000 random numbers against a brute-force search. */
static void test_random_against_brute_force(void **state)
{
    enum { NPREF = 3000, NZONES = 40, NNUM = 20000 };
    static char prefixes[NPREF][10];
    static int zone_of_prefix[NPREF];
    json_t *zones = json_array();
    for (int z = 0; z < NZONES; z++) {
        char name[16];
        snprintf(name, sizeof(name), "z%d", z);
        json_array_append_new(zones, json_pack("{s:s, s:[]}", "name", name, "prefixes"));
    }
    int n = 0;
    while (n < NPREF) {
        int len = 1 + (int)(rnd() % 6);
        char p[10];
        for (int i = 0; i < len; i++)
            p[i] = (char)('0' + (i == 0 ? rnd() % 3 : rnd() % 10)); /* dense: 0..2 first */
        p[len] = '\0';
        int dup = 0;
        for (int k = 0; k < n && !dup; k++)
            dup = strcmp(prefixes[k], p) == 0;
        if (dup)
            continue;
        memcpy(prefixes[n], p, (size_t)len + 1);
        zone_of_prefix[n] = n < NZONES ? n : (int)(rnd() % NZONES);
        json_array_append_new(json_object_get(json_array_get(zones, (size_t)zone_of_prefix[n]), "prefixes"),
                              json_string(p));
        n++;
    }
    json_t *doc = json_pack("{s:s, s:o, s:s}", "kind", "destination", "zones", zones, "defaultZone", "z7");
    bss_zone_table *t = NULL;
    assert_int_equal(bss_zone_table_build(doc, &t, NULL), BSS_OK);
    assert_int_equal(bss_zone_prefix_count(t), NPREF);
    for (int k = 0; k < NNUM; k++) {
        char num[16];
        int len = 1 + (int)(rnd() % 12);
        for (int i = 0; i < len; i++)
            num[i] = (char)('0' + (i == 0 ? rnd() % 3 : rnd() % 10));
        num[len] = '\0';
        int want = 7, best_len = 0;
        for (int i = 0; i < NPREF; i++) {
            size_t pl = strlen(prefixes[i]);
            if ((int)pl > best_len && pl <= (size_t)len && memcmp(prefixes[i], num, pl) == 0)
                want = zone_of_prefix[i], best_len = (int)pl;
        }
        if (zone_of(t, num) != want)
            fail_msg("%s: trie says %d, brute force %d", num, zone_of(t, num), want);
    }
    bss_zone_table_free(t);
    json_decref(doc);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longest_prefix),
        cmocka_unit_test(test_no_default),
        cmocka_unit_test(test_roaming),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test(test_semantic_errors),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_random_against_brute_force),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
