/*
 * tmf620_eligibility.c: POST
 * /tmf-api/productCatalogManagement/v4/productOffering/{id}/checkEligibility
 * (any role), the question order management asks before it accepts an
 * order line: may this customer buy this offering, and which promotions
 * come with it? Decodes the body into a typed bss_elig_request, lets the
 * catalog decide on the loop's connection (catalog.h
 * bss_catalog_check_eligibility: reads only) and renders the result.
 *
 * Body (every member optional):
 *   {"customerSegment": "consumer", "channel": "web",
 *    "accountOfferings": [{"id": "po-postpaid-m", "quantity": 1}],
 *    "quantity": 1, "couponCode": "WELCOME50",
 *    "newCustomer": true | "customerSince": "2026-01-04T00:00:00Z"}
 * A customer is new when newCustomer says so; else when customerSince is
 * less than 30 days before now; else when the account holds no offerings
 * (the catalog's rule).
 * Answer 200 {"offeringId", "eligible", "reasons": [{code, message}],
 * "warnings": [{code, message}], "promotions": [{id, name, couponCode,
 * discount: {percentage | amount: Money, cycles, perLine: {fromLine,
 * discountedLines}}, stackable, description}], "lines": {"held",
 * "ordered"}, "tenureMonths" (when customerSince is given)}; lines and
 * tenure feed the loyalty and multi-line promotions
 * (catalog.h: eligibility); 404 for an unknown offering; 400 naming the
 * field of a bad body.
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"

typedef struct elig_input {
    bss_elig_request req;
    bss_elig_held held[BSS_ELIG_MAX_HELD];
} elig_input;

static bss_err parse_held(const json_t *body, elig_input *in, bss_errinfo *ei)
{
    const json_t *list = json_object_get(body, "accountOfferings");
    if (!list || json_is_null(list))
        return BSS_OK;
    if (!json_is_array(list))
        return bss_fail(ei, BSS_E_INVALID, "accountOfferings",
                        "accountOfferings must be an array of {id, quantity}");
    if (json_array_size(list) > BSS_ELIG_MAX_HELD)
        return bss_fail(ei, BSS_E_INVALID, "accountOfferings", "accountOfferings holds at most %d entries",
                        BSS_ELIG_MAX_HELD);
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        char at[64], qat[64];
        snprintf(at, sizeof at, "accountOfferings[%zu].id", i);
        snprintf(qat, sizeof qat, "accountOfferings[%zu].quantity", i);
        const char *id = NULL;
        int64_t qty = 1;
        if (!json_is_object(e))
            return bss_fail(ei, BSS_E_INVALID, at, "%s: each entry is an object {id, quantity}", at);
        bss_err rc = bss_json_get_str(e, "id", at, true, &id, ei);
        if (!rc)
            rc = bss_json_get_int(e, "quantity", qat, false, &qty, ei);
        if (rc)
            return rc;
        if (qty < 1)
            return bss_fail(ei, BSS_E_INVALID, qat, "%s must be at least 1", qat);
        in->held[i] = (bss_elig_held){id, qty, NULL}; /* the catalog loads the documents */
        in->req.nheld = i + 1;
    }
    in->req.held = in->held;
    return BSS_OK;
}

static bss_err parse_body(bss_req *r, const json_t *body, elig_input *in, bss_errinfo *ei)
{
    bss_elig_request *q = &in->req;
    q->quantity = 1;
    q->new_customer = -1;
    q->now_ms = bss_clock_now(&r->app->clock);
    bool is_new = false;
    int64_t since = INT64_MIN;
    bss_err rc = bss_json_get_str(body, "customerSegment", "customerSegment", false, &q->segment, ei);
    if (!rc)
        rc = bss_json_get_str(body, "channel", "channel", false, &q->channel, ei);
    if (!rc)
        rc = bss_json_get_int(body, "quantity", "quantity", false, &q->quantity, ei);
    if (!rc && q->quantity < 1)
        rc = bss_fail(ei, BSS_E_INVALID, "quantity", "quantity must be at least 1");
    if (!rc)
        rc = bss_json_get_str(body, "couponCode", "couponCode", false, &q->coupon, ei);
    if (!rc)
        rc = bss_json_get_time(body, "customerSince", "customerSince", false, &since, ei);
    if (!rc && json_object_get(body, "newCustomer") && !json_is_null(json_object_get(body, "newCustomer"))) {
        rc = bss_json_get_bool(body, "newCustomer", "newCustomer", false, &is_new, ei);
        q->new_customer = is_new ? 1 : 0;
    }
    q->has_customer_since = since != INT64_MIN;
    q->customer_since_ms = since;
    if (!rc)
        rc = parse_held(body, in, ei);
    return rc;
}

