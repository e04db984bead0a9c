/*
 * tmf671.c: the TMF671-style promotion over HTTP: the binding of the
 * catalog's promotion kind (catalog/catalog.h bss_promotion_kind, rules in
 * src/catalog/doc_promotion.c) at /tmf-api/promotionManagement/v4/promotion,
 * read by any role, written by admin and agent keys.
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"

static const bss_tmf_binding promotion = {
    .kind = &bss_promotion_kind,
    BSS_TMF_PATHS(BSS_TMF671_BASE, "promotion"),
    .read_roles = BSS_ROLES_ANY,
    .write_roles = BSS_ROLES_CATALOG_WRITE,
    .allow_delete = true,
    BSS_TMF_NAMES("tmf671.promotion"),
};

bss_err bss_tmf671_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_tmf_register(rt, &promotion);
}
