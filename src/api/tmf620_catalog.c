/*
 * tmf620_catalog.c: the TMF620 `catalog` resource, at
 * /tmf-api/productCatalogManagement/v4/catalog, stored in tmf620_catalog
 * (migration 0005) with typed columns name, lifecycle_status and version.
 * A catalog is a named, versioned collection of categories (category[],
 * references to category resources). Rules (bss_tmf620_catalog_prepare):
 * the common catalog rules of tmf620_int.h (name, lifecycleStatus
 * transitions, validFor, server-managed version and lastUpdate), catalogType
 * a string, and every category[].id an existing category that is not
 * Retired or Obsolete (400 missing, 422 retired). Deleting a catalog is
 * always allowed: nothing refers to it.
 *
 * Markets (extension members, docs/catalog.md "Markets and tax"):
 *   "market": {"country": "NL", "currency": "EUR"}   ISO 3166-1 alpha-2
 *       (upper case, an assigned code) and ISO 4217; 400 "market.country" /
 *       "market.currency" otherwise;
 *   "pricesIncludeTax": true|false   only with a market (400 otherwise);
 *       absent = false: prices are net of tax (B2B); EU consumer catalogs
 *       say true.
 * The offerings a catalog sells (through its categories) then have that
 * market in the compiled catalog; the write is checked against the whole
 * catalog (catalog/compile.h): an offering also sold by a catalog of
 * another country, currency or tax treatment, or with a price in another
 * currency, is 422 naming the member of this catalog that disagrees
 * ("market.currency", "market.country", "pricesIncludeTax").
 */
#include <string.h>

#include "api/tmf.h"
#include "api/tmf620.h"
#include "api/tmf620_int.h"
#include "catalog/compile.h"

static const bss_res_column catalog_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
    {"version", "version", BSS_RES_TEXT},
};

static bss_res_table catalog_table = {
    .name = "tmf620_catalog",
    .columns = catalog_columns,
    .ncolumns = sizeof catalog_columns / sizeof catalog_columns[0],
};

static const char *const catalog_required[] = {"name", NULL};

const bss_tmf_resource bss_tmf620_catalog = {
    .api = "productCatalogManagement",
    BSS_TMF_PATHS(BSS_TMF620_BASE, "catalog"),
    .type = "Catalog",
    .event_key = "catalog",
    .status_field = "lifecycleStatus",
    .table = &catalog_table,
    .required = catalog_required,
    .prepare = bss_tmf620_catalog_prepare,
    .read_roles = BSS_ROLES_ANY,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    .allow_delete = true,
    BSS_TMF_NAMES("tmf620.catalog"),
    .after_commit = bss__tmf620_catalog_changed,
};

bss_err bss_tmf620_catalog_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = bss__tmf620_common(ctx, doc, old, ei);
    if (rc)
        return rc;
    const json_t *type = json_object_get(doc, "catalogType");
    if (type && !json_is_null(type) && !json_is_string(type))
        return bss_fail(ei, BSS_E_INVALID, "catalogType", "catalogType must be a string");
    bss_market market;
    bool has_market = false;
    rc = bss_catalog_market_parse(doc, &market, &has_market, ei);
    if (!rc)
        rc = bss__tmf620_check_refs(ctx, &bss_tmf620_category, doc, old, "category", ei);
    if (!rc)
        rc = bss__tmf620_compile_check(ctx, "catalog", doc, ei);
    return rc;
}
