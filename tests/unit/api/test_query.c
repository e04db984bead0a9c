/*
 * test_query.c: the TMF list query parser and matcher (src/api/query.c):
 * every accepted form, every rejected one with its exact code and the
 * parameter it names, and the matching rules (strings, instants, numbers,
 * booleans, arrays on the path), projection and sort order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/query.h"
#include "core/json.h"
#include "core/mem.h"

static bss_query parse_ok(const char *raw)
{
    bss_query q;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(raw, raw ? strlen(raw) : 0, &q, &ei);
    if (rc != BSS_OK)
        fail_msg("parse '%s': %s (%s)", raw, bss_errname(rc), ei.message);
    return q;
}

/* Asserts that raw is rejected with code naming field, and message containing needle. */
static void parse_bad(const char *raw, bss_err code, const char *field, const char *needle)
{
    bss_query q;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(raw, strlen(raw), &q, &ei);
    if (rc != code)
        fail_msg("'%s': want %s, got %s (%s)", raw, bss_errname(code), bss_errname(rc), ei.message);
    assert_string_equal(ei.field, field);
    if (needle && !strstr(ei.message, needle))
        fail_msg("'%s': message '%s' lacks '%s'", raw, ei.message, needle);
    assert_null(q.arena);
    assert_int_equal(q.nfilters, 0);
}

static json_t *js(const char *text)
{
    json_t *v = NULL;
    assert_int_equal(bss_json_parse(text, strlen(text), &v, NULL), BSS_OK);
    return v;
}

static void test_defaults(void **state)
{
    bss_query q = parse_ok(NULL);
    assert_int_equal(q.offset, 0);
    assert_int_equal(q.limit, BSS_QUERY_DEFAULT_LIMIT);
    assert_false(q.has_fields);
    assert_int_equal(q.nfilters, 0);
    bss_query_free(&q);
    q = parse_ok("&&&");
    assert_int_equal(q.nfilters, 0);
    bss_query_free(&q);
    bss_query_free(NULL);
}

static void test_offset_limit(void **state)
{
    bss_query q = parse_ok("offset=20&limit=5");
    assert_int_equal(q.offset, 20);
    assert_int_equal(q.limit, 5);
    bss_query_free(&q);
    q = parse_ok("limit=1000&offset=0");
    assert_int_equal(q.limit, 1000);
    bss_query_free(&q);
    q = parse_ok("offset=1000000000");
    assert_int_equal(q.offset, BSS_QUERY_MAX_OFFSET);
    bss_query_free(&q);

    parse_bad("offset=-1", BSS_E_INVALID, "offset", "offset must be an integer from 0");
    parse_bad("offset=abc", BSS_E_INVALID, "offset", "'abc'");
    parse_bad("offset=", BSS_E_INVALID, "offset", NULL);
    parse_bad("offset=1.5", BSS_E_INVALID, "offset", NULL);
    parse_bad("offset=+1", BSS_E_INVALID, "offset", NULL);
    parse_bad("offset=1000000001", BSS_E_INVALID, "offset", NULL);
    parse_bad("offset=99999999999999999999", BSS_E_INVALID, "offset", NULL);
    parse_bad("limit=0", BSS_E_INVALID, "limit", "limit must be an integer from 1 to 1000");
    parse_bad("limit=1001", BSS_E_INVALID, "limit", NULL);
    parse_bad("limit=-5", BSS_E_INVALID, "limit", NULL);
    parse_bad("limit=ten", BSS_E_INVALID, "limit", NULL);
    parse_bad("limit=", BSS_E_INVALID, "limit", NULL);
    parse_bad("limit=5&limit=6", BSS_E_INVALID, "limit", "more than once");
    parse_bad("offset=1&offset=1", BSS_E_INVALID, "offset", "more than once");
    /* a repeated filter is a 400 too (its values are one list: a=x,y); a range uses two operators */
    parse_bad("status=a&status=b", BSS_E_INVALID, "status", "more than once");
    parse_bad("price.gt=1&price.gt=2", BSS_E_INVALID, "price.gt", "more than once");
}

