/*
 * test_eligibility.c: the pure eligibility decision (catalog.h: eligibility):
 * every reason code on its own and together, the symmetric exclusion, and
 * which promotions apply (segment, channel, coupon, newCustomersOnly,
 * validFor, target offerings, stacking) with their descriptions; lines,
 * tenure, the loyalty (minTenureMonths) and multi-line (minLines,
 * action.perLine) promotions and the discount each line gets, with
 * hand-computed numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"
#include "unittest.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

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

/* ---- lines, tenure, loyalty and multi-line promotions ---------------------- */

static const char *addon =
    "{\"id\":\"po-1gb\",\"lifecycleStatus\":\"Active\",\"productOfferingRelationship\":["
    "{\"id\":\"po-m\",\"relationshipType\":\"addOnTo\"}]}";

static void test_lines(void **state)
{
    (void)state;
    json_t *base = js(plain), *add = js(addon);
    json_t *fixed = js("{\"id\":\"po-fixed\",\"eligibility\":{\"countsAsLine\":false}}");
    json_t *sim = js("{\"id\":\"po-data-sim\",\"eligibility\":{\"countsAsLine\":true},"
                     "\"productOfferingRelationship\":[{\"id\":\"po-m\",\"relationshipType\":\"addOnTo\"}]}");
    assert_true(bss_eligibility_is_line(base));
    assert_false(bss_eligibility_is_line(add));
    assert_false(bss_eligibility_is_line(fixed));
    assert_true(bss_eligibility_is_line(sim));
    assert_false(bss_eligibility_is_line(NULL));
    /* 2 x po-m + 1 data SIM are lines; 3 add-ons, a fixed plan and an unknown document are not */
    bss_elig_held held[] = {{"po-m", 2, base},
                            {"po-1gb", 3, add},
                            {"po-fixed", 1, fixed},
                            {"po-data-sim", 1, sim},
                            {"po-gone", 1, NULL}};
    bss_elig_request req = req0();
    req.held = held;
    req.nheld = 5;
    req.quantity = 2;
    bss_eligibility_count_lines(base, &req);
    assert_int_equal(req.lines_held, 3);
    assert_int_equal(req.lines_ordered, 2);
    bss_eligibility_count_lines(add, &req);
    assert_int_equal(req.lines_ordered, 0);
    bss_eligibility_count_lines(NULL, &req);
    assert_int_equal(req.lines_ordered, 0);
    /* bss_eligibility_check counts them itself (the request's own values are ignored) */
    bss_elig_result r;
    req.lines_held = 99;
    assert_int_equal(bss_eligibility_check(base, NULL, &req, &r, NULL), BSS_OK);
    assert_int_equal(r.lines_held, 3);
    assert_int_equal(r.lines_ordered, 2);
    assert_int_equal(r.tenure_months, -1);
    json_decref(base);
    json_decref(add);
    json_decref(fixed);
    json_decref(sim);
}

static int64_t at(int y, int mo, int d, int h)
{
    return bss_time_from_civil(y, mo, d, h, 0, 0, 0);
}

static void test_tenure(void **state)
{
    (void)state;
    bss_elig_request req = req0();
    assert_int_equal(bss_eligibility_tenure_months(&req), -1); /* unknown */
    req.has_customer_since = true;
    req.customer_since_ms = at(2024, 1, 31, 10);
    req.now_ms = at(2026, 1, 1, 0);
    assert_int_equal(bss_eligibility_tenure_months(&req), 23); /* 24 months is 2026-01-31T10:00 */
    req.now_ms = at(2026, 1, 31, 10);
    assert_int_equal(bss_eligibility_tenure_months(&req), 24);
    req.now_ms = at(2026, 1, 31, 10) - 1;
    assert_int_equal(bss_eligibility_tenure_months(&req), 23);
    req.customer_since_ms = at(2025, 12, 31, 0); /* + 2 months clamps to 2026-02-28 */
    req.now_ms = at(2026, 2, 28, 0);
    assert_int_equal(bss_eligibility_tenure_months(&req), 2);
    req.customer_since_ms = req.now_ms + 1; /* in the future */
    assert_int_equal(bss_eligibility_tenure_months(&req), 0);
}

