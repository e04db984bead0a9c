/*
 * test_eligibility.c: the pure eligibility decision (catalog/eligibility.h):
 * every reason code on its own and together, the symmetric exclusion, and
 * which promotions apply (segment, channel, coupon, newCustomersOnly,
 * validFor, target offerings, stacking) with their descriptions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/eligibility.h"
#include "core/json.h"
#include "core/mem.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

static json_t *js(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    return v;
}

static bss_elig_request req0(void)
{
    return (bss_elig_request){
        .segment = "consumer", .channel = "web", .quantity = 1, .new_customer = -1, .now_ms = NOW};
}

static const char *plain = "{\"id\":\"po-m\",\"name\":\"M\",\"lifecycleStatus\":\"Active\"}";

static bool has_reason(const bss_elig_result *r, const char *code)
{
    for (size_t i = 0; i < r->nreasons; i++)
        if (strcmp(r->reasons[i].code, code) == 0)
            return true;
    return false;
}

/* Checks doc for req; returns the result (offering freed by the caller via *keep). */
static void run(const char *doc, const char *promos, const bss_elig_request *req, bss_elig_result *out)
{
    json_t *off = js(doc), *pr = promos ? js(promos) : NULL;
    bss_errinfo ei;
    assert_int_equal(bss_eligibility_check(off, pr, req, out, &ei), BSS_OK);
    /* strings of the result point into the documents: copy what tests read before freeing */
    for (size_t i = 0; i < out->npromotions; i++) {
        out->promotions[i].id = NULL;
        out->promotions[i].name = NULL;
        out->promotions[i].coupon = out->promotions[i].coupon ? "set" : NULL;
        out->promotions[i].currency = out->promotions[i].currency ? "cur" : NULL;
    }
    json_decref(off);
    json_decref(pr);
}

static void test_plain_offering_is_eligible(void **state)
{
    (void)state;
    bss_elig_request req = req0();
    bss_elig_result r;
    run(plain, NULL, &req, &r);
    assert_true(r.eligible);
    assert_int_equal(r.nreasons, 0);
    assert_int_equal(r.npromotions, 0);
}

