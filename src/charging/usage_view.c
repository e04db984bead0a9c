/*
 * usage_view.c: stored usage as the interfaces show it (charging.h): a
 * TMF635 Usage rendered from its row, a page of them, the explanation of
 * one, and the UsageSpecification document kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/time.h"
#include "doc/doc.h"

/* ---- UsageSpecification: a document kind ---- */

static const bss_res_column spec_cols[] = {{"name", "name", BSS_RES_TEXT},
                                           {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT}};
static bss_res_table spec_table = {.name = "tmf635_usage_specification",
                                   .columns = spec_cols,
                                   .ncolumns = sizeof spec_cols / sizeof spec_cols[0]};
static const char *const spec_required[] = {"name", NULL};

static bss_err spec_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)ctx;
    (void)old;
    const json_t *n = json_object_get(doc, "name");
    if (!json_is_string(n) || json_string_length(n) == 0 || json_string_length(n) > 200)
        return bss_fail(ei, BSS_E_INVALID, "name", "name is 1..200 characters");
    const json_t *t = json_object_get(doc, "usageType");
    if (t && (!json_is_string(t) || !bss_cdr_service_parse(json_string_value(t))))
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is one of voice, sms, mms, data, content");
    if (!json_object_get(doc, "lifecycleStatus") && json_object_set_new(doc, "lifecycleStatus", json_string("active")))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return bss_doc_check_names(doc, ei);
}

const bss_doc_kind bss_usage_spec_kind = {.api = "usageManagement",
                                          .path = BSS_TMF635_BASE "/usageSpecification",
                                          .name = "usageSpecification",
                                          .type = "UsageSpecification",
                                          .status_field = "lifecycleStatus",
                                          .table = &spec_table,
                                          .required = spec_required,
                                          .prepare = spec_prepare};

bss_err bss_usage_seed_specs(bss_db *db, int64_t now_ms, int *created, bss_errinfo *ei)
{
    static const struct {
        const char *id, *type, *name, *unit;
    } specs[] = {
        {"us-voice", "voice", "Voice call", "s"},   {"us-sms", "sms", "SMS", "msg"},
        {"us-mms", "mms", "MMS", "msg"},            {"us-data", "data", "Mobile data", "byte"},
        {"us-content", "content", "Content purchase", "event"},
    };
    *created = 0;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        json_t *have = NULL;
        bss_err rc = bss_doc_load(db, &bss_usage_spec_kind, specs[i].id, &have, NULL, NULL);
        json_decref(have);
        if (rc == BSS_OK)
            continue;
        json_t *body = json_pack(
            "{s:s, s:s, s:s, s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b, s:s}]}", "name", specs[i].name,
            "usageType", specs[i].type, "description", "CDR and TMF635 usage of this service (docs/charging.md)",
            "usageSpecCharacteristic", "name", "msisdn", "valueType", "string", "configurable", false, "name",
            "quantity", "valueType", "integer", "configurable", false, "name", "unit", "valueType", "string",
            "configurable", false, "description", specs[i].unit);
        bss_doc_ctx ctx = {.kind = &bss_usage_spec_kind, .db = db, .now_ms = now_ms};
        json_t *out = NULL;
        rc = body ? bss_doc_create(&ctx, specs[i].id, body, &out, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        json_decref(body);
        json_decref(out);
        if (rc != BSS_OK)
            return rc;
        ++*created;
    }
    return BSS_OK;
}

/* ---- a usage row ---- */

#define COLS                                                                                                 \
    "id, status, reason_code, reason, attempts, source, source_ref, start_ms, msisdn, service, destination, "  \
    "quantity, unit, rating_group, visited_plmn, account_id, product_id, offering_id, offering_version, "      \
    "price_id, zone, time_band, roaming_zone, rated_units, covered_units, charge, wallet, billed, unpaid, "    \
    "currency, throttle, period_start, trace, takes, doc, created_ms, updated_ms"

enum {
    U_ID, U_STATUS, U_REASON_CODE, U_REASON, U_ATTEMPTS, U_SOURCE, U_SOURCE_REF, U_START, U_MSISDN, U_SERVICE,
    U_DEST, U_QTY, U_UNIT, U_RG, U_PLMN, U_ACCOUNT, U_PRODUCT, U_OFFERING, U_OFFERING_VERSION, U_PRICE, U_ZONE,
    U_BAND, U_ROAM, U_RATED, U_COVERED, U_CHARGE, U_WALLET, U_BILLED, U_UNPAID, U_CURRENCY, U_THROTTLE, U_PERIOD,
    U_TRACE, U_TAKES, U_DOC, U_CREATED, U_UPDATED,
};

