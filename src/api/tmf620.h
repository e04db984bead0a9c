/*
 * tmf620.h: the TMF620 Product Catalog Management resources: their
 * descriptors, for the route table, the catalog import/export (which writes
 * through bss_tmf_create_doc/patch_doc with these) and tests, and their
 * domain hooks, for unit tests and the fuzz target. Routes are added by
 * bss_tmf620_register_routes (api/router.h).
 *
 *   category               tmf620.c           tmf620_category
 *   catalog                tmf620_catalog.c   tmf620_catalog
 *   productSpecification   tmf620_spec.c      tmf620_product_specification
 *   productOffering        tmf620_offering.c  tmf620_product_offering
 *   productOfferingPrice   tmf620_price.c     tmf620_product_offering_price
 *   zoneTable              tmf620_tables.c    tmf620_zone_table
 *   timeBandPlan           tmf620_tables.c    tmf620_time_band_plan
 */
#ifndef BSS_API_TMF620_H
#define BSS_API_TMF620_H

#include "api/tmf.h"

#define BSS_TMF620_BASE "/tmf-api/productCatalogManagement/v4"

extern const bss_tmf_resource bss_tmf620_category;
extern const bss_tmf_resource bss_tmf620_catalog;
extern const bss_tmf_resource bss_tmf620_spec;
extern const bss_tmf_resource bss_tmf620_offering;
extern const bss_tmf_resource bss_tmf620_price;
extern const bss_tmf_resource bss_tmf620_zone_table;
extern const bss_tmf_resource bss_tmf620_timeband_plan;

/* The category rules (see tmf620.c): validation, normalisation, lastUpdate. */
bss_err bss_tmf620_category_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/* The domain hooks of the other kinds (see each file's header comment). */
bss_err bss_tmf620_catalog_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf620_spec_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf620_offering_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf620_price_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf620_zone_table_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                      bss_errinfo *ei);
bss_err bss_tmf620_timeband_plan_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                         bss_errinfo *ei);

#endif