static const char *promo_multi =
    "{\"id\":\"pr-multi\",\"name\":\"Multi-line\",\"lifecycleStatus\":\"Active\",\"stackable\":true,"
    "\"eligibility\":{\"minLines\":2},\"action\":{\"type\":\"discount\",\"percentage\":10,\"perLine\":{}}}";

/* Applies promo for an account holding `held` lines ordering `ordered`; returns discounted lines or -1. */
static int64_t multi(const json_t *p, int64_t held, int64_t ordered, bss_elig_promotion *out)
{
    bss_elig_request req = req0();
    req.lines_held = held;
    req.lines_ordered = ordered;
    return bss_eligibility_promotion_applies(p, "po-m", &req, out) ? out->discounted_lines : -1;
}

static void test_multi_line(void **state)
{
    (void)state;
    json_t *p = js(promo_multi);
    bss_elig_promotion pr;
    assert_int_equal(multi(p, 0, 1, &pr), -1); /* the first line: 1 line < minLines 2 */
    assert_int_equal(multi(p, 0, 3, &pr), 2);  /* lines 1..3 ordered: 2 and 3 get it */
    assert_true(pr.per_line);
    assert_int_equal(pr.from_line, 2);
    assert_int_equal(pr.min_lines, 2);
    assert_int_equal(pr.percent_micros, 10000000);
    assert_string_equal(pr.description, "10% off the recurring charges of each line from the 2nd (2 lines of "
                                        "this order) for accounts with 2+ lines");
    assert_int_equal(multi(p, 1, 2, &pr), 2); /* lines 2 and 3 */
    assert_int_equal(multi(p, 3, 1, &pr), 1); /* line 4 */
    assert_string_equal(pr.description, "10% off the recurring charges of each line from the 2nd (1 line of "
                                        "this order) for accounts with 2+ lines");
    assert_int_equal(multi(p, 3, 0, &pr), -1); /* an add-on order adds no line: nothing to discount */
    json_decref(p);
    /* EUR 5 per line from the 3rd: 1 held + 3 ordered = lines 2..4, of which 3 and 4 get EUR 5: EUR 10 */
    p = js("{\"id\":\"pr-5\",\"name\":\"Five\",\"lifecycleStatus\":\"Active\",\"action\":{\"amount\":"
           "{\"unit\":\"EUR\",\"value\":5},\"cycles\":12,\"perLine\":{\"fromLine\":3}}}");
    assert_int_equal(multi(p, 1, 3, &pr), 2);
    assert_int_equal(pr.amount_micros, 5000000);
    assert_int_equal(pr.total_amount_micros, 10000000);
    assert_string_equal(pr.description,
                        "EUR 5 off the recurring charges of each line from the 3rd (2 lines of "
                        "this order) for the first 12 cycles");
    assert_int_equal(multi(p, 0, 2, &pr), -1); /* lines 1 and 2: none from the 3rd */
    json_decref(p);
    /* fromLine below 1 in a stored document: the promotion is not usable */
    p = js("{\"id\":\"x\",\"lifecycleStatus\":\"Active\",\"action\":{\"percentage\":5,\"perLine\":{"
           "\"fromLine\":0}}}");
    assert_int_equal(multi(p, 5, 1, &pr), -1);
    json_decref(p);
}