static void test_decoding(void **state)
{
    bss_query q = parse_ok("na%6De=A+b%2Cc&d%2Ee=x%26y");
    assert_int_equal(q.nfilters, 2);
    assert_string_equal(q.filters[0].attr, "name");
    assert_int_equal(q.filters[0].nvalues, 1); /* an encoded comma is not a separator */
    assert_string_equal(q.filters[0].values[0], "A b,c");
    assert_string_equal(q.filters[1].attr, "d.e"); /* dots may be encoded */
    assert_string_equal(q.filters[1].values[0], "x&y");
    bss_query_free(&q);

    char out[16];
    size_t len;
    assert_int_equal(bss_query_decode("a%41+", 5, out, &len), BSS_OK);
    assert_string_equal(out, "aA ");
    assert_int_equal(len, 3);
    assert_int_equal(bss_query_decode("%4", 2, out, &len), BSS_E_INVALID);
    assert_int_equal(bss_query_decode("%", 1, out, &len), BSS_E_INVALID);
    assert_int_equal(bss_query_decode("%zz", 3, out, &len), BSS_E_INVALID);
    assert_int_equal(bss_query_decode("%00", 3, out, &len), BSS_E_INVALID);

    parse_bad("name=%G1", BSS_E_INVALID, "name", "bad percent-encoding");
    parse_bad("name=abc%", BSS_E_INVALID, "name", "bad percent-encoding");
    parse_bad("na%zme=1", BSS_E_INVALID, "query", "bad percent-encoding");
    parse_bad("name=%00", BSS_E_INVALID, "name", NULL);
}

static void test_fields(void **state)
{
    bss_query q = parse_ok("fields=name,id,href,lifecycleStatus,name,validFor.startDateTime");
    assert_true(q.has_fields);
    assert_int_equal(q.nfields, 3);
    assert_string_equal(q.fields[0], "name");
    assert_string_equal(q.fields[1], "lifecycleStatus");
    assert_string_equal(q.fields[2], "validFor");
    bss_query_free(&q);
    q = parse_ok("fields=id");
    assert_true(q.has_fields);
    assert_int_equal(q.nfields, 0);
    bss_query_free(&q);

    parse_bad("fields=", BSS_E_INVALID, "fields", "empty attribute name");
    parse_bad("fields=name,,id", BSS_E_INVALID, "fields", "empty attribute name");
    parse_bad("fields=a..b", BSS_E_INVALID, "fields", "empty part");
    parse_bad("fields=na%20me", BSS_E_INVALID, "fields", "not allowed");
    parse_bad("fields=id&fields=name", BSS_E_INVALID, "fields", "more than once");
}

static void test_sort(void **state)
{
    bss_query q = parse_ok("sort=-name,+lastUpdate,id");
    assert_int_equal(q.nsort, 3);
    assert_string_equal(q.sort[0].attr, "name");
    assert_true(q.sort[0].desc);
    assert_string_equal(q.sort[1].attr, "lastUpdate");
    assert_false(q.sort[1].desc);
    assert_false(q.sort[2].desc);
    bss_query_free(&q);
    parse_bad("sort=-", BSS_E_INVALID, "sort", "empty attribute name");
    parse_bad("sort=a.", BSS_E_INVALID, "sort", "empty part");
    parse_bad("sort=a&sort=b", BSS_E_INVALID, "sort", "more than once");
}

