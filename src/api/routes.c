/*
 * routes.c: the list of everything the HTTP server answers. Each module
 * registers its own rows; each TMF API also gets its TMF688 hub
 * (POST/DELETE {base}/hub) from src/events/hub.c. A new TMF API is one line
 * in tmf_apis[] plus its module's register call.
 */
#include "api/catalog_api.h"
#include "api/router.h"
#include "api/tmf671.h"
#include "customer/accounts.h"
#include "customer/care.h"
#include "customer/party.h"

static const struct {
    const char *api;  /* the name events are recorded under */
    const char *base; /* the path prefix of the API */
} tmf_apis[] = {
    {"productCatalogManagement", "/tmf-api/productCatalogManagement/v4"},
    {"promotionManagement", "/tmf-api/promotionManagement/v4"},
    {"party", "/tmf-api/party/v4"},
    {"customerManagement", "/tmf-api/customerManagement/v4"},
    {"accountManagement", "/tmf-api/accountManagement/v4"},
    {"partyInteraction", "/tmf-api/partyInteraction/v4"},
    {"troubleTicket", "/tmf-api/troubleTicket/v4"},
};

bss_err bss_routes_register_all(bss_router *rt, const bss_app *app)
{
    bss_err rc = bss_admin_register_routes(rt, app);
    if (rc == BSS_OK)
        rc = bss_tmf620_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_tmf620_eligibility_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_tmf671_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_catalog_io_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_tmf632_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_tmf629_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_tmf666_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_care_register_routes(rt);
    for (size_t i = 0; rc == BSS_OK && i < sizeof(tmf_apis) / sizeof(tmf_apis[0]); i++)
        rc = bss_hub_register_routes(rt, tmf_apis[i].api, tmf_apis[i].base);
    return rc;
}
