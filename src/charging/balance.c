/*
 * balance.c: prepay balances as TMF654 sees them (charging.h, docs/charging.md):
 * buckets rendered from their typed rows, and the actions that change them:
 * top-ups, adjustments and reservations, each a document of its own kind
 * written in the same transaction as the bucket's change and its ledger row.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/pan.h"
#include "core/time.h"
#include "customer/customer.h"
#include "order/order.h"

#define RESERVE_DEFAULT_MS (15 * 60 * 1000)   /* a reservation without validFor holds 15 minutes */
#define RESERVE_MAX_MS (7LL * 24 * 3600 * 1000) /* and at most a week */
#define ACTION_MAX_MONEY (INT64_C(100000) * BSS_MICROS_PER_UNIT) /* one top-up or adjustment: at most 100,000 */

/* ---- the action document kinds ---- */

static const char *const action_server_managed[] = {"status", "confirmationDate", NULL};

static bss_err action_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)ctx;
    if (old)
        return bss_fail(ei, BSS_E_STATE, "status", "a balance action is a record of what was done; it does not change");
    return bss_doc_check_names(doc, ei);
}

#define ACTION_KIND(var, seg, nm, ty, tbl, cols, req)                                                        \
    static bss_res_table var##_table = {.name = tbl, .columns = cols, .ncolumns = sizeof cols / sizeof cols[0]}; \
    const bss_doc_kind var = {.api = "prepayBalanceManagement",                                               \
                              .path = BSS_TMF654_BASE "/" seg,                                                 \
                              .name = nm,                                                                      \
                              .type = ty,                                                                      \
                              .status_field = "status",                                                        \
                              .table = &var##_table,                                                           \
                              .required = req,                                                                 \
                              .server_managed = action_server_managed,                                         \
                              .prepare = action_prepare}

static const bss_res_column topup_cols[] = {{"status", "status", BSS_RES_TEXT}, {"bucket.id", "bucket_id", BSS_RES_TEXT}};
static const bss_res_column adjust_cols[] = {{"status", "status", BSS_RES_TEXT},
                                             {"usageType", "usage_type", BSS_RES_TEXT},
                                             {"bucket.id", "bucket_id", BSS_RES_TEXT}};
static const char *const amount_required[] = {"amount", NULL};
static const char *const adjust_required[] = {"amount", "usageType", NULL};

ACTION_KIND(bss_topup_balance_kind, "topupBalance", "topupBalance", "TopupBalance", "tmf654_topup_balance", topup_cols,
            amount_required);
ACTION_KIND(bss_adjust_balance_kind, "adjustBalance", "adjustBalance", "AdjustBalance", "tmf654_adjust_balance",
            adjust_cols, adjust_required);
ACTION_KIND(bss_reserve_balance_kind, "reserveBalance", "reserveBalance", "ReserveBalance", "tmf654_reserve_balance",
            topup_cols, amount_required);
static const bss_res_column transfer_cols[] = {{"status", "status", BSS_RES_TEXT},
                                               {"bucket.id", "bucket_id", BSS_RES_TEXT},
                                               {"receiverBucket.id", "receiver_bucket_id", BSS_RES_TEXT}};
ACTION_KIND(bss_transfer_balance_kind, "transferBalance", "transferBalance", "TransferBalance",
            "tmf654_transfer_balance", transfer_cols, amount_required);

/* ---- rendering a bucket ---- */

/* A TMF Quantity of a bucket's value: money in its currency, units in the base unit. */
static json_t *quantity(const bss__bucket *b, int64_t v)
{
    if (b->service == BSS_SERVICE_NONE)
        return json_pack("{s:o, s:s}", "amount", bss_money_to_json(v), "units", b->unit);
    static const char *const names[] = {"", "second", "message", "byte", "event"};
    return json_pack("{s:I, s:s}", "amount", (json_int_t)v, "units", names[b->service]);
}

static json_t *time_json(int64_t ms)
{
    char t[32];
    bss_time_format(ms, t);
    return json_string(t);
}

json_t *bss__bucket_render(const bss__bucket *b, const char *doc_text, const char *base_url)
{
    json_t *d = NULL;
    if (doc_text)
        bss_json_parse(doc_text, strlen(doc_text), &d, NULL);
    if (!json_is_object(d)) {
        json_decref(d);
        d = json_object();
    }
    if (!d)
        return NULL;
    char href[512];
    snprintf(href, sizeof href, "%s%s/bucket/%s", base_url ? base_url : "", BSS_TMF654_BASE, b->id);
    json_object_set_new(d, "id", json_string(b->id));
    json_object_set_new(d, "href", json_string(href));
    json_object_set_new(d, "usageType", json_string(bss__usage_type_name(b->service)));
    json_object_set_new(d, "status", json_string(b->status));
    json_object_set_new(d, "confirmationDate", time_json(b->created_ms));
    json_object_set_new(d, "isShared", json_boolean(b->msisdn[0] == 0 && b->source == BSS_BUCKET_SHARED));
    if (b->unlimited)
        json_object_set_new(d, "unlimited", json_true());
    else
        json_object_set_new(d, "remainedAmount", quantity(b, b->value));
    json_object_set_new(d, "reservedAmount", quantity(b, b->reserved));
    if (b->initial > 0)
        json_object_set_new(d, "initialAmount", quantity(b, b->initial));
    json_object_set_new(d, "bucketSource", json_string(bss_bucket_source_name(b->source)));
    json_object_set_new(d, "priority", json_integer(b->priority));
    json_object_set_new(d, "partyAccount",
                        json_pack("{s:s, s:s}", "id", b->account_id, "@referredType", "BillingAccount"));
    if (b->product_id[0])
        json_object_set_new(d, "product", json_pack("[{s:s}]", "id", b->product_id));
    if (b->msisdn[0])
        json_object_set_new(d, "logicalResource",
                            json_pack("[{s:s, s:s}]", "id", b->msisdn, "@referredType", "MSISDN"));
    if (b->price_id[0])
        json_object_set_new(d, "productOfferingPrice", json_pack("{s:s}", "id", b->price_id));
    json_t *vf = json_object();
    if (b->valid_from_ms != INT64_MIN)
        json_object_set_new(vf, "startDateTime", time_json(b->valid_from_ms));
    if (b->valid_to_ms != INT64_MAX)
        json_object_set_new(vf, "endDateTime", time_json(b->valid_to_ms));
    json_object_set_new(d, "validFor", vf);
    json_object_set_new(d, "@type", json_string("Bucket"));
    return d;
}