static const char *T(bss_db_rows *rows, int c)
{
    const char *s = bss_db_col_text(rows, c, NULL);
    return s ? s : "";
}

static json_t *time_json(int64_t ms)
{
    char buf[32];
    bss_time_format(ms, buf);
    return json_string(buf);
}

static void characteristic(json_t *arr, const char *name, json_t *value, const char *type)
{
    json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "name", name, "value", value, "valueType", type));
}

static json_t *money(int64_t micros, const char *currency)
{
    return json_pack("{s:s, s:o}", "unit", currency, "value", bss_money_to_json(micros));
}

static json_t *render(bss_db_rows *rows, const char *base_url)
{
    json_t *doc = NULL;
    const char *dt = bss_db_col_text(rows, U_DOC, NULL);
    if (dt)
        (void)bss_json_parse(dt, strlen(dt), &doc, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_object();
    }
    if (!doc)
        return NULL;
    const char *id = T(rows, U_ID);
    char href[1024];
    snprintf(href, sizeof href, "%s%s/usage/%s", base_url ? base_url : "", BSS_TMF635_BASE, id);
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "href", json_string(href));
    json_object_set_new(doc, "@type", json_string("Usage"));
    json_object_set_new(doc, "usageDate", time_json(bss_db_col_int64(rows, U_START)));
    json_object_set_new(doc, "usageType", json_string(T(rows, U_SERVICE)));
    json_object_set_new(doc, "status", json_string(T(rows, U_STATUS)));
    json_t *chars = json_object_get(doc, "usageCharacteristic");
    json_t *mine = json_array();
    characteristic(mine, "recordId", json_string(id), "string");
    characteristic(mine, "msisdn", json_string(T(rows, U_MSISDN)), "string");
    if (*T(rows, U_DEST))
        characteristic(mine, "destination", json_string(T(rows, U_DEST)), "string");
    characteristic(mine, "quantity", json_integer(bss_db_col_int64(rows, U_QTY)), "integer");
    characteristic(mine, "unit", json_string(T(rows, U_UNIT)), "string");
    if (!bss_db_col_null(rows, U_RG))
        characteristic(mine, "ratingGroup", json_integer(bss_db_col_int64(rows, U_RG)), "integer");
    if (*T(rows, U_PLMN))
        characteristic(mine, "visitedPlmn", json_string(T(rows, U_PLMN)), "string");
    size_t i;
    json_t *c;
    json_array_foreach(chars, i, c) json_array_append(mine, c);
    json_object_set_new(doc, "usageCharacteristic", mine);
    if (*T(rows, U_REASON_CODE))
        json_object_set_new(doc, "statusReason",
                            json_pack("{s:s, s:s}", "code", T(rows, U_REASON_CODE), "reason", T(rows, U_REASON)));
    if (*T(rows, U_PRODUCT) && !bss_db_col_null(rows, U_CHARGE)) {
        const char *cur = *T(rows, U_CURRENCY) ? T(rows, U_CURRENCY) : "EUR";
        int64_t charge = bss_db_col_int64(rows, U_CHARGE);
        char phref[1024];
        snprintf(phref, sizeof phref, "%s/tmf-api/productInventory/v4/product/%s", base_url ? base_url : "",
                 T(rows, U_PRODUCT));
        json_t *rpu = json_pack(
            "{s:s, s:o, s:b, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:I, s:I}", "@type", "RatedProductUsage",
            "ratingDate", time_json(bss_db_col_int64(rows, U_UPDATED)), "isBilled",
            strcmp(T(rows, U_STATUS), "billed") == 0, "ratingAmountType", "total", "currencyCode", cur,
            "usageRatingTag", bss_db_col_int64(rows, U_COVERED) > 0 && charge == 0 ? "included" : "usage",
            "taxExcludedRatingAmount", money(charge, cur), "bucketValueConvertedInAmount",
            money(bss_db_col_int64(rows, U_WALLET), cur), "productRef", "id", T(rows, U_PRODUCT), "href", phref,
            "@referredType", "Product", "ratedUnits", (json_int_t)bss_db_col_int64(rows, U_RATED), "coveredUnits",
            (json_int_t)bss_db_col_int64(rows, U_COVERED));
        json_object_set_new(doc, "ratedProductUsage", json_pack("[o]", rpu));
    }
    return doc;
}

static const char SQL_GET[] = "SELECT " COLS " FROM usage_record WHERE id = ?";

