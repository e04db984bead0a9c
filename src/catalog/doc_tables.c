/*
 * doc_tables.c: two TMF620 extension document kinds the usage prices name
 * (docs/catalog.md): `zoneTable` (destination zones by E.164 prefix, or
 * roaming zones by MCC-MNC; catalog.h: zone tables) and `timeBandPlan`
 * (peak, off-peak, weekend ... bands covering the week; catalog.h: time-band
 * plans), at
 * /tmf-api/productCatalogManagement/v4/zoneTable and .../timeBandPlan,
 * stored in tmf620_zone_table (typed columns name, kind) and
 * tmf620_time_band_plan (name).
 *
 * Every write builds the document with the catalog's own builder, so a
 * duplicate prefix, an unreachable zone, a band overlap or an hour of the
 * week in no band is refused on the write that made it (422 with the
 * builder's field path, e.g. "zones[2].prefixes[5]" or "bands"), then the
 * whole catalog is compile-checked (a zone a price's rates name must stay).
 * name is a required, non-empty string; lastUpdate is set by the server.
 * Deleting a table or plan that a price names is 409.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"

static const bss_res_column zone_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"kind", "kind", BSS_RES_TEXT},
};

static bss_res_table zone_table = {
    .name = "tmf620_zone_table",
    .columns = zone_columns,
    .ncolumns = sizeof zone_columns / sizeof zone_columns[0],
};

static const bss_res_column plan_columns[] = {
    {"name", "name", BSS_RES_TEXT},
};

static bss_res_table plan_table = {
    .name = "tmf620_time_band_plan",
    .columns = plan_columns,
    .ncolumns = sizeof plan_columns / sizeof plan_columns[0],
};

static const char *const tables_required[] = {"name", NULL};



static bss_err zone_table_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
static bss_err timeband_plan_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const tables_server_managed[] = {"lastUpdate", NULL};

const bss_doc_kind bss_zone_table_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/zoneTable",
    .name = "zoneTable",
    .type = "ZoneTable",
    .status_field = NULL,
    .server_managed = tables_server_managed,
    /* a zone table holds every destination prefix of the operator: thousands */
    .limits = {.max_bytes = 16 << 20, .max_array = 200000},
    .table = &zone_table,
    .required = tables_required,
    .prepare = zone_table_prepare,
    .after_commit = bss__catalog_changed,
};

const bss_doc_kind bss_timeband_plan_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/timeBandPlan",
    .name = "timeBandPlan",
    .type = "TimeBandPlan",
    .status_field = NULL,
    .server_managed = tables_server_managed,
    .table = &plan_table,
    .required = tables_required,
    .prepare = timeband_plan_prepare,
    .after_commit = bss__catalog_changed,
};

static bss_err check_name(json_t *doc, int64_t now_ms, bss_errinfo *ei)
{
    const json_t *name = json_object_get(doc, "name");
    if (!json_is_string(name) || json_string_length(name) == 0)
        return bss_fail(ei, BSS_E_INVALID, "name", "name must be a non-empty string");
    const json_t *desc = json_object_get(doc, "description");
    if (desc && !json_is_null(desc) && !json_is_string(desc))
        return bss_fail(ei, BSS_E_INVALID, "description", "description must be a string");
    if (bss_json_set_time(doc, "lastUpdate", now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

static bss_err zone_table_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)old;
    bss_err rc = check_name(doc, ctx->now_ms, ei);
    if (rc)
        return rc;
    bss_zone_table *t = NULL;
    rc = bss_zone_table_build(doc, &t, ei);
    bss_zone_table_free(t);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}

static bss_err timeband_plan_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)old;
    bss_err rc = check_name(doc, ctx->now_ms, ei);
    if (rc)
        return rc;
    bss_timeband_plan *p = NULL;
    rc = bss_timeband_plan_build(doc, &p, ei);
    bss_timeband_plan_free(p);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}