bss_err bss_bucket_get_json(bss_db *db, int64_t now_ms, const char *base_url, const char *id, json_t **out,
                            bss_errinfo *ei)
{
    bss__bucket b;
    char *doc = NULL;
    bss_err rc = bss__bucket_read(db, id, now_ms, &b, &doc, ei);
    if (rc != BSS_OK)
        return rc;
    *out = bss__bucket_render(&b, doc, base_url);
    bss_free(doc);
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

typedef struct list_acc {
    json_t *arr;
    const char *base_url;
} list_acc;

static bss_err list_each(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei)
{
    list_acc *a = arg;
    json_t *d = bss__bucket_render(b, doc, a->base_url);
    if (!d || json_array_append_new(a->arr, d) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss_bucket_list_json(bss_db *db, int64_t now_ms, const char *base_url, const bss_bucket_query *q, json_t **out,
                             int64_t *total, bss_errinfo *ei)
{
    bss__bucket_filter f = {.id = q->id, .status = q->status, .usage_type = q->usage_type, .account_id = q->account_id,
                            .msisdn = q->msisdn, .product_id = q->product_id, .offset = q->offset,
                            .limit = q->limit > 0 ? q->limit : 100};
    list_acc a = {json_array(), base_url};
    if (!a.arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__bucket_list(db, &f, now_ms, list_each, &a, total, ei);
    if (rc != BSS_OK) {
        json_decref(a.arr);
        return rc;
    }
    *out = a.arr;
    return BSS_OK;
}

/* ---- reading request members ---- */

/* An object reference's id at obj.name.id (or obj.name[0].id for an array): NULL when absent; 400 when malformed. */
static bss_err ref_id(const json_t *body, const char *name, bool array, const char **out, bss_errinfo *ei)
{
    *out = NULL;
    const json_t *v = json_object_get(body, name);
    if (!v || json_is_null(v))
        return BSS_OK;
    if (array) {
        if (!json_is_array(v))
            return bss_fail(ei, BSS_E_INVALID, name, "%s must be an array of references", name);
        if (json_array_size(v) == 0)
            return BSS_OK;
        if (json_array_size(v) > 1)
            return bss_fail(ei, BSS_E_INVALID, name, "%s names one item here", name);
        v = json_array_get(v, 0);
    }
    const json_t *id = json_is_object(v) ? json_object_get(v, "id") : NULL;
    char path[64];
    snprintf(path, sizeof path, array ? "%s[0].id" : "%s.id", name);
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > BSS_ID_MAX)
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an id (1..%d characters)", path, BSS_ID_MAX);
    *out = json_string_value(id);
    return BSS_OK;
}

/*
 * A TMF Quantity {"amount": N, "units": U} at body.name for bucket b:
 * money in b's currency (at most 6 decimals), or units of b's service.
 */
static bss_err amount_of(const json_t *body, const char *name, const bss__bucket *b, bool allow_negative, bool allow_zero,
                         int64_t *out, bss_errinfo *ei)
{
    const json_t *q = json_object_get(body, name);
    char path[64], upath[64];
    snprintf(path, sizeof path, "%s.amount", name);
    snprintf(upath, sizeof upath, "%s.units", name);
    if (!json_is_object(q))
        return bss_fail(ei, BSS_E_INVALID, name, "%s must be a quantity {\"amount\": 10, \"units\": \"EUR\"}", name);
    const json_t *units = json_object_get(q, "units");
    if (!json_is_string(units))
        return bss_fail(ei, BSS_E_INVALID, upath, "%s is required: the currency or the unit of the amount", upath);
    const json_t *a = json_object_get(q, "amount");
    bss_err rc;
    int64_t v = 0;
    bool neg;
    if (b->service == BSS_SERVICE_NONE) {
        if (strcmp(json_string_value(units), b->unit) != 0)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, upath, "the amount is in %.16s; bucket %s holds %s",
                            json_string_value(units), b->id, b->unit);
        /* money is read from the number's decimal text, sign included, straight into micro-units */
        if ((rc = bss_money_from_json(a, path, &v, ei)) != BSS_OK)
            return rc;
        neg = v < 0;
        if (v > ACTION_MAX_MONEY || v < -ACTION_MAX_MONEY)
            return bss_fail(ei, BSS_E_RANGE, path, "%s is at most 100000 at a time", path);
        v = neg ? -v : v;
    } else {
        /* a unit Quantity is never negative in the catalog's reader: a negative whole number is read as its
         * opposite; a fraction of a unit (1.5 GB) is taken as a positive Quantity only */
        if (json_is_real(a) && signbit(json_real_value(a)))
            return bss_fail(ei, BSS_E_INVALID, path, "%s: take units by a whole number of %s", path,
                            json_string_value(units));
        neg = json_is_integer(a) && json_integer_value(a) < 0 && json_integer_value(a) > -INT64_C(1000000000000);
        json_t *mag = neg ? json_integer(-json_integer_value(a)) : json_incref((json_t *)a);
        json_t *copy = json_pack("{s:o, s:O}", "amount", mag, "units", units);
        rc = copy ? bss_price_quantity(copy, b->service, name, &v, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        json_decref(copy);
        if (rc != BSS_OK)
            return rc;
    }
    if (neg && !allow_negative)
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be more than 0", path);
    if (v == 0 && !allow_zero)
        return bss_fail(ei, BSS_E_INVALID, path, "%s must not be 0", path);
    *out = neg ? -v : v;
    return BSS_OK;
}

typedef struct first_acc {
    bss__bucket *b;
    bool found;
} first_acc;

static bss_err take_first(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei)
{
    (void)doc;
    (void)ei;
    first_acc *a = arg;
    if (!a->found)
        *a->b = *b;
    a->found = true;
    return BSS_OK;
}

/*
 * The bucket a request names in bucket_m (bucket.id), or the wallet of the
 * product in product_m[0] (its own, else its account's).
 */
static bss_err named_bucket(bss_db *db, const json_t *body, const char *bucket_m, const char *product_m, int64_t now_ms,
                            bss__bucket *b, bss_errinfo *ei)
{
    const char *bid = NULL, *pid = NULL;
    char bf[64], pf[64];
    snprintf(bf, sizeof bf, "%s.id", bucket_m);
    snprintf(pf, sizeof pf, "%s[0].id", product_m);
    bss_err rc = ref_id(body, bucket_m, false, &bid, ei);
    if (rc == BSS_OK)
        rc = ref_id(body, product_m, true, &pid, ei);
    if (rc != BSS_OK)
        return rc;
    if (!bid && !pid)
        return bss_fail(ei, BSS_E_INVALID, bf, "name the bucket (%s) or the product (%s)", bf, pf);
    if (bid) {
        rc = bss__bucket_read(db, bid, now_ms, b, NULL, ei);
        if (rc == BSS_E_NOT_FOUND)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, bf, "no bucket with id %s", bid);
        return rc;
    }
    json_t *p = NULL;
    rc = bss_doc_load(db, &bss_product_kind, pid, &p, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, pf, "no product with id %s", pid);
    if (rc != BSS_OK)
        return rc;
    const char *acc = json_string_value(json_object_get(json_object_get(p, "billingAccount"), "id"));
    char account[BSS_ID_MAX + 1];
    snprintf(account, sizeof account, "%s", acc ? acc : "");
    json_decref(p);
    /* the product's own money bucket, else its account's wallet */
    const char *tries[2][2] = {{pid, NULL}, {NULL, account}};
    for (int t = 0; t < 2; t++) {
        bss__bucket_filter f = {.product_id = tries[t][0], .account_id = tries[t][1], .usage_type = "monetary",
                                .status = "active", .limit = 1};
        first_acc fa = {b, false};
        int64_t total = 0;
        rc = bss__bucket_list(db, &f, now_ms, take_first, &fa, &total, ei);
        if (rc != BSS_OK || fa.found)
            return rc;
    }
    return bss_fail(ei, BSS_E_UNPROCESSABLE, pf, "product %s has no active money bucket", pid);
}

static bss_err target_bucket(bss_db *db, const json_t *body, int64_t now_ms, bss__bucket *b, bss_errinfo *ei)
{
    return named_bucket(db, body, "bucket", "product", now_ms, b, ei);
}

bss_err bss__idempotency(bss_db *db, const char *kind, const char *idem_key, const json_t *body, char hash[65],
                         char replay_id[BSS_ID_MAX + 1], bss_errinfo *ei)
{
    replay_id[0] = 0;
    if (!idem_key || !idem_key[0])
        return bss_fail(ei, BSS_E_INVALID, "Idempotency-Key",
                        "a request that changes a balance needs an Idempotency-Key header (1..128 printable characters)");
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), NULL, 0);
    bss_free(text);
    sodium_bin2hex(hash, 65, h, sizeof h);
    char seen[65];
    bss_err rc = bss__request_find(db, kind, idem_key, seen, replay_id, ei);
    if (rc == BSS_E_NOT_FOUND) {
        replay_id[0] = 0;
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return rc;
    if (strcmp(seen, hash) != 0) {
        char first[BSS_ID_MAX + 1];
        snprintf(first, sizeof first, "%s", replay_id);
        replay_id[0] = 0;
        return bss_fail(ei, BSS_E_CONFLICT, "Idempotency-Key",
                        "Idempotency-Key %.128s was used for another request (%s %s)", idem_key, kind, first);
    }
    return BSS_OK;
}

/* Writes the action document (status and confirmationDate the server's) and records its key. */
static bss_err store_action(bss_db *db, const bss_doc_kind *kind, const bss_balance_env *env, const char *id,
                            const json_t *body, const char *status, const char *hash, json_t *extra, json_t **out,
                            bss_errinfo *ei)
{
    json_t *set = json_pack("{s:s, s:o}", "status", status, "confirmationDate", time_json(env->now_ms));
    if (!set) {
        json_decref(extra);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (extra)
        json_object_update(set, extra);
    json_decref(extra);
    bss_doc_ctx ctx = {kind, db, env->now_ms, env->base_url, env->who, NULL, NULL, false, set};
    bss_err rc = bss_doc_create(&ctx, id, body, out, ei);
    json_decref(set);
    if (rc == BSS_OK)
        rc = bss__request_insert(db, kind->name, env->idem_key, hash, id, env->now_ms, ei);
    return rc;
}

static bss_err replay(bss_db *db, const bss_doc_kind *kind, const char *id, json_t **out, bool *replayed,
                      bss_errinfo *ei)
{
    *replayed = true;
    return bss_doc_load(db, kind, id, out, NULL, ei);
}

static json_t *bucket_ref(const bss__bucket *b, const char *base_url)
{
    char href[512];
    snprintf(href, sizeof href, "%s%s/bucket/%s", base_url ? base_url : "", BSS_TMF654_BASE, b->id);
    return json_pack("{s:s, s:s}", "id", b->id, "href", href);
}

/*
 * The start of every action: no card number in the body, the
 * Idempotency-Key checked; *replayed (and *out, the first result) when the
 * same key and body came before. hash gets the body's hash.
 */
static bss_err begin(bss_db *db, const bss_doc_kind *kind, const bss_balance_env *env, const json_t *body, char hash[65],
                     json_t **out, bool *replayed, bss_errinfo *ei)
{
    *replayed = false;
    char first[BSS_ID_MAX + 1];
    bss_err rc = bss_pan_reject_json(body, ei);
    if (rc == BSS_OK)
        rc = bss__idempotency(db, kind->name, env->idem_key, body, hash, first, ei);
    if (rc == BSS_OK && first[0])
        rc = replay(db, kind, first, out, replayed, ei);
    return rc;
}

/* A top-up's or an adjustment's change of b by amount: the ledger row (reason "topup" / "adjust") and the record. */
static bss_err change_and_record(bss_db *db, const bss_doc_kind *kind, const bss_balance_env *env, bss__bucket *b,
                                 int64_t amount, const json_t *body, const char *hash, json_t **out, bss_errinfo *ei)
{
    char id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, id);
    bool topup = kind == &bss_topup_balance_kind;
    bss__ledger_src src = {.reason = topup ? "topup" : "adjust", .source_kind = kind->name, .source_id = id};
    int64_t after = 0;
    bss_err rc = bss__bucket_change(db, b->id, amount, 0, &src, env->now_ms, &after, ei);
    if (rc != BSS_OK)
        return rc;
    b->value = after;
    json_t *extra = json_pack("{s:o, s:o}", "bucket", bucket_ref(b, env->base_url), "remainedAmount", quantity(b, after));
    return store_action(db, kind, env, id, body, "completed", hash, extra, out, ei);
}

bss_err bss_balance_topup(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                          bss_errinfo *ei)
{
    char hash[65];
    bss_err rc = begin(db, &bss_topup_balance_kind, env, body, hash, out, replayed, ei);
    if (rc != BSS_OK || *replayed)
        return rc;
    bss__bucket b;
    int64_t amount = 0;
    if ((rc = target_bucket(db, body, env->now_ms, &b, ei)) != BSS_OK)
        return rc;
    if (b.service != BSS_SERVICE_NONE)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "bucket.id",
                        "a top-up adds money; bucket %s holds %s units (grant units with adjustBalance)", b.id,
                        bss__usage_type_name(b.service));
    if (strcmp(b.status, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, "bucket.id", "bucket %s is %s; only an active bucket takes a top-up", b.id,
                        b.status);
    if ((rc = amount_of(body, "amount", &b, false, false, &amount, ei)) != BSS_OK)
        return rc;
    return change_and_record(db, &bss_topup_balance_kind, env, &b, amount, body, hash, out, ei);
}

bss_err bss_balance_adjust(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                           bss_errinfo *ei)
{
    char hash[65];
    bss_err rc = begin(db, &bss_adjust_balance_kind, env, body, hash, out, replayed, ei);
    if (rc != BSS_OK || *replayed)
        return rc;
    const json_t *ut = json_object_get(body, "usageType");
    bss_service svc;
    if (!json_is_string(ut) || !bss__usage_type_parse(json_string_value(ut), &svc))
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is one of monetary, voice, sms, data, event");
    const json_t *reason = json_object_get(body, "reason");
    if (!json_is_string(reason) || json_string_length(reason) == 0 || json_string_length(reason) > 500)
        return bss_fail(ei, BSS_E_INVALID, "reason", "an adjustment says why: reason (1..500 characters) is required");
    bss__bucket b;
    int64_t amount = 0;
    if ((rc = target_bucket(db, body, env->now_ms, &b, ei)) != BSS_OK)
        return rc;
    if (b.service != svc)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "usageType", "bucket %s holds %s, not %s", b.id,
                        bss__usage_type_name(b.service), json_string_value(ut));
    if (strcmp(b.status, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, "bucket.id", "bucket %s is %s; only an active bucket is adjusted", b.id,
                        b.status);
    if (b.unlimited)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "bucket.id", "bucket %s is unlimited: there is nothing to adjust", b.id);
    if ((rc = amount_of(body, "amount", &b, true, false, &amount, ei)) != BSS_OK)
        return rc;
    if (amount < 0 && b.value - b.reserved + amount < 0) {
        char have[32];
        bss_money_format(b.value - b.reserved, have);
        return bss_fail(ei, BSS_E_CONFLICT, "amount.amount", "bucket %s has only %s available to take (%s)", b.id,
                        b.service == BSS_SERVICE_NONE ? have : "fewer units", b.unit);
    }
    return change_and_record(db, &bss_adjust_balance_kind, env, &b, amount, body, hash, out, ei);
}