static void test_filters(void **state)
{
    bss_query q = parse_ok("lifecycleStatus=Active,Retired&validFor.startDateTime.gt=2026-01-01T00:00:00Z"
                           "&version[lte]=3&a.b[eq]=x&n.eq=1&price.lt=5&@type=Category");
    assert_int_equal(q.nfilters, 7);
    assert_string_equal(q.filters[0].attr, "lifecycleStatus");
    assert_int_equal(q.filters[0].op, BSS_QOP_EQ);
    assert_int_equal(q.filters[0].nvalues, 2);
    assert_string_equal(q.filters[0].values[1], "Retired");
    assert_string_equal(q.filters[1].attr, "validFor.startDateTime");
    assert_string_equal(q.filters[1].param, "validFor.startDateTime.gt");
    assert_int_equal(q.filters[1].op, BSS_QOP_GT);
    assert_int_equal(q.filters[1].nsegs, 2);
    assert_string_equal(q.filters[1].segs[1], "startDateTime");
    assert_string_equal(q.filters[2].attr, "version");
    assert_int_equal(q.filters[2].op, BSS_QOP_LTE);
    assert_string_equal(q.filters[3].attr, "a.b");
    assert_int_equal(q.filters[3].op, BSS_QOP_EQ);
    assert_string_equal(q.filters[4].attr, "n");
    assert_int_equal(q.filters[5].op, BSS_QOP_LT);
    assert_string_equal(q.filters[6].attr, "@type");
    bss_query_free(&q);

    q = parse_ok("a>=1&b<=2&c>3&d<4&e.gte=5&name=");
    assert_int_equal(q.nfilters, 6);
    assert_int_equal(q.filters[0].op, BSS_QOP_GTE);
    assert_string_equal(q.filters[0].attr, "a");
    assert_int_equal(q.filters[1].op, BSS_QOP_LTE);
    assert_int_equal(q.filters[2].op, BSS_QOP_GT);
    assert_string_equal(q.filters[2].values[0], "3");
    assert_int_equal(q.filters[3].op, BSS_QOP_LT);
    assert_int_equal(q.filters[4].op, BSS_QOP_GTE);
    assert_int_equal(q.filters[5].nvalues, 1);
    assert_string_equal(q.filters[5].values[0], "");
    bss_query_free(&q);
    assert_string_equal(bss_query_op_name(BSS_QOP_GTE), "gte");
    assert_string_equal(bss_query_op_name((bss_query_op)9), "?");
}

static void test_filter_errors(void **state)
{
    parse_bad("=x", BSS_E_INVALID, "query", "empty name");
    parse_bad("name", BSS_E_INVALID, "query", "has no value");
    parse_bad("a[foo]=1", BSS_E_INVALID, "a[foo]", "unknown operator 'foo'");
    parse_bad("a[]=1", BSS_E_INVALID, "a[]", "unknown operator");
    parse_bad("a]=1", BSS_E_INVALID, "a]", "without '['");
    parse_bad("[gt]=1", BSS_E_INVALID, "[gt]", "empty attribute name");
    parse_bad(".gt=1", BSS_E_INVALID, ".gt", "empty attribute name");
    parse_bad("a..b=1", BSS_E_INVALID, "a..b", "empty part");
    parse_bad("a.=1", BSS_E_INVALID, "a.", "empty part");
    parse_bad(".a=1", BSS_E_INVALID, ".a", "empty part");
    parse_bad("a%20b=1", BSS_E_INVALID, "a b", "not allowed");
    parse_bad("a.gt>=1", BSS_E_INVALID, "a.gt", "two operators");
    parse_bad("a.b.c.d.e.f.g.h.i=1", BSS_E_INVALID, "a.b.c.d.e.f.g.h.i", "deeper than 8");
    parse_bad(">=1", BSS_E_INVALID, "query", "empty name");

    char many[2048] = "";
    size_t n = 0;
    for (int i = 0; i < BSS_QUERY_MAX_PARAMS + 1; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "a%d=1&", i);
    parse_bad(many, BSS_E_INVALID, "query", "more than 64 parameters");
    char amps[1200];
    memset(amps, '&', sizeof amps - 1);
    amps[sizeof amps - 1] = '\0';
    parse_bad(amps, BSS_E_INVALID, "query", "more than 64 parameters");

    char vals[1024] = "a=";
    n = 2;
    for (int i = 0; i < BSS_QUERY_MAX_VALUES + 1; i++)
        n += (size_t)snprintf(vals + n, sizeof vals - n, "%s%d", i ? "," : "", i);
    parse_bad(vals, BSS_E_INVALID, "a", "more than 100");
}

static bool matches(const char *query, const char *doc_text)
{
    bss_query q = parse_ok(query);
    json_t *doc = js(doc_text);
    bool m = bss_query_match(&q, doc);
    json_decref(doc);
    bss_query_free(&q);
    return m;
}

