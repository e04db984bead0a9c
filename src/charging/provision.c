/*
 * provision.c: the charging steps of an order's provisioning (order.h
 * bss_order_local_steps, wired in src/modules.c): the buckets a product's
 * allowances give when it is activated, and their end when it goes.
 * Each runs inside the step's transaction and may run again after a
 * crash, so each first looks at what is already there.
 *
 *   charging.createBuckets          for the item's product (each child of a
 *       bundle): one bucket per allowance price of its offering: plan
 *       allowances (an add-on's: source addon, on its base line), valid for
 *       the allowance's days or to the end of the account's bill period;
 *       a shared allowance is one pool per account. A plan change closes
 *       the line's plan buckets first (what was left expires).
 *   charging.removeBuckets          an add-on ends: its buckets close.
 *   undo:charging.createBuckets     the item failed: what it created closes.
 */
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/time.h"
#include "customer/customer.h"
#include "order/order.h"

#define DAY_MS INT64_C(86400000)

static bss_err collect_ids(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei)
{
    (void)doc;
    (void)ei;
    json_t *ids = arg;
    json_array_append_new(ids, json_string(b->id));
    return BSS_OK;
}

/* The ids of the active buckets matching f (at most 200). */
static bss_err active_ids(bss_db *db, bss__bucket_filter f, int64_t now_ms, json_t **out, bss_errinfo *ei)
{
    f.status = "active";
    f.limit = 200;
    int64_t total = 0;
    *out = json_array();
    return *out ? bss__bucket_list(db, &f, now_ms, collect_ids, *out, &total, ei)
                : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

/* Closes every active bucket in ids: what is left expires (a ledger row), then the status. */
static bss_err close_all(bss_db *db, json_t *ids, int64_t now_ms, const char *source_kind, const char *source_id,
                         bss_errinfo *ei)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        bss__bucket b;
        bss_err rc = bss__bucket_get(db, id, &b, ei);
        if (rc == BSS_OK && b.value != 0) {
            bss__ledger_src src = {.reason = "expiry", .source_kind = source_kind, .source_id = source_id};
            rc = bss__bucket_change(db, id, -b.value, 0, &src, now_ms, NULL, ei);
        }
        if (rc == BSS_OK)
            rc = bss__bucket_set_status(db, id, "closed", now_ms, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

static const char *characteristic(const json_t *product, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(product, "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && strcmp(n, name) == 0)
            return json_string_value(json_object_get(c, "value"));
    }
    return NULL;
}

/* The base product of an add-on (productRelationship addOnTo), or NULL. */
static const char *addon_base(const json_t *product)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(product, "productRelationship"), i, r)
    {
        const char *t = json_string_value(json_object_get(r, "relationshipType"));
        if (t && strcmp(t, "addOnTo") == 0)
            return json_string_value(json_object_get(json_object_get(r, "product"), "id"))
                       ?: json_string_value(json_object_get(r, "id"));
    }
    return NULL;
}

/* The account's bill period containing now (its billCycleDay, default 1): [*start, *end). */
static void period_of(bss_db *db, const char *account_id, int64_t now_ms, int64_t *start, int64_t *end)
{
    json_t *acc = NULL;
    int day = 1;
    if (bss_doc_load(db, &bss_billing_account_kind, account_id, &acc, NULL, NULL) == BSS_OK) {
        json_t *d = json_object_get(acc, "billCycleDay");
        if (json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 28)
            day = (int)json_integer_value(d);
    }
    json_decref(acc);
    bss_bill_period(now_ms, day, start, end);
}

static int64_t period_end(bss_db *db, const char *account_id, int64_t now_ms)
{
    int64_t start = 0, end = 0;
    period_of(db, account_id, now_ms, &start, &end);
    return end;
}

static int64_t period_start(bss_db *db, const char *account_id, int64_t now_ms)
{
    int64_t start = 0, end = 0;
    period_of(db, account_id, now_ms, &start, &end);
    return start;
}