bss_err bss_balance_reserve(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                            bss_errinfo *ei)
{
    char hash[65];
    bss_err rc = begin(db, &bss_reserve_balance_kind, env, body, hash, out, replayed, ei);
    if (rc != BSS_OK || *replayed)
        return rc;
    bss__bucket b;
    int64_t amount = 0;
    if ((rc = target_bucket(db, body, env->now_ms, &b, ei)) != BSS_OK)
        return rc;
    if (strcmp(b.status, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, "bucket.id", "bucket %s is %s; only an active bucket can be reserved", b.id,
                        b.status);
    if ((rc = amount_of(body, "amount", &b, false, false, &amount, ei)) != BSS_OK)
        return rc;
    int64_t until = env->now_ms + RESERVE_DEFAULT_MS;
    const json_t *vf = json_object_get(body, "validFor");
    if (vf && !json_is_null(vf)) {
        if ((rc = bss_doc_check_period(vf, "validFor", ei)) != BSS_OK)
            return rc;
        const json_t *end = json_object_get(vf, "endDateTime");
        if (json_is_string(end) && bss_time_parse(json_string_value(end), json_string_length(end), &until, ei) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, "validFor.endDateTime", "validFor.endDateTime is not an RFC 3339 time");
        if (until <= env->now_ms || until > env->now_ms + RESERVE_MAX_MS)
            return bss_fail(ei, BSS_E_INVALID, "validFor.endDateTime",
                            "a reservation ends after now and within 7 days (validFor.endDateTime)");
    }
    if (!b.unlimited && b.value - b.reserved < amount) {
        char have[32];
        bss_money_format(b.value - b.reserved, have);
        return bss_fail(ei, BSS_E_CONFLICT, "amount.amount", "bucket %s has only %s %s available to reserve", b.id,
                        b.service == BSS_SERVICE_NONE ? have : "", b.unit);
    }
    char id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, id);
    if ((rc = bss__reservation_insert(db, id, b.id, amount, until, "reserveBalance", id, env->now_ms, ei)) != BSS_OK)
        return rc;
    json_t *extra = json_pack("{s:o, s:{s:o, s:o}}", "bucket", bucket_ref(&b, env->base_url), "validFor",
                              "startDateTime", time_json(env->now_ms), "endDateTime", time_json(until));
    if (extra && !json_object_get(body, "relatedParty"))
        json_object_set_new(extra, "relatedParty", json_array());
    return store_action(db, &bss_reserve_balance_kind, env, id, body, "reserved", hash, extra, out, ei);
}