static bss_err get_row(bss_db *db, const char *id, bss_db_rows **rows, bss_errinfo *ei)
{
    if (!id || !bss_usage_id_ok(id, strlen(id)))
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no usage with id %.128s", id ? id : "");
    bss_err rc = bss_db_query(db, SQL_GET, BSS_DB_ARGS(BSS_DB_STR(id)), rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (!bss_db_next(*rows)) {
        rc = bss_db_rows_error(*rows);
        bss_db_rows_close(*rows);
        *rows = NULL;
        return rc != BSS_OK ? bss_fail(ei, rc, NULL, "reading usage %s failed", id)
                            : bss_fail(ei, BSS_E_NOT_FOUND, "id", "no usage with id %s", id);
    }
    return BSS_OK;
}

bss_err bss_usage_get_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    bss_db_rows *rows = NULL;
    bss_err rc = get_row(db, id, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    *out = render(rows, base_url);
    bss_db_rows_close(rows);
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

/* ---- the explanation ---- */

static json_t *amount_of(const bss__bucket *b, int64_t v)
{
    return b->service == BSS_SERVICE_NONE ? bss_money_to_json(v) : json_integer(v);
}

/* The takes "bucket amount before after crossed;..." with each bucket's source and unit. */
static json_t *takes_json(bss_db *db, const char *takes, bss_errinfo *ei)
{
    json_t *arr = json_array();
    const char *p = takes, *end = takes ? takes + strlen(takes) : NULL;
    while (arr && p && p < end) {
        /* one take: "<bucket> <amount> <before> <after> <crossed>", bounded fields */
        char id[BSS_ID_MAX + 1];
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!sp || sp == p || (size_t)(sp - p) > BSS_ID_MAX)
            break;
        memcpy(id, p, (size_t)(sp - p));
        id[sp - p] = '\0';
        p = sp + 1;
        int64_t v[4] = {0};
        bool ok = true;
        for (int k = 0; ok && k < 4; k++) {
            ok = bss_parse_int64_prefix(&p, end, k < 3 ? BSS_NUM_MINUS : BSS_NUM_DIGITS, k < 3 ? INT64_MIN : 0,
                                        k < 3 ? INT64_MAX : 7, &v[k]) == BSS_OK;
            if (ok && k < 3)
                ok = p < end && *p++ == ' ';
        }
        if (!ok)
            break;
        int64_t amount = v[0], before = v[1], after = v[2];
        unsigned crossed = (unsigned)v[3];
        if (p < end && *p == ';')
            p++;
        bss__bucket bk;
        memset(&bk, 0, sizeof bk);
        bool have = bss__bucket_get(db, id, &bk, ei) == BSS_OK;
        json_t *one = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "bucket", id, "bucketSource",
                                have ? bss_bucket_source_name(bk.source) : "", "usageType",
                                have ? bss__usage_type_name(bk.service) : "", "units", have ? bk.unit : "", "amount",
                                amount_of(&bk, amount), "before", amount_of(&bk, before), "after",
                                amount_of(&bk, after));
        if (one && crossed) {
            json_t *c = json_array();
            static const int pct[] = {50, 80, 100};
            for (int k = 0; k < 3; k++)
                if (crossed & (1u << k))
                    json_array_append_new(c, json_integer(pct[k]));
            json_object_set_new(one, "thresholdsCrossed", c);
        }
        json_array_append_new(arr, one);
    }
    return arr;
}

/* What re-rating did to a usage (src/charging/rerate.c): the run that last
 * changed its row and what the row said before, and for billed usage the
 * adjustments that go on the next bill instead. Nothing when it was never
 * re-rated. */
static const char SQL_RERATED[] = "SELECT rerate_id, previous FROM usage_record WHERE id = ?";
static const char SQL_ADJUSTMENTS[] = "SELECT id, rerate_id, amount, charge_before, charge_after, status, created_ms "
                                      "FROM usage_adjustment WHERE usage_id = ? ORDER BY created_ms, id";