static void test_bad_request(void **state)
{
    (void)state;
    json_t *off = js(plain), *noid = js("{\"name\":\"x\"}");
    bss_elig_request req = req0();
    bss_elig_result r;
    bss_errinfo ei;
    req.quantity = 0;
    assert_int_equal(bss_eligibility_check(off, NULL, &req, &r, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "quantity");
    req.quantity = 1;
    assert_int_equal(bss_eligibility_check(noid, NULL, &req, &r, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "id");
    json_decref(off);
    json_decref(noid);
}

static void test_not_active_and_valid_for(void **state)
{
    (void)state;
    bss_elig_request req = req0();
    bss_elig_result r;
    run("{\"id\":\"x\",\"lifecycleStatus\":\"Retired\","
        "\"validFor\":{\"startDateTime\":\"2027-01-01T00:00:00Z\"}}",
        NULL, &req, &r);
    assert_false(r.eligible);
    assert_int_equal(r.nreasons, 2);
    assert_string_equal(r.reasons[0].code, "OFFERING_NOT_ACTIVE");
    assert_non_null(strstr(r.reasons[0].message, "Retired"));
    assert_string_equal(r.reasons[1].code, "OUTSIDE_VALID_FOR");
    run("{\"id\":\"x\",\"lifecycleStatus\":\"Active\","
        "\"validFor\":{\"startDateTime\":\"2025-01-01T00:00:00Z\",\"endDateTime\":\"2025-12-31T00:00:00Z\"}}",
        NULL, &req, &r);
    assert_true(has_reason(&r, "OUTSIDE_VALID_FOR"));
}

static void test_segment_and_channel(void **state)
{
    (void)state;
    const char *doc = "{\"id\":\"x\",\"lifecycleStatus\":\"Active\","
                      "\"marketSegment\":[{\"id\":\"seg-b\",\"name\":\"Business\"}],"
                      "\"eligibility\":{\"channels\":[\"shop\",\"care\"]}}";
    bss_elig_request req = req0();
    bss_elig_result r;
    run(doc, NULL, &req, &r);
    assert_false(r.eligible);
    assert_int_equal(r.nreasons, 2);
    assert_string_equal(r.reasons[0].code, "SEGMENT_NOT_ALLOWED");
    assert_non_null(strstr(r.reasons[0].message, "consumer"));
    assert_string_equal(r.reasons[1].code, "CHANNEL_NOT_ALLOWED");
    req.segment = "business"; /* matches the name, case-insensitively */
    req.channel = "SHOP";
    run(doc, NULL, &req, &r);
    assert_true(r.eligible);
    req.segment = NULL; /* unknown segment fails a restricted offering */
    run(doc, NULL, &req, &r);
    assert_true(has_reason(&r, "SEGMENT_NOT_ALLOWED"));
}

static void test_max_quantity(void **state)
{
    (void)state;
    const char *doc =
        "{\"id\":\"sim\",\"lifecycleStatus\":\"Active\",\"eligibility\":{\"maxQuantityPerAccount\":5}}";
    bss_elig_held held[] = {{"sim", 4, NULL}};
    bss_elig_request req = req0();
    req.held = held;
    req.nheld = 1;
    bss_elig_result r;
    run(doc, NULL, &req, &r);
    assert_true(r.eligible);
    req.quantity = 2;
    run(doc, NULL, &req, &r);
    assert_false(r.eligible);
    assert_string_equal(r.reasons[0].code, "MAX_QUANTITY_EXCEEDED");
    assert_non_null(strstr(r.reasons[0].message, "at most 5"));
}

static void test_add_on_needs_base(void **state)
{
    (void)state;
    const char *doc = "{\"id\":\"addon-1gb\",\"lifecycleStatus\":\"Active\",\"productOfferingRelationship\":["
                      "{\"id\":\"po-s\",\"name\":\"Plan S\",\"relationshipType\":\"addOnTo\"},"
                      "{\"id\":\"po-m\",\"name\":\"Plan M\",\"relationshipType\":\"AddOnTo\"},"
                      "{\"id\":\"sim\",\"relationshipType\":\"requires\"}]}";
    bss_elig_request req = req0();
    bss_elig_result r;
    run(doc, NULL, &req, &r);
    assert_false(r.eligible);
    assert_int_equal(r.nreasons, 2);
    assert_string_equal(r.reasons[0].code, "REQUIRED_OFFERING_MISSING");
    assert_string_equal(r.reasons[1].code, "BASE_PLAN_REQUIRED");
    assert_non_null(strstr(r.reasons[1].message, "Plan S, Plan M"));
    bss_elig_held held[] = {{"po-m", 1, NULL}, {"sim", 1, NULL}};
    req.held = held;
    req.nheld = 2;
    run(doc, NULL, &req, &r);
    assert_true(r.eligible);
}

static void test_excludes_both_ways(void **state)
{
    (void)state;
    const char *doc = "{\"id\":\"prepaid\",\"lifecycleStatus\":\"Active\",\"productOfferingRelationship\":["
                      "{\"id\":\"postpaid\",\"relationshipType\":\"excludes\"}]}";
    bss_elig_held held[] = {{"postpaid", 1, NULL}};
    bss_elig_request req = req0();
    req.held = held;
    req.nheld = 1;
    bss_elig_result r;
    run(doc, NULL, &req, &r);
    assert_false(r.eligible);
    assert_string_equal(r.reasons[0].code, "EXCLUDED_OFFERING_HELD");
    /* declared only on the held offering */
    json_t *other = js("{\"id\":\"family\",\"productOfferingRelationship\":["
                       "{\"id\":\"po-m\",\"relationshipType\":\"excludes\"}]}");
    bss_elig_held held2[] = {{"family", 1, other}};
    req.held = held2;
    run(plain, NULL, &req, &r);
    assert_false(r.eligible);
    assert_string_equal(r.reasons[0].code, "EXCLUDED_OFFERING_HELD");
    assert_non_null(strstr(r.reasons[0].message, "family"));
    json_decref(other);
}

static const char *promo_half =
    "{\"id\":\"pr-half\",\"name\":\"Half price\",\"lifecycleStatus\":\"Active\","
    "\"validFor\":{\"startDateTime\":\"2025-06-01T00:00:00Z\",\"endDateTime\":\"2026-12-31T23:59:59Z\"},"
    "\"eligibility\":{\"segments\":[\"consumer\"],\"channels\":[\"web\",\"app\"],\"newCustomersOnly\":true},"
    "\"action\":{\"type\":\"discount\",\"percentage\":50,\"cycles\":3,\"offeringIds\":[\"po-m\",\"po-l\"]}}";

static void test_promotion_applies(void **state)
{
    (void)state;
    json_t *p = js(promo_half);
    bss_elig_request req = req0();
    bss_elig_promotion out;
    req.new_customer = 1;
    assert_true(bss_eligibility_promotion_applies(p, "po-m", &req, &out));
    assert_string_equal(out.id, "pr-half");
    assert_int_equal(out.percent_micros, 50000000);
    assert_int_equal(out.cycles, 3);
    assert_string_equal(out.description, "50% off the recurring charges for the first 3 cycles");
    assert_false(bss_eligibility_promotion_applies(p, "po-s", &req, &out)); /* not targeted */
    req.new_customer = 0;
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &out)); /* existing customer */
    req.new_customer = 1;
    req.segment = "business";
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &out));
    req.segment = "consumer";
    req.channel = "shop";
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &out));
    req.channel = "app";
    req.now_ms = NOW + INT64_C(400) * 86400000; /* 2027-02: after validFor */
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &out));
    json_decref(p);
}

