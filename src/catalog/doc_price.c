/*
 * doc_price.c: the TMF620 `productOfferingPrice` document kind, served at
 * /tmf-api/productCatalogManagement/v4/productOfferingPrice, stored in
 * tmf620_product_offering_price (migration 0005) with typed columns name,
 * lifecycle_status, version and price_type. The shape of a price (one-time,
 * recurring, usage with tiers, zones and time bands, allowance, discount)
 * is the pricing model's (catalog.h); this file checks it on every write by
 * building it.
 *
 * Rules (price_prepare), besides the common ones of catalog_int.h:
 *   - isBundle is a boolean; a bundle price (isBundle true) lists its
 *     component prices in bundledPopRelationship[] (ids of prices) and is
 *     not built; any other price must build with bss_price_build (422 with
 *     its field path for rules between members, 400 for bad types, money or
 *     currency), its zone tables and time-band plans resolved from the store;
 *   - usage.zoneTableId, usage.roamingZoneTableId, usage.timeBandPlanId and
 *     allowance.zoneTableId name stored zoneTable / timeBandPlan documents
 *     (400 with the path when missing);
 *   - productOfferingPriceRelationship[].id and bundledPopRelationship[].id
 *     name existing prices that are not Retired or Obsolete (400 / 422);
 *   - a change of a priced member (price, percentage, usage, allowance, ...)
 *     of an Active price makes a new version (versions.c).
 * A price a live offering lists cannot be retired (422). Deleting a price
 * that an offering or another price refers to is 409.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"
#include "core/mem.h"

#define MAX_TABLES 8

static const bss_res_column price_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
    {"version", "version", BSS_RES_TEXT},
    {"priceType", "price_type", BSS_RES_TEXT},
};

static bss_res_table price_table = {
    .name = "tmf620_product_offering_price",
    .columns = price_columns,
    .ncolumns = sizeof price_columns / sizeof price_columns[0],
};

static const char *const price_required[] = {"name", NULL};

/* The members whose change on an Active price makes a new version. */
static const char *const price_versioned[] = {
    "price",
    "percentage",
    "usage",
    "allowance",
    "priceType",
    "unitOfMeasure",
    "taxCategory",
    "recurringChargePeriodType",
    "recurringChargePeriodLength",
    "prorationPolicy",
    "applicationDuration",
    "appliesTo",
    NULL,
};