bss_err bss_charging_create_buckets(bss_db *db, const bss_catalog *cat, const char *product_id, const char *offering_id,
                                    bool plan_change, int64_t now_ms, int *created, bss_errinfo *ei)
{
    *created = 0;
    json_t *p = NULL;
    bss_err rc = bss_doc_load(db, &bss_product_kind, product_id, &p, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    const char *off_id = json_string_value(json_object_get(json_object_get(p, "productOffering"), "id"));
    const char *off_ver = json_string_value(json_object_get(p, "productOfferingVersion"));
    if (offering_id && (!off_id || strcmp(offering_id, off_id) != 0)) { /* a plan change: the new offering */
        off_id = offering_id;
        off_ver = NULL;
    }
    const char *account = json_string_value(json_object_get(json_object_get(p, "billingAccount"), "id"));
    const bss_offering *o = NULL;
    if (cat && off_id && off_ver)
        o = bss_catalog_offering_version(cat, off_id, off_ver);
    if (cat && off_id && !o)
        o = bss_catalog_offering(cat, off_id, now_ms);
    if (!o || !account) {
        rc = !cat ? bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded")
                  : bss_fail(ei, BSS_E_NOT_FOUND, "productOffering.id", "product %s: offering %s is not in the catalog",
                             product_id, off_id ? off_id : "(none)");
        json_decref(p);
        return rc;
    }
    /* the line: the product's own number, or an add-on's base line's */
    char msisdn[16] = "";
    const char *base = addon_base(p);
    json_t *bp = NULL;
    const char *num = characteristic(p, "MSISDN");
    if (!num && base && bss_doc_load(db, &bss_product_kind, base, &bp, NULL, NULL) == BSS_OK)
        num = characteristic(bp, "MSISDN");
    if (num)
        snprintf(msisdn, sizeof msisdn, "%s", num[0] == '+' ? num + 1 : num);
    json_decref(bp);
    if (plan_change) { /* the old plan's buckets of the line go first */
        json_t *ids = NULL;
        rc = active_ids(db, (bss__bucket_filter){.product_id = product_id}, now_ms, &ids, ei);
        if (rc == BSS_OK)
            rc = close_all(db, ids, now_ms, "product", product_id, ei);
        json_decref(ids);
    }
    int64_t end = rc == BSS_OK ? period_end(db, account, now_ms) : 0;
    for (size_t i = 0; rc == BSS_OK && i < bss_offering_price_count(o); i++) {
        const bss_price *pr = bss_offering_price_at(cat, o, i, now_ms);
        bss_bucket_template t;
        if (!pr || bss_rate_allowance(pr, &t) != BSS_OK)
            continue;
        const char *price_id = bss_price_id(pr);
        /* already there (a retried step, or the account's pool made by another line)? */
        bss__bucket_filter f = {.price_id = price_id};
        if (t.shared)
            f.account_id = account;
        else
            f.product_id = product_id;
        json_t *have = NULL;
        rc = active_ids(db, f, now_ms, &have, ei);
        size_t n = json_array_size(have);
        json_decref(have);
        if (rc != BSS_OK || n > 0)
            continue;
        bss__bucket b = {.service = t.service, .priority = t.priority, .value = t.unlimited ? 0 : t.units,
                         .initial = t.unlimited ? 0 : t.units, .unlimited = t.unlimited, .valid_from_ms = now_ms,
                         .valid_to_ms = t.validity_days > 0 ? now_ms + t.validity_days * DAY_MS : end};
        b.source = t.shared ? BSS_BUCKET_SHARED : base ? BSS_BUCKET_ADDON : BSS_BUCKET_PLAN;
        bss_id_new(now_ms, b.id);
        snprintf(b.account_id, sizeof b.account_id, "%s", account);
        if (!t.shared) {
            snprintf(b.product_id, sizeof b.product_id, "%s", product_id);
            snprintf(b.msisdn, sizeof b.msisdn, "%s", msisdn);
        }
        snprintf(b.unit, sizeof b.unit, "%s", bss__service_unit(t.service));
        snprintf(b.price_id, sizeof b.price_id, "%s", price_id);
        snprintf(b.status, sizeof b.status, "active");
        bss__ledger_src src = {.reason = "create", .source_kind = "product", .source_id = product_id};
        rc = bss__bucket_insert(db, &b, NULL, &src, now_ms, ei);
        if (rc == BSS_OK)
            (*created)++;
    }
    json_decref(p);
    return rc;
}

bss_err bss_charging_close_buckets(bss_db *db, const char *product_id, int64_t now_ms, bss_errinfo *ei)
{
    json_t *ids = NULL;
    bss_err rc = active_ids(db, (bss__bucket_filter){.product_id = product_id}, now_ms, &ids, ei);
    if (rc == BSS_OK)
        rc = close_all(db, ids, now_ms, "product", product_id, ei);
    json_decref(ids);
    return rc;
}

/* The products a step is about: the item's, or each child of a bundle. */
static bss_err each_product(bss_db *db, const bss_catalog *cat, const char *type, const json_t *in, int64_t now_ms,
                            bss_errinfo *ei)
{
    const json_t *kids = json_object_get(in, "bundleProducts");
    const char *pid = json_string_value(json_object_get(in, "productId"));
    /* a change of an existing line names its current offering; the item's is the new one */
    bool plan_change = json_object_get(in, "currentOfferingId") != NULL;
    const char *new_offering = plan_change ? json_string_value(json_object_get(in, "offeringId")) : NULL;
    size_t n = json_is_array(kids) && json_array_size(kids) > 0 ? json_array_size(kids) : 1;
    bss_err rc = BSS_OK;
    for (size_t i = 0; rc == BSS_OK && i < n; i++) {
        const char *id = json_is_array(kids) && json_array_size(kids) > 0 ? json_string_value(json_array_get(kids, i)) : pid;
        if (!id)
            return bss_fail(ei, BSS_E_INVALID, "productId", "the step names no product");
        int created = 0;
        if (strcmp(type, "charging.createBuckets") == 0)
            rc = bss_charging_create_buckets(db, cat, id, n == 1 ? new_offering : NULL, plan_change, now_ms, &created, ei);
        else
            rc = bss_charging_close_buckets(db, id, now_ms, ei);
    }
    return rc;
}

bss_err bss_charging_order_step(bss_db *db, const bss_catalog *cat, const char *type, const json_t *in, int64_t now_ms,
                                bss_errinfo *ei)
{
    if (strcmp(type, "charging.createBuckets") == 0 || strcmp(type, "charging.removeBuckets") == 0 ||
        strcmp(type, "undo:charging.createBuckets") == 0)
        return each_product(db, cat, type, in, now_ms, ei);
    if (strcmp(type, "undo:charging.removeBuckets") == 0)
        return each_product(db, cat, "charging.createBuckets", in, now_ms, ei);
    return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "unknown charging step %s", type);
}

