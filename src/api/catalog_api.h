/*
 * catalog_api.h: the register functions of the catalog's non-CRUD routes,
 * called from src/api/routes.c:
 *   bss_catalog_io_register_routes (catalog_io_api.c):
 *     POST /admin/v1/catalog/import?dryRun=true|false   admin
 *     GET  /admin/v1/catalog/export                     admin, readonly
 *     POST/GET {TMF620}/importJob[/{id}], POST/GET {TMF620}/exportJob[/{id}]
 *   bss_tmf620_eligibility_register_routes (tmf620_eligibility.c):
 *     POST {TMF620}/productOffering/{id}/checkEligibility   any role
 */
#ifndef BSS_API_CATALOG_API_H
#define BSS_API_CATALOG_API_H

#include "api/router.h"

bss_err bss_catalog_io_register_routes(bss_router *rt);
bss_err bss_tmf620_eligibility_register_routes(bss_router *rt);

#endif
