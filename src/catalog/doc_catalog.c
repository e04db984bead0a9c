/*
 * doc_catalog.c: the TMF620 `catalog` document kind, served at
 * /tmf-api/productCatalogManagement/v4/catalog, stored in tmf620_catalog
 * (migration 0005) with typed columns name, lifecycle_status and version.
 * A catalog is a named, versioned collection of categories (category[],
 * references to category resources). Rules (catalog_prepare):
 * the common catalog rules of catalog_int.h (name, lifecycleStatus
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
 * catalog (catalog.h: the compiled catalog): an offering also sold by a catalog of
 * another country, currency or tax treatment, or with a price in another
 * currency, is 422 naming the member of this catalog that disagrees
 * ("market.currency", "market.country", "pricesIncludeTax").
 */
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"

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

static bss_err catalog_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const catalog_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref catalog_refs[] = {
    {"category", &bss_category_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_catalog_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/catalog",
    .name = "catalog",
    .type = "Catalog",
    .status_field = "lifecycleStatus",
    .server_managed = catalog_server_managed,
    .refs = catalog_refs,
    .table = &catalog_table,
    .required = catalog_required,
    .prepare = catalog_prepare,
    .after_commit = bss__catalog_changed,
};

static bss_err catalog_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = bss__catalog_common(ctx, doc, old, ei);
    if (rc)
        return rc;
    const json_t *type = json_object_get(doc, "catalogType");
    if (type && !json_is_null(type) && !json_is_string(type))
        return bss_fail(ei, BSS_E_INVALID, "catalogType", "catalogType must be a string");
    bss_market market;
    bool has_market = false;
    rc = bss_catalog_market_parse(doc, &market, &has_market, ei);
    if (!rc)
        rc = bss__catalog_check_refs(ctx, &bss_category_kind, doc, old, "category", ei);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}