bss_err bss_bucket_create(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bss_errinfo *ei)
{
    bss_err rc = bss_pan_reject_json(body, ei);
    if (rc != BSS_OK)
        return rc;
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a bucket is a JSON object");
    static const char *const allowed[] = {"name", "description", "usageType", "remainedAmount", "partyAccount",
                                          "product", "validFor", "isShared", "priority", "relatedParty", "@type",
                                          "@baseType", "@schemaLocation", "id", "href", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(k, allowed[i]) == 0;
        if (!ok)
            return bss_fail(ei, BSS_E_INVALID, k,
                            "%.64s cannot be set on a bucket (the server keeps status, amounts and dates)", k);
    }
    if ((rc = bss_doc_check_names(body, ei)) != BSS_OK)
        return rc;
    bss__bucket b = {.priority = 50, .valid_from_ms = INT64_MIN, .valid_to_ms = INT64_MAX};
    const json_t *ut = json_object_get(body, "usageType");
    if (!json_is_string(ut))
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is required (monetary, voice, sms, data, event)");
    if (!bss__usage_type_parse(json_string_value(ut), &b.service))
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is one of monetary, voice, sms, data, event");
    const char *acc = NULL, *pid = NULL;
    if ((rc = ref_id(body, "partyAccount", false, &acc, ei)) != BSS_OK || (rc = ref_id(body, "product", true, &pid, ei)) != BSS_OK)
        return rc;
    if (!acc)
        return bss_fail(ei, BSS_E_INVALID, "partyAccount.id", "a bucket belongs to a billing account: partyAccount.id is required");
    bool found = false;
    if ((rc = bss_doc_exists(db, &bss_billing_account_kind, acc, &found, ei)) != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "partyAccount.id", "no billing account with id %s", acc);
    snprintf(b.account_id, sizeof b.account_id, "%s", acc);
    if (pid) {
        json_t *p = NULL;
        rc = bss_doc_load(db, &bss_product_kind, pid, &p, NULL, ei);
        if (rc == BSS_E_NOT_FOUND)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "product[0].id", "no product with id %s", pid);
        if (rc != BSS_OK)
            return rc;
        const char *pacc = json_string_value(json_object_get(json_object_get(p, "billingAccount"), "id"));
        if (!pacc || strcmp(pacc, acc) != 0) {
            json_decref(p);
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "product[0].id", "product %s is not on billing account %s", pid, acc);
        }
        size_t i;
        json_t *ch;
        json_array_foreach(json_object_get(p, "productCharacteristic"), i, ch)
        {
            const char *n = json_string_value(json_object_get(ch, "name"));
            const char *val = json_string_value(json_object_get(ch, "value"));
            if (n && val && strcmp(n, "MSISDN") == 0)
                snprintf(b.msisdn, sizeof b.msisdn, "%s", val[0] == '+' ? val + 1 : val);
        }
        json_decref(p);
        snprintf(b.product_id, sizeof b.product_id, "%s", pid);
    }
    const json_t *shared = json_object_get(body, "isShared");
    if (shared && !json_is_boolean(shared))
        return bss_fail(ei, BSS_E_INVALID, "isShared", "isShared must be true or false");
    b.source = b.service == BSS_SERVICE_NONE ? BSS_BUCKET_WALLET : json_is_true(shared) ? BSS_BUCKET_SHARED
                                                                                     : BSS_BUCKET_PROMOTION;
    if (b.service == BSS_SERVICE_NONE && json_is_true(shared))
        return bss_fail(ei, BSS_E_INVALID, "isShared", "a money wallet is the account's or one line's; isShared is for unit pools");
    if (b.source == BSS_BUCKET_SHARED && pid)
        return bss_fail(ei, BSS_E_INVALID, "isShared", "a shared pool belongs to the account, not to product %s", pid);
    const json_t *pr = json_object_get(body, "priority");
    if (pr && (!json_is_integer(pr) || json_integer_value(pr) < 0 || json_integer_value(pr) > 10000))
        return bss_fail(ei, BSS_E_INVALID, "priority", "priority is an integer 0..10000 (lower is consumed first)");
    if (pr)
        b.priority = (int)json_integer_value(pr);
    const json_t *vf = json_object_get(body, "validFor");
    if ((rc = bss_doc_check_period(vf, "validFor", ei)) != BSS_OK)
        return rc;
    if (json_is_object(vf)) {
        bss_json_get_time(vf, "startDateTime", "validFor.startDateTime", false, &b.valid_from_ms, ei);
        bss_json_get_time(vf, "endDateTime", "validFor.endDateTime", false, &b.valid_to_ms, ei);
    }
    if (b.service == BSS_SERVICE_NONE) {
        const json_t *q = json_object_get(body, "remainedAmount");
        const json_t *u = json_is_object(q) ? json_object_get(q, "units") : NULL;
        snprintf(b.unit, sizeof b.unit, "%s", json_is_string(u) ? json_string_value(u) : "EUR");
    } else {
        snprintf(b.unit, sizeof b.unit, "%s", bss__service_unit(b.service));
    }
    if (!bss_currency_find(b.unit) && b.service == BSS_SERVICE_NONE)
        return bss_fail(ei, BSS_E_INVALID, "remainedAmount.units", "remainedAmount.units is an ISO 4217 currency code (EUR)");
    if (json_object_get(body, "remainedAmount") &&
        (rc = amount_of(body, "remainedAmount", &b, false, true, &b.value, ei)) != BSS_OK)
        return rc;
    b.initial = b.service == BSS_SERVICE_NONE ? 0 : b.value;
    snprintf(b.status, sizeof b.status, "active");
    bss_id_new(env->now_ms, b.id);
    json_t *keep = json_object();
    static const char *const kept[] = {"name", "description", "relatedParty", NULL};
    for (size_t i = 0; keep && kept[i]; i++)
        if (json_object_get(body, kept[i]))
            json_object_set(keep, kept[i], json_object_get(body, kept[i]));
    char *doc = keep ? json_dumps(keep, JSON_COMPACT) : NULL;
    json_decref(keep);
    if (!doc)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (strlen(doc) > 16384) {
        bss_free(doc);
        return bss_fail(ei, BSS_E_TOO_BIG, NULL, "a bucket's name, description and relatedParty take at most 16 KiB");
    }
    bss__ledger_src src = {.reason = "create", .source_kind = "bucket", .source_id = b.id};
    rc = bss__bucket_insert(db, &b, doc, &src, env->now_ms, ei);
    bss_free(doc);
    if (rc != BSS_OK)
        return rc;
    return bss_bucket_get_json(db, env->now_ms, env->base_url, b.id, out, ei);
}