static bss_err add_promotion(bss_err rc, json_t *arr, const bss_elig_promotion *p)
{
    if (rc)
        return rc;
    json_t *d = json_object();
    if (!d)
        return BSS_E_NOMEM;
    int bad = 0;
    if (p->currency)
        bad = json_object_set_new(
            d, "amount",
            json_pack("{s:s, s:o}", "unit", p->currency, "value", bss_money_to_json(p->amount_micros)));
    else
        bad = json_object_set_new(d, "percentage", bss_money_to_json(p->percent_micros));
    if (!bad && p->cycles > 0)
        bad = json_object_set_new(d, "cycles", json_integer(p->cycles));
    if (!bad && p->per_line)
        bad = json_object_set_new(d, "perLine",
                                  json_pack("{s:I, s:I}", "fromLine", (json_int_t)p->from_line,
                                            "discountedLines", (json_int_t)p->discounted_lines));
    json_t *e = json_pack("{s:s?, s:s?, s:s?, s:o, s:b, s:s}", "id", p->id, "name", p->name, "couponCode",
                          p->coupon, "discount", d, "stackable", p->stackable, "description", p->description);
    if (bad || !e || json_array_append_new(arr, e)) {
        json_decref(e);
        return BSS_E_NOMEM;
    }
    return BSS_OK;
}

static json_t *reasons_json(const bss_elig_reason *list, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(
                arr, json_pack("{s:s, s:s}", "code", list[i].code, "message", list[i].message))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *render(const char *id, const bss_elig_result *res)
{
    json_t *promos = json_array();
    bss_err rc = promos ? BSS_OK : BSS_E_NOMEM;
    for (size_t i = 0; i < res->npromotions; i++)
        rc = add_promotion(rc, promos, &res->promotions[i]);
    json_t *out = NULL;
    if (!rc)
        out = json_pack("{s:s, s:b, s:o, s:o, s:O, s:{s:I, s:I}}", "offeringId", id, "eligible",
                        res->eligible, "reasons", reasons_json(res->reasons, res->nreasons), "warnings",
                        reasons_json(res->warnings, res->nwarnings), "promotions", promos, "lines", "held",
                        (json_int_t)res->lines_held, "ordered", (json_int_t)res->lines_ordered);
    if (out && res->tenure_months >= 0 &&
        json_object_set_new(out, "tenureMonths", json_integer(res->tenure_months)) != 0) {
        json_decref(out);
        out = NULL;
    }
    json_decref(promos);
    return out;
}

static int h_check(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    json_t *body = bss_http_body(r).len ? bss_http_json_body(r, true) : json_object();
    if (!body)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    elig_input *in = bss_calloc(1, sizeof *in);
    bss_elig_result *res = in ? bss_calloc(1, sizeof *res) : NULL;
    bss_err rc = res ? BSS_OK : bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    bool found = false;
    json_t *promotions = NULL; /* what the result's strings point into */
    if (!rc)                   /* an unknown offering is 404 before the body is judged */
        rc = bss_doc_exists(r->db, &bss_offering_kind, id ? id : "", &found, &ei);
    if (!rc && !found)
        rc = bss_fail(&ei, BSS_E_NOT_FOUND, "id", "no productOffering with id %.64s", id ? id : "");
    if (!rc)
        rc = parse_body(r, body, in, &ei);
    if (!rc)
        rc = bss_catalog_check_eligibility(r->db, id, &in->req, res, &promotions, &ei);
    json_t *out = rc ? NULL : render(id, res);
    if (!rc && !out)
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc)
        bss_http_send_error(r, rc, &ei);
    else
        bss_http_send_json(r, 200, out);
    json_decref(promotions);
    bss_free(res);
    bss_free(in);
    json_decref(body);
    return 0;
}

static const bss_route elig_route = {
    "POST",
    "/tmf-api/productCatalogManagement/v4/productOffering/{id}/checkEligibility",
    h_check,
    BSS_ROLES_ANY,
    "tmf620.productOffering.checkEligibility",
    NULL};

bss_err bss_tmf620_eligibility_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_router_add(rt, &elig_route);
}