static void test_match_strings_and_times(void **state)
{
    const char *doc =
        "{\"name\":\"Gold\",\"lifecycleStatus\":\"Active\",\"lastUpdate\":\"2026-03-01T10:00:00.000Z\","
        "\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\"}}";
    assert_true(matches("name=Gold", doc));
    assert_false(matches("name=gold", doc));
    assert_true(matches("lifecycleStatus=Retired,Active", doc));
    assert_false(matches("lifecycleStatus=Retired,Obsolete", doc));
    assert_true(matches("name=Gold&lifecycleStatus=Active", doc));
    assert_false(matches("name=Gold&lifecycleStatus=Retired", doc));
    assert_false(matches("missing=x", doc));
    assert_false(matches("validFor=x", doc)); /* objects never match */
    /* instants, not text */
    assert_true(matches("lastUpdate=2026-03-01T10:00:00Z", doc));
    assert_true(matches("lastUpdate=2026-03-01T12:00:00%2B02:00", doc));
    assert_true(matches("lastUpdate=2026-03-01T12:00:00+02:00", doc)); /* unencoded '+' read back */
    assert_true(matches("lastUpdate.gt=2026-03-01T09:59:59.999Z", doc));
    assert_false(matches("lastUpdate.gt=2026-03-01T10:00:00Z", doc));
    assert_true(matches("lastUpdate.gte=2026-03-01T10:00:00Z", doc));
    assert_true(matches("lastUpdate.lt=2026-03-02", doc));
    assert_true(matches("lastUpdate<=2026-03-01T10:00:00Z", doc));
    assert_true(matches("validFor.startDateTime[lt]=2026-01-02T00:00:00Z", doc));
    assert_false(matches("validFor.startDateTime.gt=2026-01-02T00:00:00Z", doc));
    /* not a time on one side: byte order */
    assert_true(matches("name.gt=Galaxy", doc));
    assert_true(matches("name.lt=Golden", doc));
    assert_false(matches("name.lt=Gold", doc));
}

static void test_time_filter_errors(void **state)
{
    /* a time attribute (lastUpdate, *Date, *DateTime) takes only RFC 3339 instants */
    parse_bad("lastUpdate.gt=yesterday", BSS_E_INVALID, "lastUpdate.gt", "expected an RFC 3339 time, got 'yesterday'");
    parse_bad("lastUpdate.gt=2026-99", BSS_E_INVALID, "lastUpdate.gt", "expected an RFC 3339 time");
    parse_bad("lastUpdate.lt=2026-13-01T00:00:00Z", BSS_E_INVALID, "lastUpdate.lt", "RFC 3339");
    parse_bad("validFor.startDateTime.gte=2026-02-30T00:00:00Z", BSS_E_INVALID, "validFor.startDateTime.gte",
              "RFC 3339");
    parse_bad("orderDate=soon", BSS_E_INVALID, "orderDate", "RFC 3339");
    parse_bad("lastUpdate=2026-03-01T10:00:00Z,never", BSS_E_INVALID, "lastUpdate", "got 'never'");
    /* a date-shaped value on any attribute must be a real date */
    parse_bad("note=2026-02-30", BSS_E_INVALID, "note", "RFC 3339");
}

