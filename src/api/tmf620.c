/* tmf620.c: TMF620 product catalog resources (placeholder until its owner lands it). */
#include "api/router.h"

bss_err bss_tmf620_register_routes(bss_router *rt)
{
    return BSS_OK;
}