static bss_err collect_product(const bss_res_row *row, void *arg)
{
    return json_array_append_new((json_t *)arg, json_string(row->id)) == 0 ? BSS_OK : BSS_E_NOMEM;
}

/* Whether an offering document lists category id cat in its category[]. */
static bool in_category(const bss_offering *o, const char *cat)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(bss_offering_doc(o), "category"), i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        if (id && strcmp(id, cat) == 0)
            return true;
    }
    return false;
}

bss_err bss_charging_seed(bss_db *db, const bss_catalog *cat, int64_t now_ms, const char *wallet_category,
                          int64_t wallet_micros, int *buckets, int *wallets, bss_errinfo *ei)
{
    *buckets = *wallets = 0;
    bss_res_table *t = bss_product_kind.table;
    int col = bss_resource_column_of(t, "status");
    bss_res_filter f = {.column = col, .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STRN("active", 6);
    json_t *ids = json_array();
    if (!ids)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss_resource_list(db, t, &f, 1, 0, -1, NULL, collect_product, ids, ei);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (rc != BSS_OK)
            break;
        const char *pid = json_string_value(v);
        int n = 0;
        /* the demo's lines are in the middle of their cycle: their buckets were granted when it began */
        json_t *pp = NULL;
        int64_t at = now_ms;
        if (bss_doc_load(db, &bss_product_kind, pid, &pp, NULL, NULL) == BSS_OK) {
            const char *acc = json_string_value(json_object_get(json_object_get(pp, "billingAccount"), "id"));
            if (acc)
                at = period_start(db, acc, now_ms);
        }
        json_decref(pp);
        rc = bss_charging_create_buckets(db, cat, pid, NULL, false, at, &n, ei);
        if (rc == BSS_E_NOT_FOUND) { /* an offering no longer sold gives nothing */
            rc = BSS_OK;
            continue;
        }
        *buckets += n;
        /* a wallet for each line of the wallet category's offerings */
        json_t *p = NULL;
        if (rc != BSS_OK || !wallet_category || bss_doc_load(db, &bss_product_kind, pid, &p, NULL, NULL) != BSS_OK)
            continue;
        const char *off = json_string_value(json_object_get(json_object_get(p, "productOffering"), "id"));
        const bss_offering *o = off ? bss_catalog_offering(cat, off, now_ms) : NULL;
        const char *num = characteristic(p, "MSISDN");
        const char *acc = json_string_value(json_object_get(json_object_get(p, "billingAccount"), "id"));
        json_t *have = NULL;
        if (o && num && acc && in_category(o, wallet_category) &&
            (rc = active_ids(db, (bss__bucket_filter){.product_id = pid, .usage_type = "monetary"}, now_ms, &have, ei)) ==
                BSS_OK &&
            json_array_size(have) == 0) {
            const bss_market *m = bss_offering_market(o);
            bss__bucket b = {.service = BSS_SERVICE_NONE, .source = BSS_BUCKET_WALLET, .priority = 50,
                             .value = wallet_micros, .valid_from_ms = INT64_MIN, .valid_to_ms = INT64_MAX};
            bss_id_new(now_ms, b.id);
            snprintf(b.account_id, sizeof b.account_id, "%s", acc);
            snprintf(b.product_id, sizeof b.product_id, "%s", pid);
            snprintf(b.msisdn, sizeof b.msisdn, "%s", num[0] == '+' ? num + 1 : num);
            snprintf(b.unit, sizeof b.unit, "%s", m && m->currency ? m->currency : "EUR");
            snprintf(b.status, sizeof b.status, "active");
            bss__ledger_src src = {.reason = "topup", .source_kind = "demo", .source_id = pid};
            rc = bss__bucket_insert(db, &b, "{\"name\":\"prepaid credit\"}", &src, period_start(db, acc, now_ms), ei);
            if (rc == BSS_OK)
                (*wallets)++;
        }
        json_decref(have);
        json_decref(p);
    }
    json_decref(ids);
    return rc;
}