static void test_match_numbers_bools_arrays(void **state)
{
    const char *doc = "{\"n\":42,\"r\":2.5,\"ok\":true,\"no\":false,\"z\":null,"
                      "\"category\":[{\"id\":\"1\"},{\"id\":\"7\",\"tags\":[\"a\",\"b\"]}],"
                      "\"deep\":[[{\"x\":3}]],\"s\":\"x\"}";
    assert_true(matches("n=42", doc));
    assert_true(matches("n=42.0", doc));
    assert_false(matches("n=41", doc));
    assert_true(matches("n.gt=41&n.lt=43", doc));
    assert_false(matches("n=abc", doc));
    assert_false(matches("n=", doc));
    assert_true(matches("r.gte=2.5", doc));
    assert_true(matches("r.lt=3", doc));
    assert_false(matches("r=x", doc));
    /* amounts compare exactly as micro-units, like money is read */
    const char *price = "{\"price\":{\"unit\":\"EUR\",\"value\":19.99},\"fee\":0.3,\"tiny\":1e-7}";
    assert_true(matches("price.value=19.99", price));
    assert_true(matches("price.value.gte=19.99&price.value.lte=19.990000", price));
    assert_false(matches("price.value.gte=19.990001", price));
    assert_true(matches("price.value.lt=19.990001", price));
    assert_true(matches("fee=0.3", price));
    assert_true(matches("fee.gt=0.299999&fee.lt=0.300001", price));
    /* beyond 6 decimals the comparison falls back to the JSON number */
    assert_true(matches("tiny.lt=0.0000002", price));
    assert_true(matches("ok=true", doc));
    assert_false(matches("ok=false", doc));
    assert_true(matches("no=false", doc));
    assert_false(matches("ok.gt=false", doc));
    assert_true(matches("z=null", doc));
    assert_false(matches("z=x", doc));
    assert_false(matches("z.gt=null", doc));
    assert_true(matches("category.id=7", doc));
    assert_true(matches("category.id=9,1", doc));
    assert_false(matches("category.id=9", doc));
    assert_true(matches("category.tags=b", doc));
    assert_true(matches("deep.x=3", doc));
    assert_false(matches("s.x=1", doc)); /* a path through a string */
    bss_query_filter f = {0};
    assert_false(bss_query_filter_match(&f, NULL));
}

static void test_project(void **state)
{
    json_t *doc = js("{\"id\":\"1\",\"href\":\"h\",\"name\":\"n\",\"version\":\"2\",\"validFor\":{\"a\":1}}");
    bss_query q = parse_ok("fields=validFor.a,name");
    json_t *p = bss_query_project(&q, doc);
    char *text = bss_json_dump(p, NULL);
    assert_string_equal(text, "{\"id\":\"1\",\"href\":\"h\",\"name\":\"n\",\"validFor\":{\"a\":1}}");
    bss_free(text);
    json_decref(p);
    bss_query_free(&q);
    q = parse_ok("name=n");
    p = bss_query_project(&q, doc);
    assert_ptr_equal(p, doc); /* no fields=: the document itself */
    json_decref(p);
    bss_query_free(&q);
    json_decref(doc);
}

static void test_compare(void **state)
{
    json_t *a = js("{\"id\":\"1\",\"name\":\"b\",\"t\":\"2026-01-01T01:00:00+01:00\",\"n\":2}");
    json_t *b = js("{\"id\":\"2\",\"name\":\"a\",\"t\":\"2026-01-01T00:30:00Z\",\"n\":10}");
    json_t *c = js("{\"id\":\"3\"}");
    bss_query q = parse_ok("sort=name");
    assert_true(bss_query_compare(&q, a, b) > 0);
    assert_true(bss_query_compare(&q, c, b) < 0); /* missing first */
    bss_query_free(&q);
    q = parse_ok("sort=-name");
    assert_true(bss_query_compare(&q, a, b) < 0);
    bss_query_free(&q);
    q = parse_ok("sort=t");
    assert_true(bss_query_compare(&q, a, b) < 0); /* 00:00Z before 00:30Z */
    bss_query_free(&q);
    q = parse_ok("sort=n");
    assert_true(bss_query_compare(&q, a, b) < 0);
    assert_int_equal(bss_query_compare(&q, a, a), 0);
    bss_query_free(&q);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_oom(void **state)
{
    /* every allocation failing in turn returns NOMEM, never crashes or leaks */
    const char *raw = "fields=name&sort=-name&a.b.gt=1,2&offset=3";
    for (int nth = 1; nth < 40; nth++) {
        bss_query q;
        bss_errinfo ei;
        bss_mem_fail_after(nth, 0);
        bss_err rc = bss_query_parse(raw, strlen(raw), &q, &ei);
        bss_mem_fail_after(0, 0);
        assert_true(rc == BSS_OK || rc == BSS_E_NOMEM);
        bss_query_free(&q);
    }
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_offset_limit),
        cmocka_unit_test(test_decoding),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_match_strings_and_times),
        cmocka_unit_test(test_time_filter_errors),
        cmocka_unit_test(test_match_numbers_bools_arrays),
        cmocka_unit_test(test_project),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
