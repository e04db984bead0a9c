/*
 * line.c: a line as the rating core sees it (charging.h bss_charging_line):
 * from the store and the compiled catalog, what one MSISDN may use at an
 * instant: the usage price per service (an active add-on's in place of the
 * plan's), its buckets and the account's shared ones, its wallet. Then the
 * price enquiry: what an event would cost now, computed by the rating core
 * against that line without changing anything.
 */
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/time.h"
#include "customer/customer.h"
#include "order/order.h"

/* The product's offering: the version it pins (ver), else the one valid at at_ms (narrowing l's span to it). */
static const bss_offering *product_offering(const bss_catalog *cat, const char *id, const char *ver, int64_t at_ms,
                                            bss_charging_line *l)
{
    const bss_offering *o = id && id[0] && ver && ver[0] ? bss_catalog_offering_version(cat, id, ver) : NULL;
    if (o || !id || !id[0])
        return o;
    int64_t from, to;
    bss_catalog_offering_span(cat, id, at_ms, &from, &to);
    if (from > l->span_from_ms)
        l->span_from_ms = from;
    if (to < l->span_to_ms)
        l->span_to_ms = to;
    return bss_catalog_offering(cat, id, at_ms);
}

/* The offering's usage prices into line->usage (over what is there when override). */
static void take_usage(const bss_catalog *cat, const bss_offering *o, int64_t at_ms, bss_rate_line *line, bool override)
{
    for (size_t i = 0; i < bss_offering_price_count(o); i++) {
        const bss_price *pr = bss_offering_price_at(cat, o, i, at_ms);
        if (pr && bss_price_kind(pr) == BSS_PRICE_USAGE) {
            bss_service s = bss_price_service(pr);
            if (s > BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT && (override || !line->usage[s]))
                line->usage[s] = pr;
        }
    }
}

typedef struct addon_scan {
    const bss_catalog *cat;
    int64_t at_ms;
    bss_charging_line *l;
} addon_scan;

static bss_err addon_row(const bss_res_row *row, void *arg)
{
    addon_scan *a = arg;
    /* an add-on of this line names its product id: the line itself and the account's
     * other products are not parsed */
    if ((row->id && strcmp(row->id, a->l->product_id) == 0) ||
        !memmem(row->doc, row->doc_len, a->l->product_id, strlen(a->l->product_id)))
        return BSS_OK;
    json_t *p = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &p, NULL) != BSS_OK)
        return BSS_OK;
    const char *st = json_string_value(json_object_get(p, "status"));
    bool mine = false;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(p, "productRelationship"), i, r)
    {
        const char *t = json_string_value(json_object_get(r, "relationshipType"));
        const char *id = json_string_value(json_object_get(json_object_get(r, "product"), "id"));
        mine = mine || (t && id && strcmp(t, "addOnTo") == 0 && strcmp(id, a->l->product_id) == 0);
    }
    if (mine && st && strcmp(st, "active") == 0 && a->l->naddons < BSS_CHARGING_LINE_ADDONS && row->id) {
        const bss_offering *o =
            product_offering(a->cat, json_string_value(json_object_get(json_object_get(p, "productOffering"), "id")),
                             json_string_value(json_object_get(p, "productOfferingVersion")), a->at_ms, a->l);
        if (o) {
            snprintf(a->l->addon_ids[a->l->naddons], sizeof a->l->addon_ids[0], "%s", row->id);
            a->l->addons[a->l->naddons++] = o;
        }
    }
    json_decref(p);
    return BSS_OK;
}

typedef struct bucket_scan {
    bss_charging_line *l;
    const char *msisdn;
} bucket_scan;