bss_err bss_balance_transfer(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                             bss_errinfo *ei)
{
    char hash[65];
    bss_err rc = begin(db, &bss_transfer_balance_kind, env, body, hash, out, replayed, ei);
    if (rc != BSS_OK || *replayed)
        return rc;
    bss__bucket from, to;
    int64_t amount = 0;
    if ((rc = named_bucket(db, body, "bucket", "product", env->now_ms, &from, ei)) != BSS_OK ||
        (rc = named_bucket(db, body, "receiverBucket", "receiverProduct", env->now_ms, &to, ei)) != BSS_OK)
        return rc;
    if (strcmp(from.id, to.id) == 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "receiverBucket.id", "a transfer goes to another bucket");
    if (strcmp(from.status, "active") != 0 || strcmp(to.status, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, strcmp(from.status, "active") != 0 ? "bucket.id" : "receiverBucket.id",
                        "only active buckets transfer (%s is %s)", strcmp(from.status, "active") != 0 ? from.id : to.id,
                        strcmp(from.status, "active") != 0 ? from.status : to.status);
    if (from.service != to.service || strcmp(from.unit, to.unit) != 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "receiverBucket.id", "bucket %s holds %s %s, bucket %s %s %s", from.id,
                        bss__usage_type_name(from.service), from.unit, to.id, bss__usage_type_name(to.service), to.unit);
    if (from.unlimited || to.unlimited)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, from.unlimited ? "bucket.id" : "receiverBucket.id",
                        "an unlimited bucket has nothing to count: no transfer");
    if (strcmp(from.account_id, to.account_id) != 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "receiverBucket.id",
                        "a transfer stays within one billing account (%s, not %s)", from.account_id, to.account_id);
    if ((rc = amount_of(body, "amount", &from, false, false, &amount, ei)) != BSS_OK)
        return rc;
    if (from.value - from.reserved < amount) {
        char have[32];
        bss_money_format(from.value - from.reserved, have);
        return bss_fail(ei, BSS_E_CONFLICT, "amount.amount", "bucket %s has only %s %s available to transfer", from.id,
                        from.service == BSS_SERVICE_NONE ? have : "fewer", from.unit);
    }
    char id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, id);
    bss__ledger_src src = {.reason = "transfer", .source_kind = "transferBalance", .source_id = id};
    int64_t after = 0, to_after = 0;
    if ((rc = bss__bucket_change(db, from.id, -amount, 0, &src, env->now_ms, &after, ei)) != BSS_OK ||
        (rc = bss__bucket_change(db, to.id, amount, 0, &src, env->now_ms, &to_after, ei)) != BSS_OK)
        return rc;
    json_t *extra = json_pack("{s:o, s:o, s:o, s:o}", "bucket", bucket_ref(&from, env->base_url), "receiverBucket",
                              bucket_ref(&to, env->base_url), "remainedAmount", quantity(&from, after),
                              "receiverRemainedAmount", quantity(&to, to_after));
    return store_action(db, &bss_transfer_balance_kind, env, id, body, "completed", hash, extra, out, ei);
}

