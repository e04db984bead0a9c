/*
 * product.c: the TMF637 Product Inventory v4 document kind (order.h),
 * served at /tmf-api/productInventory/v4/product by src/api/tmf637.c
 * (docs/orders.md): what a customer has. Orders create and change
 * products; the API writes them too (admin keys: moving a base in from a
 * legacy system), under the same rules:
 *
 *   - status: created, pendingActive, active, suspended, pendingTerminate,
 *     terminated, cancelled, aborted, with the transitions of the table
 *     below (an illegal one is 409 STATE naming the next states); the last
 *     three are final. startDate is set when a product first becomes active
 *     (unless given), terminationDate when it is terminated.
 *   - productOffering {id}: an offering of the catalog (422 when there is
 *     none); its name and version are filled in from the catalog at
 *     creation and kept (grandfathering: the product stays on the version
 *     it was sold at until an order moves it).
 *   - productPrice: when absent, taken from the offering: one entry per
 *     productOfferingPrice with its id, name, version and priceType.
 *   - billingAccount {id} (422 when there is none) and relatedParty, which
 *     must name the customer (role "customer", an existing customer).
 *   - productCharacteristic [{name, value}]: MSISDN (any form core/phone.h
 *     takes, stored as E.164 digits without '+'), ICCID (Luhn-checked,
 *     digits) and IMSI (6-15 digits) are checked and, while the product is
 *     live, indexed in product_identity: two live products never share a
 *     number, a SIM or an IMSI (409 naming the product that has it);
 *     spendingCap, when given, is an amount 0..100000 (charging enforces it).
 * Products hold personal data (erased with the customer's party by the
 * privacy rules of the customer module); there is no DELETE.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "core/iccid.h"
#include "core/json.h"
#include "core/money.h"
#include "core/mem.h"
#include "core/phone.h"
#include "customer/customer.h"
#include "order/order.h"
#include "order/order_int.h"

static const char *const statuses[] = {"created",          "pendingActive", "active",    "suspended",
                                       "pendingTerminate", "terminated",    "cancelled", "aborted"};
enum { P_CREATED, P_PENDING_ACTIVE, P_ACTIVE, P_SUSPENDED, P_PENDING_TERMINATE, P_TERMINATED, P_CANCELLED, P_ABORTED, P_COUNT };

/* allowed[from][to] (staying is always allowed) */
static const bool allowed[P_COUNT][P_COUNT] = {
    [P_CREATED] = {[P_PENDING_ACTIVE] = true, [P_ACTIVE] = true, [P_CANCELLED] = true, [P_ABORTED] = true},
    [P_PENDING_ACTIVE] = {[P_ACTIVE] = true, [P_CANCELLED] = true, [P_ABORTED] = true},
    [P_ACTIVE] = {[P_SUSPENDED] = true, [P_PENDING_TERMINATE] = true, [P_TERMINATED] = true},
    [P_SUSPENDED] = {[P_ACTIVE] = true, [P_PENDING_TERMINATE] = true, [P_TERMINATED] = true},
    [P_PENDING_TERMINATE] = {[P_ACTIVE] = true, [P_SUSPENDED] = true, [P_TERMINATED] = true},
};

static const bss_res_column product_columns[] = {
    {"status", "status", BSS_RES_TEXT},
    {"productOffering.id", "offering_id", BSS_RES_TEXT},
    {"productOffering.version", "offering_version", BSS_RES_TEXT},
    {"billingAccount.id", "account_id", BSS_RES_TEXT},
    {"startDate", "start_ms", BSS_RES_TIME}, /* NULL in rows written before 0029_product_start */
};

static bss_res_table product_table = {
    .name = "product",
    .columns = product_columns,
    .ncolumns = sizeof product_columns / sizeof product_columns[0],
};

static const char *const product_required[] = {"productOffering", "billingAccount", "relatedParty", NULL};
static const char *const product_server_managed[] = {"lastUpdate", "creationDate", NULL};

static const bss_doc_ref product_refs[] = {
    {"productOffering", &bss_offering_kind},
    {"billingAccount", &bss_billing_account_kind},
    {"relatedParty", NULL},
    {NULL, NULL},
};

static bss_err product_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
static bss_err product_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei);

