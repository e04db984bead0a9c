/*
 * tmf620_eligibility.c: POST
 * /tmf-api/productCatalogManagement/v4/productOffering/{id}/checkEligibility
 * (any role), the question order management asks before it accepts an
 * order line: may this customer buy this offering, and which promotions
 * come with it? Reads the offering, the account's offerings and the Active
 * promotions on the loop's connection (no write), and lets the pure
 * catalog/eligibility.c decide.
 *
 * Body (every member optional):
 *   {"customerSegment": "consumer", "channel": "web",
 *    "accountOfferings": [{"id": "po-postpaid-m", "quantity": 1}],
 *    "quantity": 1, "couponCode": "WELCOME50",
 *    "newCustomer": true | "customerSince": "2026-01-04T00:00:00Z"}
 * A customer is new when newCustomer says so; else when customerSince is
 * less than 30 days before now; else when the account holds no offerings.
 * Answer 200 {"offeringId", "eligible", "reasons": [{code, message}],
 * "warnings": [{code, message}], "promotions": [{id, name, couponCode,
 * discount: {percentage | amount: Money, cycles, perLine: {fromLine,
 * discountedLines}}, stackable, description}], "lines": {"held",
 * "ordered"}, "tenureMonths" (when customerSince is given)}; lines and
 * tenure feed the loyalty and multi-line promotions
 * (catalog/eligibility.h); 404 for an unknown offering; 400 naming the
 * field of a bad body.
 */
#include <stdio.h>
#include <string.h>

#include "api/catalog_api.h"
#include "api/http.h"
#include "api/tmf620.h"
#include "api/tmf671.h"
#include "catalog/eligibility.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"

#define MAX_HELD 100
#define NEW_CUSTOMER_DAYS 30

typedef struct elig_input {
    bss_elig_request req;
    bss_elig_held held[MAX_HELD];
    json_t *held_docs[MAX_HELD];
    json_t *promotions;
    json_t *offering;
} elig_input;

static void input_free(elig_input *in)
{
    for (size_t i = 0; i < in->req.nheld; i++)
        json_decref(in->held_docs[i]);
    json_decref(in->promotions);
    json_decref(in->offering);
}

/* Reads one stored document of res; NULL when absent (or unreadable). */
static json_t *load_doc(bss_db *db, const bss_tmf_resource *res, const char *id, bss_err *rc, bss_errinfo *ei)
{
    bss_res_doc row;
    json_t *doc = NULL;
    *rc = bss_resource_get(db, res->table, id, &row, ei);
    if (*rc)
        return NULL;
    *rc = bss_json_parse(row.doc, row.doc_len, &doc, ei);
    bss_resource_doc_free(&row);
    return doc;
}

static bss_err parse_held(bss_req *r, const json_t *body, elig_input *in, bss_errinfo *ei)
{
    const json_t *list = json_object_get(body, "accountOfferings");
    if (!list || json_is_null(list))
        return BSS_OK;
    if (!json_is_array(list))
        return bss_fail(ei, BSS_E_INVALID, "accountOfferings",
                        "accountOfferings must be an array of {id, quantity}");
    if (json_array_size(list) > MAX_HELD)
        return bss_fail(ei, BSS_E_INVALID, "accountOfferings", "accountOfferings holds at most %d entries",
                        MAX_HELD);
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
        bss_err lrc;
        in->held_docs[i] = load_doc(r->db, &bss_tmf620_offering, id, &lrc, NULL);
        in->held[i] = (bss_elig_held){id, qty, in->held_docs[i]};
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
        rc = parse_held(r, body, in, ei);
    if (!rc && q->new_customer < 0)
        q->new_customer =
            since != INT64_MIN ? since > q->now_ms - NEW_CUSTOMER_DAYS * INT64_C(86400000) : q->nheld == 0;
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
        out = json_pack("{s:s, s:b, s:o, s:o, s:O, s:{s:I, s:I}}", "offeringId", id, "eligible", res->eligible,
                        "reasons", reasons_json(res->reasons, res->nreasons), "warnings",
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

static bss_err collect_promotion(const bss_res_row *row, void *arg)
{
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) == BSS_OK && json_array_append_new(arg, doc))
        return BSS_E_NOMEM;
    return BSS_OK;
}

static bss_err load_promotions(bss_db *db, elig_input *in, bss_errinfo *ei)
{
    in->promotions = json_array();
    if (!in->promotions)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_res_filter f = {.column = 1, .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STR("Active");
    return bss_resource_list(db, bss_tmf671_promotion.table, &f, 1, 0, -1, NULL, collect_promotion,
                             in->promotions, ei);
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
    bss_err rc = in ? BSS_OK : bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc)
        in->offering = load_doc(r->db, &bss_tmf620_offering, id ? id : "", &rc, &ei);
    if (rc == BSS_E_NOT_FOUND)
        bss_fail(&ei, rc, "id", "no productOffering with id %.64s", id ? id : "");
    if (!rc)
        rc = parse_body(r, body, in, &ei);
    if (!rc)
        rc = load_promotions(r->db, in, &ei);
    bss_elig_result *res = rc ? NULL : bss_calloc(1, sizeof *res);
    if (!rc && !res)
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = bss_eligibility_check(in->offering, in->promotions, &in->req, res, &ei);
    json_t *out = rc ? NULL : render(id, res);
    if (!rc && !out)
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc)
        bss_http_send_error(r, rc, &ei);
    else
        bss_http_send_json(r, 200, out);
    bss_free(res);
    if (in)
        input_free(in);
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

bss_err bss_tmf620_eligibility_register_routes(bss_router *rt)
{
    bss_err rc = bss_resource_table_prepare(bss_tmf671_promotion.table);
    return rc ? rc : bss_router_add(rt, &elig_route);
}