/* ---- accumulated balances ---- */

#define ACC_MAX 32

typedef struct acc_row {
    bss_service service;
    char unit[8];
    int64_t total, reserved;
    bool unlimited;
    json_t *buckets;
} acc_row;

typedef struct acc_scan {
    acc_row rows[ACC_MAX];
    size_t n;
    const char *base_url;
    const char *msisdn; /* a line's: its own buckets and its account's shared ones */
} acc_scan;

static bss_err acc_each(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei)
{
    (void)doc;
    acc_scan *a = arg;
    if (a->msisdn && b->msisdn[0] && strcmp(b->msisdn, a->msisdn) != 0)
        return BSS_OK; /* another line's */
    size_t i = 0;
    while (i < a->n && !(a->rows[i].service == b->service && strcmp(a->rows[i].unit, b->unit) == 0))
        i++;
    if (i == a->n) {
        if (a->n == ACC_MAX)
            return BSS_OK;
        acc_row *r = &a->rows[a->n++];
        memset(r, 0, sizeof *r);
        r->service = b->service;
        snprintf(r->unit, sizeof r->unit, "%s", b->unit);
        if (!(r->buckets = json_array()))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    acc_row *r = &a->rows[i];
    r->unlimited = r->unlimited || b->unlimited;
    r->total += b->unlimited ? 0 : b->value;
    r->reserved += b->reserved;
    json_array_append_new(r->buckets, bucket_ref(b, a->base_url));
    return BSS_OK;
}

bss_err bss_accumulated_json(bss_db *db, int64_t now_ms, const char *base_url, const char *account_id,
                             const char *msisdn, const char *usage_type, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (!account_id && !msisdn)
        return bss_fail(ei, BSS_E_INVALID, "partyAccount.id",
                        "an accumulated balance is an account's (partyAccount.id) or a line's (logicalResource.id)");
    char account[BSS_ID_MAX + 1] = "";
    if (!account_id) { /* the line's account, from any of its buckets */
        bss__bucket_filter f = {.msisdn = msisdn, .status = "active", .limit = 1};
        bss__bucket b;
        first_acc fa = {&b, false};
        int64_t total = 0;
        bss_err rc = bss__bucket_list(db, &f, now_ms, take_first, &fa, &total, ei);
        if (rc != BSS_OK)
            return rc;
        if (!fa.found)
            return bss_fail(ei, BSS_E_NOT_FOUND, "logicalResource.id", "line %s has no active buckets", msisdn);
        snprintf(account, sizeof account, "%s", b.account_id);
        account_id = account;
    }
    acc_scan a = {.base_url = base_url, .msisdn = msisdn};
    bss__bucket_filter f = {.account_id = account_id, .status = "active", .usage_type = usage_type, .limit = 1000};
    int64_t total = 0;
    bss_err rc = bss__bucket_list(db, &f, now_ms, acc_each, &a, &total, ei);
    json_t *arr = rc == BSS_OK ? json_array() : NULL;
    for (size_t i = 0; i < a.n; i++) {
        acc_row *r = &a.rows[i];
        bss__bucket shape = {.service = r->service};
        snprintf(shape.unit, sizeof shape.unit, "%s", r->unit);
        char id[BSS_ID_MAX + 64], href[1024];
        snprintf(id, sizeof id, "%s:%s:%s%s%s", account_id, bss__usage_type_name(r->service), r->unit,
                 msisdn ? ":" : "", msisdn ? msisdn : "");
        snprintf(href, sizeof href, "%s%s/accumulatedBalance?%s=%s", base_url ? base_url : "", BSS_TMF654_BASE,
                 msisdn ? "logicalResource.id" : "partyAccount.id", msisdn ? msisdn : account_id);
        json_t *o = arr ? json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:O, s:{s:s}}", "id", id, "href", href, "@type",
                                    "AccumulatedBalance", "usageType", bss__usage_type_name(r->service),
                                    "totalBalance", quantity(&shape, r->total), "reservedAmount",
                                    quantity(&shape, r->reserved), "isUnlimited", r->unlimited, "bucket", r->buckets,
                                    "partyAccount", "id", account_id)
                        : NULL;
        if (o && msisdn)
            json_object_set_new(o, "logicalResource", json_pack("[{s:s}]", "id", msisdn));
        if (arr && (!o || json_array_append_new(arr, o) != 0)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    for (size_t i = 0; i < a.n; i++)
        json_decref(a.rows[i].buckets);
    if (rc != BSS_OK)
        return rc;
    if (!arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    *out = arr;
    return BSS_OK;
}

/* ---- balance action history: the ledger as TMF654 BalanceActionHistory ---- */

/* What caused a ledger row, as a reference: TMF654 actions and usages have an href. */
static json_t *source_ref(const bss__ledger_row *r, const char *base_url)
{
    if (!r->source_kind[0] && !r->source_id[0])
        return NULL;
    static const char *const actions[] = {"topupBalance", "adjustBalance", "transferBalance", "reserveBalance"};
    static const char *const types[] = {"TopupBalance", "AdjustBalance", "TransferBalance", "ReserveBalance"};
    char href[1024] = "";
    const char *type = r->source_kind;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(r->source_kind, actions[i]) == 0) {
            snprintf(href, sizeof href, "%s%s/%s/%s", base_url ? base_url : "", BSS_TMF654_BASE, actions[i],
                     r->source_id);
            type = types[i];
        }
    if (strcmp(r->source_kind, "usage") == 0) {
        snprintf(href, sizeof href, "%s%s/usage/%s", base_url ? base_url : "", BSS_TMF635_BASE, r->source_id);
        type = "Usage";
    }
    static const char *const others[][2] = {{"bucket", "Bucket"},         {"product", "Product"},
                                            {"session", "ChargingSession"}, {"event", "ChargingEvent"},
                                            {"usageBatch", "UsageBatch"},   {"cycle", "BalanceCycle"},
                                            {"demo", "Demo"},               {"rerate", "UsageRerate"}};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (strcmp(r->source_kind, others[i][0]) == 0)
            type = others[i][1];
    if (strcmp(r->source_kind, "bucket") == 0)
        snprintf(href, sizeof href, "%s%s/bucket/%s", base_url ? base_url : "", BSS_TMF654_BASE, r->source_id);
    if (strcmp(r->source_kind, "rerate") == 0)
        snprintf(href, sizeof href, "%s/api/v1/usage/rerate/%s", base_url ? base_url : "", r->source_id);
    json_t *o = json_pack("{s:s, s:s}", "id", r->source_id, "@referredType", type);
    if (o && href[0] && r->source_id[0])
        json_object_set_new(o, "href", json_string(href));
    return o;
}

static json_t *history_render(const bss__ledger_row *r, const char *base_url)
{
    bss__bucket shape = {.service = r->service};
    snprintf(shape.unit, sizeof shape.unit, "%s", r->unit);
    snprintf(shape.id, sizeof shape.id, "%s", r->bucket_id);
    char href[1024];
    snprintf(href, sizeof href, "%s%s/balanceActionHistory/%s", base_url ? base_url : "", BSS_TMF654_BASE, r->id);
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:{s:s, s:s}}", "id", r->id, "href",
                          href, "@type", "BalanceActionHistory", "action", r->reason, "status", "completed",
                          "confirmationDate", time_json(r->at_ms), "amount", quantity(&shape, r->delta),
                          "remainedAmount", quantity(&shape, r->value_after), "usageType",
                          bss__usage_type_name(r->service), "bucket", bucket_ref(&shape, base_url), "partyAccount",
                          "id", r->account_id, "@referredType", "BillingAccount");
    if (!d)
        return NULL;
    if (r->events > 1)
        json_object_set_new(d, "eventCount", json_integer((json_int_t)r->events));
    if (r->msisdn[0])
        json_object_set_new(d, "logicalResource", json_pack("[{s:s, s:s}]", "id", r->msisdn, "@referredType", "MSISDN"));
    if (r->product_id[0])
        json_object_set_new(d, "product", json_pack("[{s:s}]", "id", r->product_id));
    json_t *src = source_ref(r, base_url);
    if (src)
        json_object_set_new(d, "source", src);
    return d;
}