const bss_doc_kind bss_product_kind = {
    .api = "productInventory",
    .path = BSS_TMF637_BASE "/product",
    .name = "product",
    .type = "Product",
    .status_field = "status",
    .table = &product_table,
    .required = product_required,
    .server_managed = product_server_managed,
    .refs = product_refs,
    .prepare = product_prepare,
    .after_store = product_after_store,
    .personal_data = true,
};

static int status_of(const char *s)
{
    for (int i = 0; s && i < P_COUNT; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

bool bss_product_transition_ok(const char *status, const char *next)
{
    int f = status_of(status), t = status_of(next);
    return f >= 0 && t >= 0 && (f == t || allowed[f][t]);
}

bool bss_product_is_live(const char *status)
{
    int s = status_of(status);
    return s >= 0 && s != P_TERMINATED && s != P_CANCELLED && s != P_ABORTED;
}

bss_err bss_product_find(bss_db *db, const char *kind, const char *value, char *id, bool *found, bss_errinfo *ei)
{
    return bss__store_identity_owner(db, kind, value, NULL, id, BSS_ID_MAX + 1, found, ei);
}

static const char SQL_LINE[] = "SELECT p.id, p.status, p.offering_id, p.account_id, p.start_ms, p.doc "
                               "FROM product_identity i JOIN product p ON p.id = i.product_id "
                               "WHERE i.kind = 'MSISDN' AND i.value = ?";

static bool holds(const char *doc, size_t len, const char *member)
{
    return doc && memmem(doc, len, member, strlen(member)) != NULL;
}

/* What no column holds, from the document (only when its text names it). */
static void line_from_doc(const char *doc, size_t len, bool start_known, bss_product_line *out)
{
    json_t *p = NULL;
    if (bss_json_parse(doc, len, &p, NULL) != BSS_OK)
        return;
    const char *ver = json_string_value(json_object_get(p, "productOfferingVersion"));
    snprintf(out->pinned_version, sizeof out->pinned_version, "%s", ver ? ver : "");
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(p, "productCharacteristic"), i, ch)
    {
        const char *cn = json_string_value(json_object_get(ch, "name"));
        if (cn && strcmp(cn, "spendingCap") == 0)
            (void)bss_money_from_json(json_object_get(ch, "value"), "spendingCap", &out->spending_cap_micros, NULL);
    }
    if (!start_known && json_object_get(p, "startDate"))
        (void)bss_json_get_time(p, "startDate", "startDate", false, &out->start_ms, NULL);
    json_decref(p);
}

bss_err bss_product_line_find(bss_db *db, const char *msisdn, bss_product_line *out, bool *found, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    out->start_ms = INT64_MIN;
    *found = false;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_LINE, BSS_DB_ARGS(BSS_DB_STRN(msisdn, strlen(msisdn))), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        const char *t;
        snprintf(out->id, sizeof out->id, "%s", (t = bss_db_col_text(rows, 0, NULL)) ? t : "");
        snprintf(out->status, sizeof out->status, "%s", (t = bss_db_col_text(rows, 1, NULL)) ? t : "");
        snprintf(out->offering_id, sizeof out->offering_id, "%s", (t = bss_db_col_text(rows, 2, NULL)) ? t : "");
        snprintf(out->account_id, sizeof out->account_id, "%s", (t = bss_db_col_text(rows, 3, NULL)) ? t : "");
        bool start_known = !bss_db_col_null(rows, 4);
        if (start_known)
            out->start_ms = bss_db_col_int64(rows, 4);
        size_t len = 0;
        const char *doc = bss_db_col_text(rows, 5, &len);
        if (holds(doc, len, "\"spendingCap\"") || holds(doc, len, "\"productOfferingVersion\"") ||
            (!start_known && holds(doc, len, "\"startDate\"")))
            line_from_doc(doc, len, start_known, out);
        *found = out->id[0] != '\0';
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading the line of %s failed", msisdn);
}

static bss_err nomem(bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

static bss_err check_status(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const char *from = old ? json_string_value(json_object_get(old, "status")) : NULL;
    json_t *st = json_object_get(doc, "status");
    if (!st || json_is_null(st)) {
        if (json_object_set_new(doc, "status", json_string(from ? from : "created")) != 0)
            return nomem(ei);
        st = json_object_get(doc, "status");
    }
    const char *to = json_string_value(st);
    int t = status_of(to);
    if (t < 0)
        return bss_fail(ei, BSS_E_INVALID, "status", "status must be one of " BSS_PRODUCT_STATUSES);
    if (from && !bss_product_transition_ok(from, to)) {
        char next[200];
        int f = status_of(from);
        return bss_fail(ei, BSS_E_STATE, "status", "a product cannot go from %s to %s%s", from, to,
                        f < 0 ? "" : bss_doc_next_states(statuses, allowed[f], P_COUNT, f, next, sizeof next));
    }
    bool was_active = old && json_object_get(old, "startDate");
    if (t == P_ACTIVE && !json_object_get(doc, "startDate") && !was_active &&
        bss_json_set_time(doc, "startDate", ctx->now_ms) != 0)
        return nomem(ei);
    if (t == P_TERMINATED && !json_object_get(doc, "terminationDate") &&
        bss_json_set_time(doc, "terminationDate", ctx->now_ms) != 0)
        return nomem(ei);
    return BSS_OK;
}

/* A reference member {id, ...}: its id (NULL after failing). */
static const char *ref_id(const json_t *doc, const char *member, bss_errinfo *ei)
{
    const json_t *r = json_object_get(doc, member);
    const char *id = json_string_value(json_object_get(r, "id"));
    if (!json_is_object(r) || !id || !id[0]) {
        char f[64];
        snprintf(f, sizeof f, "%s.id", member);
        bss_fail(ei, BSS_E_INVALID, f, "%s is required (an object with an id)", f);
        return NULL;
    }
    return id;
}

/* The offering: exists; name and version filled in at creation; prices taken from it when absent. */
static bss_err check_offering(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const char *id = ref_id(doc, "productOffering", ei);
    if (!id)
        return BSS_E_INVALID;
    json_t *po = json_object_get(doc, "productOffering");
    if (old && json_equal(po, json_object_get(old, "productOffering")))
        return BSS_OK;
    if (!ctx->db)
        return BSS_OK;
    json_t *off = NULL;
    bss_err rc = bss_doc_load(ctx->db, &bss_offering_kind, id, &off, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "productOffering.id", "productOffering.id: no productOffering with id %.64s",
                        id);
    if (rc != BSS_OK)
        return rc;
    const json_t *name = json_object_get(off, "name"), *version = json_object_get(off, "version");
    if (json_is_string(name) && !json_object_get(po, "name"))
        json_object_set(po, "name", (json_t *)name);
    if (json_is_string(version) && !json_object_get(po, "version"))
        json_object_set(po, "version", (json_t *)version);
    if (!json_object_get(po, "@referredType"))
        json_object_set_new(po, "@referredType", json_string("ProductOffering"));
    if (!json_object_get(doc, "name") && json_is_string(name))
        json_object_set(doc, "name", (json_t *)name);
    if (!json_is_array(json_object_get(doc, "productPrice"))) {
        json_t *prices = json_array();
        size_t i;
        json_t *ref;
        json_array_foreach(json_object_get(off, "productOfferingPrice"), i, ref)
        {
            const char *pid = json_string_value(json_object_get(ref, "id"));
            json_t *pop = NULL;
            if (!pid || bss_doc_load(ctx->db, &bss_offering_price_kind, pid, &pop, NULL, NULL) != BSS_OK)
                continue;
            json_t *e = json_pack("{s:{s:s, s:s}}", "productOfferingPrice", "id", pid, "@referredType",
                                  "ProductOfferingPrice");
            json_t *ref_obj = e ? json_object_get(e, "productOfferingPrice") : NULL;
            static const char *const copy[] = {"name", "priceType", "recurringChargePeriodType", "unitOfMeasure"};
            for (size_t k = 0; e && k < sizeof copy / sizeof copy[0]; k++) {
                const json_t *v = json_object_get(pop, copy[k]);
                if (json_is_string(v))
                    json_object_set(e, copy[k], (json_t *)v);
            }
            const json_t *pv = json_object_get(pop, "version");
            if (ref_obj && json_is_string(pv))
                json_object_set(ref_obj, "version", (json_t *)pv);
            const json_t *price = json_object_get(pop, "price");
            if (e && json_is_object(price))
                json_object_set_new(e, "price", json_pack("{s:O}", "taxIncludedAmount", price));
            json_decref(pop);
            if (e)
                json_array_append_new(prices, e);
        }
        json_object_set_new(doc, "productPrice", prices);
    }
    json_decref(off);
    return BSS_OK;
}

static bss_err check_account_and_customer(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const char *acc = ref_id(doc, "billingAccount", ei);
    if (!acc)
        return BSS_E_INVALID;
    bool found = true;
    bss_err rc = ctx->db ? bss_doc_exists(ctx->db, &bss_billing_account_kind, acc, &found, ei) : BSS_OK;
    if (rc != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "billingAccount.id", "billingAccount.id: no billingAccount with id %.64s",
                        acc);
    const json_t *rp = json_object_get(doc, "relatedParty");
    if (!json_is_array(rp))
        return bss_fail(ei, BSS_E_INVALID, "relatedParty", "relatedParty must be an array naming the customer");
    size_t i;
    json_t *e;
    const char *customer = NULL;
    json_array_foreach(rp, i, e)
    {
        const char *role = json_string_value(json_object_get(e, "role"));
        if (role && strcasecmp(role, "customer") == 0)
            customer = json_string_value(json_object_get(e, "id"));
    }
    if (!customer || !customer[0])
        return bss_fail(ei, BSS_E_INVALID, "relatedParty",
                        "relatedParty must name the customer: {\"id\": ..., \"role\": \"customer\"}");
    rc = ctx->db ? bss_doc_exists(ctx->db, &bss_customer_kind, customer, &found, ei) : BSS_OK;
    if (rc == BSS_OK && !found)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "relatedParty", "relatedParty: no customer with id %.64s", customer);
    return rc;
}

#define MAX_IDS 8

/* productCharacteristic: checks and normalises MSISDN, ICCID, IMSI; collects them into ids. */
static bss_err check_characteristics(json_t *doc, bss__identity *ids, char vals[MAX_IDS][24], size_t *nids,
                                     bss_errinfo *ei)
{
    *nids = 0;
    json_t *chars = json_object_get(doc, "productCharacteristic");
    if (!chars || json_is_null(chars)) {
        if (json_object_set_new(doc, "productCharacteristic", json_array()) != 0)
            return nomem(ei);
        return BSS_OK;
    }
    if (!json_is_array(chars))
        return bss_fail(ei, BSS_E_INVALID, "productCharacteristic", "productCharacteristic must be an array of {name, value}");
    size_t i;
    json_t *c;
    json_array_foreach(chars, i, c)
    {
        char f[64];
        snprintf(f, sizeof f, "productCharacteristic[%zu]", i);
        const char *name = json_string_value(json_object_get(c, "name"));
        if (!json_is_object(c) || !name || !name[0])
            return bss_fail(ei, BSS_E_INVALID, f, "%s needs a name", f);
        if (strcmp(name, "spendingCap") == 0) {
            /* the line's most billed usage per bill period (the charging module enforces it) */
            int64_t cap = 0;
            snprintf(f, sizeof f, "productCharacteristic[%zu].value", i);
            if (bss_money_from_json(json_object_get(c, "value"), f, &cap, NULL) != BSS_OK || cap < 0 ||
                cap > INT64_C(100000) * BSS_MICROS_PER_UNIT)
                return bss_fail(ei, BSS_E_INVALID, f, "spendingCap is an amount 0..100000 in the line's currency");
            continue;
        }
        const char *kind = strcasecmp(name, "MSISDN") == 0 ? "MSISDN"
                           : strcasecmp(name, "ICCID") == 0 ? "ICCID"
                           : strcasecmp(name, "IMSI") == 0 ? "IMSI"
                                                            : NULL;
        if (!kind)
            continue;
        snprintf(f, sizeof f, "productCharacteristic[%zu].value", i);
        const char *v = json_string_value(json_object_get(c, "value"));
        if (!v)
            return bss_fail(ei, BSS_E_INVALID, f, "%s: the %s is a string", f, kind);
        if (*nids >= MAX_IDS)
            return bss_fail(ei, BSS_E_INVALID, f, "a product has at most %d network identities", MAX_IDS);
        char *out = vals[*nids];
        bss_err rc = BSS_OK;
        if (strcmp(kind, "MSISDN") == 0) {
            char e164[BSS_PHONE_E164_MAX + 1];
            rc = bss_phone_e164(v, strlen(v), f, e164, ei);
            snprintf(out, 24, "%s", rc == BSS_OK ? e164 + 1 : "");
        } else if (strcmp(kind, "ICCID") == 0) {
            rc = bss_iccid_normalize(v, strlen(v), f, out, ei);
        } else {
            size_t n = strlen(v);
            bool ok = n >= 6 && n <= 15;
            for (size_t k = 0; ok && k < n; k++)
                ok = v[k] >= '0' && v[k] <= '9';
            if (!ok)
                rc = bss_fail(ei, BSS_E_INVALID, f, "%s: an IMSI is 6 to 15 digits", f);
            else
                snprintf(out, 24, "%s", v);
        }
        if (rc != BSS_OK)
            return rc;
        for (size_t k = 0; k < *nids; k++)
            if (strcmp(ids[k].kind, kind) == 0)
                return bss_fail(ei, BSS_E_INVALID, f, "a product has one %s", kind);
        json_object_set_new(c, "name", json_string(kind));
        json_object_set_new(c, "value", json_string(out));
        ids[*nids] = (bss__identity){.kind = kind, .value = out};
        ++*nids;
    }
    return BSS_OK;
}

static bss_err product_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    int64_t created = ctx->now_ms;
    if (old)
        bss_json_get_time(old, "creationDate", NULL, false, &created, NULL);
    if (bss_json_set_time(doc, "creationDate", created) != 0 || bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        return nomem(ei);
    bss_err rc = bss_doc_check_names(doc, ei);
    if (rc == BSS_OK)
        rc = check_status(ctx, doc, old, ei);
    if (rc == BSS_OK)
        rc = check_offering(ctx, doc, old, ei);
    if (rc == BSS_OK)
        rc = check_account_and_customer(ctx, doc, ei);
    bss__identity ids[MAX_IDS];
    char vals[MAX_IDS][24];
    size_t n = 0;
    if (rc == BSS_OK)
        rc = check_characteristics(doc, ids, vals, &n, ei);
    const char *self = json_string_value(json_object_get(doc, "id"));
    if (rc == BSS_OK && ctx->db && bss_product_is_live(json_string_value(json_object_get(doc, "status"))))
        for (size_t i = 0; rc == BSS_OK && i < n; i++) {
            char owner[BSS_ID_MAX + 1];
            bool found = false;
            rc = bss__store_identity_owner(ctx->db, ids[i].kind, ids[i].value, self, owner, sizeof owner, &found, ei);
            if (rc == BSS_OK && found)
                rc = bss_fail(ei, BSS_E_CONFLICT, "productCharacteristic", "%s %s%s belongs to product %s already",
                              ids[i].kind, strcmp(ids[i].kind, "MSISDN") == 0 ? "+" : "", ids[i].value, owner);
        }
    return rc;
}

/* after_store: product_identity holds the identities of live products only. */
static bss_err product_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    bss__identity ids[MAX_IDS];
    size_t n = 0;
    const char *status = doc ? json_string_value(json_object_get(doc, "status")) : NULL;
    if (doc && bss_product_is_live(status)) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "productCharacteristic"), i, c)
        {
            const char *name = json_string_value(json_object_get(c, "name"));
            const char *v = json_string_value(json_object_get(c, "value"));
            if (n < MAX_IDS && name && v &&
                (strcmp(name, "MSISDN") == 0 || strcmp(name, "ICCID") == 0 || strcmp(name, "IMSI") == 0))
                ids[n++] = (bss__identity){.kind = name, .value = v};
        }
    }
    return bss__store_identities_set(ctx->db, id, ids, n, ei);
}

/* ---- reads for orders ---- */

typedef struct by_account {
    bss__product_fn fn;
    void *arg;
} by_account;

static bss_err product_row(const bss_res_row *row, void *arg)
{
    by_account *b = arg;
    json_error_t jerr;
    json_t *doc = json_loadb(row->doc, row->doc_len, 0, &jerr);
    if (!doc)
        return BSS_E_INTERNAL;
    bss_err rc = bss_product_is_live(json_string_value(json_object_get(doc, "status"))) ? b->fn(doc, b->arg) : BSS_OK;
    json_decref(doc);
    return rc;
}

bss_err bss__products_of_account(bss_db *db, const char *account_id, bss__product_fn fn, void *arg, bss_errinfo *ei)
{
    bss_err rc = bss_resource_table_prepare(&product_table);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "cannot prepare the product table");
    bss_res_filter f = {.column = 3, .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STRN(account_id, strlen(account_id));
    by_account b = {fn, arg};
    rc = bss_resource_list(db, &product_table, &f, 1, 0, 1000, NULL, product_row, &b, ei);
    if (rc == BSS_E_INTERNAL)
        return bss_fail(ei, rc, NULL, "a stored product is not JSON");
    return rc;
}
