/*
 * routes.c: where the interface is wired together: everything the HTTP
 * server answers, as two tables read at start-up. route_modules[] has one
 * row per file of src/api that serves an API (routes.h); tmf_apis[] one
 * row per TMF API, whose TMF688 hub (POST/GET/DELETE {base}/hub) hub.c
 * adds. A new TMF API is one row in each. Also here, the one thing the
 * generic TMF layer needs from a domain module: the access audit of reads
 * of personal data (tmf.h bss_tmf_read_audit), the customer module's.
 */
#include "api/routes.h"

#include "api/tmf.h"
#include "customer/customer.h"

const bss_tmf_audit bss_tmf_read_audit = {bss_audit_wants, bss_audit_submit};

static const bss_routes_fn route_modules[] = {
    bss_admin_routes,  bss_tmf620_routes,    bss_tmf620_eligibility_routes,
    bss_tmf671_routes, bss_tmf620_io_routes, bss_tmf632_routes,
    bss_tmf629_routes, bss_tmf666_routes,    bss_tmf683_routes,
    bss_tmf621_routes, bss_care_routes,      bss_tmf639_routes,
    bss_tmf637_routes, bss_tmf622_routes,    bss_tmf654_routes,
    bss_tmf635_routes, bss_charging_routes,
};

static const struct {
    const char *api;  /* the name events are recorded under (doc/doc.h kind->api) */
    const char *base; /* the path prefix of the API */
} tmf_apis[] = {
    {"productCatalogManagement", "/tmf-api/productCatalogManagement/v4"},
    {"promotionManagement", "/tmf-api/promotionManagement/v4"},
    {"party", "/tmf-api/party/v4"},
    {"customerManagement", "/tmf-api/customerManagement/v4"},
    {"accountManagement", "/tmf-api/accountManagement/v4"},
    {"partyInteraction", "/tmf-api/partyInteraction/v4"},
    {"troubleTicket", "/tmf-api/troubleTicket/v4"},
    {"productInventory", "/tmf-api/productInventory/v4"},
    {"productOrderingManagement", "/tmf-api/productOrderingManagement/v4"},
    {"prepayBalanceManagement", "/tmf-api/prepayBalanceManagement/v4"},
    {"usageManagement", "/tmf-api/usageManagement/v4"},
};

bss_err bss_routes_register_all(bss_router *rt, const bss_app *app)
{
    bss_err rc = BSS_OK;
    for (size_t i = 0; rc == BSS_OK && i < sizeof route_modules / sizeof route_modules[0]; i++)
        rc = route_modules[i](rt, app);
    for (size_t i = 0; rc == BSS_OK && i < sizeof tmf_apis / sizeof tmf_apis[0]; i++)
        rc = bss_hub_routes(rt, tmf_apis[i].api, tmf_apis[i].base);
    return rc;
}
