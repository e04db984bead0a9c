/*
 * tmf671.h: the TMF671-style Promotion resource (tmf671.c) at
 * /tmf-api/promotionManagement/v4/promotion: its descriptor, for the route
 * table, the catalog import/export and tests, and its domain hook, for unit
 * tests and the fuzz target. Routes are added by
 * bss_tmf671_register_routes.
 */
#ifndef BSS_API_TMF671_H
#define BSS_API_TMF671_H

#include "api/router.h"
#include "api/tmf.h"

#define BSS_TMF671_BASE "/tmf-api/promotionManagement/v4"

extern const bss_tmf_resource bss_tmf671_promotion;

/* The promotion rules (see tmf671.c): validation, normalisation, coupon uniqueness, lastUpdate. */
bss_err bss_tmf671_promotion_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/* Adds the promotion routes (the lead calls it from src/api/routes.c). */
bss_err bss_tmf671_register_routes(bss_router *rt);

#endif