static bss_err bucket_row(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei)
{
    (void)doc;
    (void)ei;
    bucket_scan *s = arg;
    bss_charging_line *l = s->l;
    if (b->msisdn[0] && strcmp(b->msisdn, s->msisdn) != 0)
        return BSS_OK; /* another line's */
    if (l->nbuckets >= BSS_CHARGING_LINE_BUCKETS)
        return BSS_OK;
    size_t k = l->nbuckets++;
    snprintf(l->bucket_ids[k], sizeof l->bucket_ids[k], "%s", b->id);
    snprintf(l->bucket_units[k], sizeof l->bucket_units[k], "%s", b->unit);
    bss_rate_bucket *rb = &l->buckets[k];
    *rb = (bss_rate_bucket){.service = b->service, .source = b->source, .priority = b->priority,
                            .valid_from_ms = b->valid_from_ms, .valid_to_ms = b->valid_to_ms, .value = b->value,
                            .reserved = b->reserved, .initial = b->initial, .used = b->used, .unlimited = b->unlimited};
    if (b->price_id[0] && l->cat)
        rb->allowance = bss_catalog_price(l->cat, b->price_id, b->valid_from_ms == INT64_MIN ? 0 : b->valid_from_ms);
    if (b->service == BSS_SERVICE_NONE && b->source == BSS_BUCKET_WALLET)
        l->line.prepaid = true;
    return BSS_OK;
}