static bss_err price_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const price_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref price_refs[] = {
    {"bundledPopRelationship", &bss_offering_price_kind},
    {"productOfferingPriceRelationship", &bss_offering_price_kind},
    {"usage.zoneTableId", &bss_zone_table_kind},
    {"usage.roamingZoneTableId", &bss_zone_table_kind},
    {"usage.timeBandPlanId", &bss_timeband_plan_kind},
    {"allowance.zoneTableId", &bss_zone_table_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_offering_price_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/productOfferingPrice",
    .name = "productOfferingPrice",
    .type = "ProductOfferingPrice",
    .status_field = "lifecycleStatus",
    .server_managed = price_server_managed,
    .refs = price_refs,
    .table = &price_table,
    .required = price_required,
    .prepare = price_prepare,
    .after_commit = bss__catalog_changed,
};

/* ---- zone tables and time-band plans from the store, for bss_price_build ---- */

typedef struct table_refs {
    const bss_doc_ctx *ctx;
    bss_zone_table *zones[MAX_TABLES];
    bss_timeband_plan *plans[MAX_TABLES];
    size_t nzones, nplans;
} table_refs;

static json_t *load_doc(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const char *id)
{
    json_t *doc = NULL;
    if (!ctx->db || !id || bss_doc_load(ctx->db, kind, id, &doc, NULL, NULL) != BSS_OK)
        return NULL;
    return doc;
}

static const bss_zone_table *zone_ref(void *arg, const char *id)
{
    table_refs *tr = arg;
    json_t *doc = tr->nzones < MAX_TABLES ? load_doc(tr->ctx, &bss_zone_table_kind, id) : NULL;
    bss_zone_table *t = NULL;
    if (doc && bss_zone_table_build(doc, &t, NULL) == BSS_OK)
        tr->zones[tr->nzones++] = t;
    json_decref(doc);
    return t;
}

static const bss_timeband_plan *plan_ref(void *arg, const char *id)
{
    table_refs *tr = arg;
    json_t *doc = tr->nplans < MAX_TABLES ? load_doc(tr->ctx, &bss_timeband_plan_kind, id) : NULL;
    bss_timeband_plan *p = NULL;
    if (doc && bss_timeband_plan_build(doc, &p, NULL) == BSS_OK)
        tr->plans[tr->nplans++] = p;
    json_decref(doc);
    return p;
}

static void table_refs_free(table_refs *tr)
{
    for (size_t i = 0; i < tr->nzones; i++)
        bss_zone_table_free(tr->zones[i]);
    for (size_t i = 0; i < tr->nplans; i++)
        bss_timeband_plan_free(tr->plans[i]);
}

/* The table ids a price names exist in the store: 400 with the path otherwise. */
static bss_err check_table_ids(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    static const struct {
        const char *path;
        const bss_doc_kind *kind;
    } ids[] = {
        {"usage.zoneTableId", &bss_zone_table_kind},
        {"usage.roamingZoneTableId", &bss_zone_table_kind},
        {"usage.timeBandPlanId", &bss_timeband_plan_kind},
        {"allowance.zoneTableId", &bss_zone_table_kind},
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const json_t *v = bss_json_path(doc, ids[i].path);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v) || json_string_length(v) == 0)
            return bss_fail(ei, BSS_E_INVALID, ids[i].path, "%s must be a non-empty string", ids[i].path);
        if (!ctx->db)
            continue;
        json_t *target = NULL;
        bss_err rc = bss_doc_load(ctx->db, ids[i].kind, json_string_value(v), &target, NULL, ei);
        json_decref(target);
        if (rc == BSS_E_NOT_FOUND)
            return bss_fail(ei, BSS_E_INVALID, ids[i].path, "%s: no %s with id %.64s", ids[i].path,
                            ids[i].kind->name, json_string_value(v));
        if (rc)
            return rc;
    }
    return BSS_OK;
}

static bss_err build(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    table_refs tr = {.ctx = ctx};
    bss_price_refs refs = {.ctx = &tr, .zone_table = zone_ref, .timeband_plan = plan_ref};
    bss_price *price = NULL;
    bss_err rc = bss_price_build(doc, ctx->db ? &refs : NULL, &price, ei);
    bss_price_free(price);
    table_refs_free(&tr);
    return rc;
}

static bss_err price_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = bss__catalog_common(ctx, doc, old, ei);
    if (rc)
        return rc;
    const json_t *bundle = json_object_get(doc, "isBundle");
    if (bundle && !json_is_null(bundle) && !json_is_boolean(bundle))
        return bss_fail(ei, BSS_E_INVALID, "isBundle", "isBundle must be true or false");
    if (json_is_true(bundle)) {
        const json_t *parts = json_object_get(doc, "bundledPopRelationship");
        if (!json_is_array(parts) || json_array_size(parts) == 0)
            return bss_fail(ei, BSS_E_INVALID, "bundledPopRelationship",
                            "a bundle price (isBundle true) lists at least one bundledPopRelationship");
        rc = bss__catalog_check_refs(ctx, &bss_offering_price_kind, doc, old, "bundledPopRelationship", ei);
    } else {
        rc = check_table_ids(ctx, doc, ei);
        if (!rc)
            rc = build(ctx, doc, ei);
    }
    if (!rc)
        rc = bss__catalog_check_refs(ctx, &bss_offering_price_kind, doc, old,
                                     "productOfferingPriceRelationship", ei);
    if (!rc)
        rc = bss__catalog_retire_check(ctx, doc, old, &bss_offering_kind, "productOfferingPrice", ei);
    if (!rc)
        rc = bss__catalog_version_on_patch(ctx, doc, old, price_versioned, ei);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}