static bss_err history_each(void *arg, const bss__ledger_row *row, bss_errinfo *ei)
{
    list_acc *a = arg;
    json_t *d = history_render(row, a->base_url);
    if (!d || json_array_append_new(a->arr, d) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss_balance_history_json(bss_db *db, const char *base_url, const bss_balance_history_query *q, json_t **out,
                                 int64_t *total, bss_errinfo *ei)
{
    *out = NULL;
    bss__ledger_filter f = {.id = q->id, .bucket_id = q->bucket_id, .account_id = q->account_id, .msisdn = q->msisdn,
                            .reason = q->action, .usage_type = q->usage_type, .from_ms = q->from_ms,
                            .to_ms = q->to_ms, .offset = q->offset, .limit = q->limit > 0 ? q->limit : 100};
    list_acc a = {json_array(), base_url};
    if (!a.arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__ledger_list(db, &f, history_each, &a, total, ei);
    if (rc != BSS_OK) {
        json_decref(a.arr);
        return rc;
    }
    *out = a.arr;
    return BSS_OK;
}

bss_err bss_balance_history_get_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei)
{
    bss_balance_history_query q = {.id = id, .from_ms = INT64_MIN, .to_ms = INT64_MAX, .limit = 1};
    json_t *page = NULL;
    int64_t total = 0;
    bss_err rc = bss_balance_history_json(db, base_url, &q, &page, &total, ei);
    if (rc != BSS_OK)
        return rc;
    *out = json_incref(json_array_get(page, 0));
    json_decref(page);
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOT_FOUND, "id", "no balance action with id %s", id);
}