static bss_err line_load(bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms, bool buckets,
                         bss_charging_line *l, bss_errinfo *ei)
{
    memset(l, 0, sizeof *l);
    l->cat = cat;
    l->span_from_ms = INT64_MIN;
    l->span_to_ms = INT64_MAX;
    if (!cat)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded");
    const char *digits = msisdn && msisdn[0] == '+' ? msisdn + 1 : msisdn;
    size_t n = digits ? strlen(digits) : 0;
    if (n < 6 || n > 15 || strspn(digits, "0123456789") != n)
        return bss_fail(ei, BSS_E_INVALID, "msisdn", "msisdn is E.164 digits (6..15), with or without '+'");
    snprintf(l->msisdn, sizeof l->msisdn, "%s", digits);
    bool found = false;
    bss_product_line pl;
    bss_err rc = bss_product_line_find(db, l->msisdn, &pl, &found, ei);
    if (rc != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "msisdn", "no live line has the number %s", l->msisdn);
    snprintf(l->product_id, sizeof l->product_id, "%s", pl.id);
    snprintf(l->status, sizeof l->status, "%s", pl.status);
    snprintf(l->account_id, sizeof l->account_id, "%s", pl.account_id);
    const bss_offering *o = product_offering(cat, pl.offering_id, pl.pinned_version, at_ms, l);
    l->offering = o;
    l->spending_cap_micros = pl.spending_cap_micros;
    l->activated_ms = pl.start_ms;
    snprintf(l->offering_id, sizeof l->offering_id, "%s", o ? bss_offering_id(o) : "");
    snprintf(l->offering_version, sizeof l->offering_version, "%s", o ? bss_offering_version(o) : "");
    const bss_market *m = o ? bss_offering_market(o) : NULL;
    snprintf(l->currency, sizeof l->currency, "%s", m && m->currency ? m->currency : "EUR");
    if (!o)
        return bss_fail(ei, BSS_E_NOT_FOUND, "productOffering.id", "line %s: its offering is not in the catalog",
                        l->msisdn);
    l->bill_cycle_day = 1;
    bss_errinfo aei; /* no account: the first of the month */
    if (l->account_id[0] && (rc = bss_billing_account_cycle_day(db, l->account_id, &l->bill_cycle_day, &aei)) != BSS_OK &&
        rc != BSS_E_NOT_FOUND) {
        if (ei)
            *ei = aei;
        return rc;
    }
    /* active add-ons on the line put their usage prices in place of the plan's */
    bss_res_table *t = bss_product_kind.table;
    bss_res_filter f = {.column = bss_resource_column_of(t, "billingAccount.id"), .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STRN(l->account_id, strlen(l->account_id));
    addon_scan as = {cat, at_ms, l};
    if (f.column >= 0 && (rc = bss_resource_list(db, t, &f, 1, 0, 1000, NULL, addon_row, &as, ei)) != BSS_OK)
        return rc;
    bss_charging_line_at(l, at_ms);
    return buckets ? bss_charging_line_buckets(db, l, at_ms, ei) : BSS_OK;
}

bss_err bss_charging_line_load(bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                               bss_charging_line *l, bss_errinfo *ei)
{
    return line_load(db, cat, msisdn, at_ms, true, l, ei);
}

bss_err bss_charging_line_load_docs(bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                                    bss_charging_line *l, bss_errinfo *ei)
{
    return line_load(db, cat, msisdn, at_ms, false, l, ei);
}

void bss_charging_line_at(bss_charging_line *l, int64_t at_ms)
{
    memset(l->line.usage, 0, sizeof l->line.usage);
    if (!l->offering)
        return;
    take_usage(l->cat, l->offering, at_ms, &l->line, false);
    for (size_t i = 0; i < l->naddons; i++)
        take_usage(l->cat, l->addons[i], at_ms, &l->line, true);
}

bss_err bss_charging_line_buckets(bss_db *db, bss_charging_line *l, int64_t at_ms, bss_errinfo *ei)
{
    /* the line's buckets and the account's (shared pools, an account wallet) */
    l->nbuckets = 0;
    l->line.prepaid = false;
    bss__bucket_filter bf = {.account_id = l->account_id, .status = "active", .limit = 500};
    bucket_scan bs = {l, l->msisdn};
    bss_err rc = bss__bucket_list(db, &bf, at_ms, bucket_row, &bs, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    l->line.buckets = l->buckets;
    l->line.nbuckets = l->nbuckets;
    return BSS_OK;
}

/* ---- price enquiry ---- */

static const char *const services[] = {"voice", "sms", "mms", "data", "content"};

bss_err bss_charging_price_enquiry(bss_db *db, const bss_catalog *cat, const json_t *body, int64_t now_ms, json_t **out,
                                   bss_errinfo *ei)
{
    *out = NULL;
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "the body is a JSON object");
    const json_t *m = json_object_get(body, "msisdn");
    if (!json_is_string(m))
        return bss_fail(ei, BSS_E_INVALID, "msisdn", "msisdn is required (E.164 digits)");
    const char *svc = json_string_value(json_object_get(body, "service"));
    int sv = -1;
    for (int i = 0; svc && i < 5; i++)
        if (strcmp(svc, services[i]) == 0)
            sv = i + 1;
    if (sv < 0)
        return bss_fail(ei, BSS_E_INVALID, "service", "service is one of voice, sms, mms, data, content");
    const json_t *q = json_object_get(body, "quantity");
    if (!json_is_integer(q) || json_integer_value(q) < 0 || json_integer_value(q) > INT64_C(1000000000000))
        return bss_fail(ei, BSS_E_INVALID, "quantity",
                        "quantity is a whole number 0..10^12 in the service's unit (s, msg, byte, event)");
    int64_t at = now_ms;
    bss_err rc = bss_json_get_time(body, "startTime", "startTime", false, &at, ei);
    if (rc != BSS_OK)
        return rc;
    const char *dest = json_string_value(json_object_get(body, "destination"));
    if (dest && (strlen(dest) == 0 || strlen(dest) > 20 || strspn(dest, "0123456789") != strlen(dest)))
        return bss_fail(ei, BSS_E_INVALID, "destination", "destination is digits (1..20)");
    char visited[8] = "";
    const char *vp = json_string_value(json_object_get(body, "visitedPlmn"));
    if (vp) {
        size_t k = 0;
        for (const char *c = vp; *c && k < 7; c++)
            if (*c >= '0' && *c <= '9')
                visited[k++] = *c;
            else if (*c != '-')
                return bss_fail(ei, BSS_E_INVALID, "visitedPlmn", "visitedPlmn is MCC-MNC (234-15)");
        if (k < 5 || k > 6)
            return bss_fail(ei, BSS_E_INVALID, "visitedPlmn", "visitedPlmn is MCC-MNC (234-15)");
    }
    const json_t *rg = json_object_get(body, "ratingGroup");
    if (rg && (!json_is_integer(rg) || json_integer_value(rg) < 0 || json_integer_value(rg) > 4294967295LL))
        return bss_fail(ei, BSS_E_INVALID, "ratingGroup", "ratingGroup is an integer 0..4294967295");
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    if (!l)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_charging_line_load(db, cat, json_string_value(m), at, l, ei);
    if (rc != BSS_OK) {
        bss_free(l);
        return rc;
    }
    bss_rate_input in = {.service = bss_cdr_catalog_service((bss_cdr_service)sv),
                         .quantity = json_integer_value(q),
                         .destination = dest,
                         .destination_len = dest ? strlen(dest) : 0,
                         .start_ms = at,
                         .visited = visited[0] ? visited : NULL,
                         .visited_len = strlen(visited),
                         .rating_group = rg ? json_integer_value(rg) : -1};
    bss_rate_result res;
    rc = bss_charging_rate(&l->line, &in, &res);
    if (rc == BSS_E_NOT_FOUND) {
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "service", "line %s cannot be rated for this %s event: %s", l->msisdn,
                      svc, l->line.usage[in.service] ? "its destination or visited network is in no zone"
                                                     : "its plan has no price for the service");
    } else if (rc != BSS_OK) {
        rc = bss_fail(ei, rc, NULL, "rating failed");
    }
    if (rc != BSS_OK) {
        bss_free(l);
        return rc;
    }
    char trace[256];
    bss_rate_trace_format(&res.charge, trace, sizeof trace);
    json_t *takes = json_array();
    for (size_t i = 0; i < res.ntakes; i++) {
        const bss_rate_take *t = &res.takes[i];
        bool money = l->buckets[t->bucket].service == BSS_SERVICE_NONE;
        json_t *one = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "bucket", l->bucket_ids[t->bucket], "bucketSource",
                                bss_bucket_source_name(l->buckets[t->bucket].source), "units",
                                l->bucket_units[t->bucket], "amount",
                                money ? bss_money_to_json(t->amount) : json_integer(t->amount), "before",
                                money ? bss_money_to_json(t->before) : json_integer(t->before), "after",
                                money ? bss_money_to_json(t->after) : json_integer(t->after));
        if (one && t->crossed) {
            json_t *c = json_array();
            static const int pct[] = {50, 80, 100};
            for (int k = 0; k < 3; k++)
                if (t->crossed & (1u << k))
                    json_array_append_new(c, json_integer(pct[k]));
            json_object_set_new(one, "thresholdsCrossed", c);
        }
        json_array_append_new(takes, one);
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:o, s:b}",
                          "msisdn", l->msisdn, "productId", l->product_id, "currency", l->currency, "productOffering",
                          "id", l->offering_id, "version", l->offering_version, "price", "id",
                          bss_price_id(res.price), "trace", trace, "ratedUnits", (json_int_t)res.charge.rated_units,
                          "coveredUnits", (json_int_t)res.covered_units, "charge", bss_money_to_json(res.charge_micros),
                          "fromWallet", bss_money_to_json(res.wallet_micros), "billed",
                          bss_money_to_json(res.billed_micros), "notCovered", bss_money_to_json(res.short_micros),
                          "paymentMode", l->line.prepaid ? "prepaid" : "postpaid", "buckets", takes, "throttle",
                          res.throttle);
    if (o) {
        if (res.charge.zone)
            json_object_set_new(o, "zone", json_string(res.charge.zone));
        if (res.charge.band)
            json_object_set_new(o, "timeBand", json_string(res.charge.band));
        if (res.charge.roaming_zone)
            json_object_set_new(o, "roamingZone", json_string(res.charge.roaming_zone));
        if (res.overage_units)
            json_object_set_new(o, "overageUnits", json_integer(res.overage_units));
    }
    bss_free(l);
    *out = o;
    return o ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}