static bss_err rerating_json(bss_db *db, const char *base_url, const char *id, json_t *o, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_RERATED, BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_t *rr = NULL;
    if (bss_db_next(rows) && !bss_db_col_null(rows, 0)) {
        char href[1024];
        snprintf(href, sizeof href, "%s/api/v1/usage/rerate/%s", base_url ? base_url : "", T(rows, 0));
        json_t *prev = bss_db_col_null(rows, 1) ? NULL : json_loads(T(rows, 1), 0, NULL);
        rr = json_pack("{s:s, s:s, s:o*}", "id", T(rows, 0), "href", href, "previous", prev);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK) {
        json_decref(rr);
        return bss_fail(ei, rc, NULL, "reading the usage's re-rating failed");
    }
    rc = bss_db_query(db, SQL_ADJUSTMENTS, BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc != BSS_OK) {
        json_decref(rr);
        return rc;
    }
    json_t *adj = json_array();
    while (adj && bss_db_next(rows))
        json_array_append_new(adj, json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "id", T(rows, 0), "rerateId",
                                             T(rows, 1), "amount", bss_money_to_json(bss_db_col_int64(rows, 2)),
                                             "chargeBefore", bss_money_to_json(bss_db_col_int64(rows, 3)),
                                             "chargeAfter", bss_money_to_json(bss_db_col_int64(rows, 4)), "status",
                                             T(rows, 5), "createdAt", time_json(bss_db_col_int64(rows, 6))));
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        rc = bss_fail(ei, rc, NULL, "reading the usage's adjustments failed");
    if (rc == BSS_OK && !adj)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc == BSS_OK && json_array_size(adj) > 0) {
        if (!rr)
            rr = json_object();
        json_object_set(rr, "adjustments", adj);
    }
    json_decref(adj);
    if (rc == BSS_OK && rr)
        json_object_set_new(o, "rerating", rr);
    else
        json_decref(rr);
    return rc;
}

bss_err bss_usage_explain_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    bss_db_rows *rows = NULL;
    bss_err rc = get_row(db, id, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    const char *status = T(rows, U_STATUS);
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:{s:o, s:s, s:s, s:I, s:s}}", "id", T(rows, U_ID), "status", status,
                          "attempts", (int)bss_db_col_int64(rows, U_ATTEMPTS), "source", T(rows, U_SOURCE), "event",
                          "startTime", time_json(bss_db_col_int64(rows, U_START)), "msisdn", T(rows, U_MSISDN),
                          "service", T(rows, U_SERVICE), "quantity", (json_int_t)bss_db_col_int64(rows, U_QTY),
                          "unit", T(rows, U_UNIT));
    if (!o) {
        bss_db_rows_close(rows);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_t *ev = json_object_get(o, "event");
    if (*T(rows, U_DEST))
        json_object_set_new(ev, "destination", json_string(T(rows, U_DEST)));
    if (!bss_db_col_null(rows, U_RG))
        json_object_set_new(ev, "ratingGroup", json_integer(bss_db_col_int64(rows, U_RG)));
    if (*T(rows, U_PLMN))
        json_object_set_new(ev, "visitedPlmn", json_string(T(rows, U_PLMN)));
    if (*T(rows, U_SOURCE_REF))
        json_object_set_new(o, "sourceRef", json_string(T(rows, U_SOURCE_REF)));
    if (*T(rows, U_REASON_CODE))
        json_object_set_new(o, "rejection",
                            json_pack("{s:s, s:s}", "code", T(rows, U_REASON_CODE), "reason", T(rows, U_REASON)));
    if (*T(rows, U_ACCOUNT))
        json_object_set_new(o, "line",
                            json_pack("{s:s, s:s}", "productId", T(rows, U_PRODUCT), "billingAccountId",
                                      T(rows, U_ACCOUNT)));
    if (*T(rows, U_OFFERING))
        json_object_set_new(o, "productOffering",
                            json_pack("{s:s, s:s}", "id", T(rows, U_OFFERING), "version", T(rows, U_OFFERING_VERSION)));
    if (!bss_db_col_null(rows, U_CHARGE)) {
        const char *cur = *T(rows, U_CURRENCY) ? T(rows, U_CURRENCY) : "EUR";
        json_t *r = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:b}", "price", T(rows, U_PRICE), "trace",
                              T(rows, U_TRACE), "ratedUnits", (json_int_t)bss_db_col_int64(rows, U_RATED),
                              "coveredUnits", (json_int_t)bss_db_col_int64(rows, U_COVERED), "charge",
                              bss_money_to_json(bss_db_col_int64(rows, U_CHARGE)), "fromWallet",
                              bss_money_to_json(bss_db_col_int64(rows, U_WALLET)), "billed",
                              bss_money_to_json(bss_db_col_int64(rows, U_BILLED)), "notCovered",
                              bss_money_to_json(bss_db_col_int64(rows, U_UNPAID)), "currency", cur, "throttle",
                              bss_db_col_int64(rows, U_THROTTLE) != 0);
        if (r && *T(rows, U_ZONE))
            json_object_set_new(r, "zone", json_string(T(rows, U_ZONE)));
        if (r && *T(rows, U_BAND))
            json_object_set_new(r, "timeBand", json_string(T(rows, U_BAND)));
        if (r && *T(rows, U_ROAM))
            json_object_set_new(r, "roamingZone", json_string(T(rows, U_ROAM)));
        if (r && !bss_db_col_null(rows, U_PERIOD))
            json_object_set_new(r, "billPeriodStart", time_json(bss_db_col_int64(rows, U_PERIOD)));
        json_object_set_new(o, "rating", r);
    }
    char *takes = bss_strdup(T(rows, U_TAKES));
    bss_db_rows_close(rows); /* one open result per connection: the buckets are read next */
    if (!takes) {
        json_decref(o);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_object_set_new(o, "buckets", takes_json(db, takes, NULL));
    bss_free(takes);
    rc = rerating_json(db, base_url, id, o, ei);
    if (rc != BSS_OK) {
        json_decref(o);
        return rc;
    }
    char href[1024];
    snprintf(href, sizeof href, "%s%s/usage/%s", base_url ? base_url : "", BSS_TMF635_BASE, id);
    json_object_set_new(o, "usage", json_string(href));
    *out = o;
    return BSS_OK;
}

