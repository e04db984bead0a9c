/* hub.c: TMF688-style hub subscriptions (placeholder until its owner lands it). */
#include "api/router.h"

bss_err bss_hub_register_routes(bss_router *rt, const char *api, const char *base)
{
    return BSS_OK;
}