static void test_coupons_and_stacking(void **state)
{
    (void)state;
    const char *promos =
        "[{\"id\":\"a\",\"name\":\"Loyalty\",\"lifecycleStatus\":\"Active\",\"stackable\":true,"
        "\"action\":{\"type\":\"discount\",\"amount\":{\"unit\":\"EUR\",\"value\":2.5}}},"
        "{\"id\":\"b\",\"name\":\"Welcome\",\"lifecycleStatus\":\"Active\",\"couponCodes\":[\"WELCOME50\"],"
        "\"action\":{\"type\":\"discount\",\"percentage\":50,\"cycles\":1}},"
        "{\"id\":\"c\",\"name\":\"Draft\",\"lifecycleStatus\":\"In design\","
        "\"action\":{\"type\":\"discount\",\"percentage\":10}}]";
    bss_elig_request req = req0();
    bss_elig_result r;
    json_t *off = js(plain), *pr = js(promos);
    assert_int_equal(bss_eligibility_check(off, pr, &req, &r, NULL), BSS_OK);
    assert_int_equal(r.npromotions, 1); /* no coupon: only the stackable loyalty discount */
    assert_string_equal(r.promotions[0].id, "a");
    assert_string_equal(r.promotions[0].description, "EUR 2.5 off the recurring charges");
    req.coupon = "welcome50";
    assert_int_equal(bss_eligibility_check(off, pr, &req, &r, NULL), BSS_OK);
    assert_int_equal(r.npromotions, 1); /* the non-stackable coupon promotion wins alone */
    assert_string_equal(r.promotions[0].id, "b");
    assert_string_equal(r.promotions[0].coupon, "WELCOME50");
    assert_int_equal(r.nwarnings, 0);
    req.coupon = "NOPE";
    assert_int_equal(bss_eligibility_check(off, pr, &req, &r, NULL), BSS_OK);
    assert_true(r.eligible);
    assert_int_equal(r.nwarnings, 1);
    assert_string_equal(r.warnings[0].code, "COUPON_NOT_APPLICABLE");
    json_decref(off);
    json_decref(pr);
}

static void test_ineligible_gets_no_promotions(void **state)
{
    (void)state;
    bss_elig_request req = req0();
    req.segment = "business";
    bss_elig_result r;
    run("{\"id\":\"x\",\"lifecycleStatus\":\"Active\",\"eligibility\":{\"segments\":[\"consumer\"]}}",
        "[{\"id\":\"a\",\"lifecycleStatus\":\"Active\",\"action\":{\"percentage\":5}}]", &req, &r);
    assert_false(r.eligible);
    assert_int_equal(r.npromotions, 0);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_offering_is_eligible),
        cmocka_unit_test(test_bad_request),
        cmocka_unit_test(test_not_active_and_valid_for),
        cmocka_unit_test(test_segment_and_channel),
        cmocka_unit_test(test_max_quantity),
        cmocka_unit_test(test_add_on_needs_base),
        cmocka_unit_test(test_excludes_both_ways),
        cmocka_unit_test(test_promotion_applies),
        cmocka_unit_test(test_coupons_and_stacking),
        cmocka_unit_test(test_ineligible_gets_no_promotions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
