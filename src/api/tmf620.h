/*
 * tmf620.h: the TMF620 Product Catalog Management resources (tmf620.c):
 * their descriptors, for the route table and tests, and their domain hooks,
 * for unit tests and the fuzz target. Routes are added by
 * bss_tmf620_register_routes (api/router.h).
 */
#ifndef BSS_API_TMF620_H
#define BSS_API_TMF620_H

#include "api/tmf.h"

extern const bss_tmf_resource bss_tmf620_category;

/* The category rules (see tmf620.c): validation, normalisation, lastUpdate. */
bss_err bss_tmf620_category_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

#endif