/* ---- lists ---- */

#define WHERE_REST                                                                                           \
    " AND start_ms >= ? AND start_ms < ? AND (CAST(? AS TEXT) IS NULL OR id = ?) AND "                        \
    "(CAST(? AS TEXT) IS NULL OR status = ?) AND (CAST(? AS TEXT) IS NULL OR account_id = ?) AND "             \
    "(CAST(? AS TEXT) IS NULL OR product_id = ?) AND (CAST(? AS TEXT) IS NULL OR service = ?) AND "            \
    "(CAST(? AS TEXT) IS NULL OR reason_code = ?)"
/* by line: the (msisdn, start_ms) index; rejected: the partial index; else a scan in time order */
static const char SQL_LIST_LINE[] =
    "SELECT " COLS " FROM usage_record WHERE msisdn = ?" WHERE_REST " ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT_LINE[] = "SELECT COUNT(*) FROM usage_record WHERE msisdn = ?" WHERE_REST;
static const char SQL_LIST_ANY[] =
    "SELECT " COLS " FROM usage_record WHERE 1 = 1" WHERE_REST " ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT_ANY[] = "SELECT COUNT(*) FROM usage_record WHERE 1 = 1" WHERE_REST;

static bss_db_val V(const char *s)
{
    return s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

bss_err bss_usage_list_json(bss_db *db, const char *base_url, const bss_usage_query *q, json_t **out, int64_t *total,
                            bss_errinfo *ei)
{
    *out = NULL;
    bool line = q->msisdn != NULL;
#define QARGS                                                                                                \
    BSS_DB_I64(q->from_ms), BSS_DB_I64(q->to_ms), V(q->id), V(q->id), V(q->status), V(q->status),               \
        V(q->account_id), V(q->account_id), V(q->product_id), V(q->product_id), V(q->usage_type), V(q->usage_type), \
        V(q->reason_code), V(q->reason_code)
    bss_err rc = line ? bss_db_query_int64(db, SQL_COUNT_LINE, BSS_DB_ARGS(V(q->msisdn), QARGS), total, ei)
                      : bss_db_query_int64(db, SQL_COUNT_ANY, BSS_DB_ARGS(QARGS), total, ei);
    if (rc != BSS_OK)
        return rc;
    bss_db_rows *rows = NULL;
    rc = line ? bss_db_query(db, SQL_LIST_LINE,
                             BSS_DB_ARGS(V(q->msisdn), QARGS, BSS_DB_I64(q->limit), BSS_DB_I64(q->offset)), &rows, ei)
              : bss_db_query(db, SQL_LIST_ANY, BSS_DB_ARGS(QARGS, BSS_DB_I64(q->limit), BSS_DB_I64(q->offset)), &rows,
                             ei);
#undef QARGS
    if (rc != BSS_OK)
        return rc;
    json_t *page = json_array();
    while (page && bss_db_next(rows)) {
        json_t *u = render(rows, base_url);
        if (!u || json_array_append_new(page, u) != 0) {
            json_decref(page);
            page = NULL;
        }
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK) {
        json_decref(page);
        return bss_fail(ei, rc, NULL, "listing usage failed");
    }
    if (!page)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    *out = page;
    return BSS_OK;
}