static void test_loyalty(void **state)
{
    (void)state;
    json_t *p =
        js("{\"id\":\"pr-loyal\",\"name\":\"Loyalty\",\"lifecycleStatus\":\"Active\",\"stackable\":true,"
           "\"eligibility\":{\"minTenureMonths\":24},\"action\":{\"percentage\":15}}");
    bss_elig_request req = req0(); /* now 2026-01-01 */
    bss_elig_promotion pr;
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &pr)); /* tenure unknown */
    req.has_customer_since = true;
    req.customer_since_ms = at(2024, 1, 2, 0); /* 23 months */
    assert_false(bss_eligibility_promotion_applies(p, "po-m", &req, &pr));
    req.customer_since_ms = at(2024, 1, 1, 0); /* 24 months */
    assert_true(bss_eligibility_promotion_applies(p, "po-m", &req, &pr));
    assert_int_equal(pr.min_tenure_months, 24);
    assert_false(pr.per_line);
    assert_string_equal(pr.description, "15% off the recurring charges for customers of 24+ months");
    json_decref(p);
    /* both criteria in one check: a customer of 3 years with 2 lines ordering a third */
    json_t *promos =
        js("[{\"id\":\"pr-loyal\",\"name\":\"Loyalty\",\"lifecycleStatus\":\"Active\","
           "\"stackable\":true,\"eligibility\":{\"minTenureMonths\":24,\"minLines\":3},"
           "\"action\":{\"percentage\":15}},"
           "{\"id\":\"pr-multi\",\"name\":\"Multi\",\"lifecycleStatus\":\"Active\",\"stackable\":true,"
           "\"eligibility\":{\"minLines\":2},\"action\":{\"percentage\":10,\"perLine\":{}}}]");
    json_t *base = js(plain);
    bss_elig_held held[] = {{"po-m", 2, base}};
    req.held = held;
    req.nheld = 1;
    req.customer_since_ms = at(2023, 1, 1, 0);
    bss_elig_result r;
    assert_int_equal(bss_eligibility_check(base, promos, &req, &r, NULL), BSS_OK);
    assert_int_equal(r.tenure_months, 36);
    assert_int_equal(r.lines_held, 2);
    assert_int_equal(r.lines_ordered, 1);
    assert_int_equal(r.npromotions, 2);
    assert_string_equal(r.promotions[0].description,
                        "15% off the recurring charges for customers of 24+ months with 3+ lines");
    assert_int_equal(r.promotions[1].discounted_lines, 1);
    req.customer_since_ms = at(2025, 6, 1, 0); /* 7 months: only the multi-line one */
    assert_int_equal(bss_eligibility_check(base, promos, &req, &r, NULL), BSS_OK);
    assert_int_equal(r.npromotions, 1);
    assert_string_equal(r.promotions[0].id, "pr-multi");
    json_decref(promos);
    json_decref(base);
}

static void test_discount_per_line(void **state)
{
    (void)state;
    bss_elig_promotion pr = {.percent_micros = 10000000, .per_line = true, .from_line = 2, .cycles = 3};
    /* 10% per line from line 2 on EUR 22.50: line 1 nothing, lines 2 and 3 EUR 2.25, for 3 cycles */
    assert_int_equal(bss_eligibility_discount(&pr, 1, 1, 22500000), 0);
    assert_int_equal(bss_eligibility_discount(&pr, 2, 1, 22500000), 2250000);
    assert_int_equal(bss_eligibility_discount(&pr, 3, 3, 22500000), 2250000);
    assert_int_equal(bss_eligibility_discount(&pr, 3, 4, 22500000), 0);
    assert_int_equal(bss_eligibility_discount(&pr, 2, 1, 0), 0);
    /* 12.5% of EUR 14.50 = 1.8125; 15% of EUR 9.99 = 1.4985 (exact in micros); 50% of 0.000003 rounds up */
    bss_elig_promotion pct = {.percent_micros = 12500000};
    assert_int_equal(bss_eligibility_discount(&pct, 1, 99, 14500000), 1812500);
    pct.percent_micros = 15000000;
    assert_int_equal(bss_eligibility_discount(&pct, 1, 1, 9990000), 1498500);
    pct.percent_micros = 50000000;
    assert_int_equal(bss_eligibility_discount(&pct, 1, 1, 3), 2);
    /* an amount: EUR 5 per line, at most the charge */
    bss_elig_promotion amt = {.amount_micros = 5000000, .currency = "EUR", .per_line = true, .from_line = 3};
    assert_int_equal(bss_eligibility_discount(&amt, 2, 1, 14500000), 0);
    assert_int_equal(bss_eligibility_discount(&amt, 3, 1, 14500000), 5000000);
    assert_int_equal(bss_eligibility_discount(&amt, 4, 1, 3000000), 3000000);
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
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_tenure),
        cmocka_unit_test(test_multi_line),
        cmocka_unit_test(test_loyalty),
        cmocka_unit_test(test_discount_per_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
