/*
 * routes.h: the route-registration function of each file of src/api that
 * serves an API, all of one shape so that routes.c lists them in one table
 * (nginx keeps its modules in one ngx_modules[] the same way). A function
 * adds its rows to the router at start-up (before any loop runs) and
 * returns the router's error. Adding an API: write src/api/<api>.c with
 * its bindings and handlers, declare its function here, add one row to
 * route_modules[] in routes.c (and one to tmf_apis[] for its TMF688 hub).
 */
#ifndef BSS_API_ROUTES_H
#define BSS_API_ROUTES_H

#include "api/router.h"
#include "app.h"
#include "core/err.h"

typedef bss_err (*bss_routes_fn)(bss_router *rt, const bss_app *app);

bss_err bss_admin_routes(bss_router *rt, const bss_app *app);  /* admin.c: health, metrics, keys, clock */
bss_err bss_tmf620_routes(bss_router *rt, const bss_app *app); /* tmf620.c: the catalog's kinds */
bss_err bss_tmf620_eligibility_routes(bss_router *rt, const bss_app *app); /* tmf620_eligibility.c */
bss_err bss_tmf620_io_routes(bss_router *rt, const bss_app *app); /* tmf620_io.c: import, export, jobs */
bss_err bss_tmf671_routes(bss_router *rt, const bss_app *app);    /* tmf671.c: promotions */
bss_err bss_tmf632_routes(bss_router *rt, const bss_app *app);    /* tmf632.c: parties, consent, privacy */
bss_err bss_tmf629_routes(bss_router *rt, const bss_app *app);    /* tmf629.c: customers */
bss_err bss_tmf666_routes(bss_router *rt, const bss_app *app);    /* tmf666.c: accounts */
bss_err bss_tmf683_routes(bss_router *rt, const bss_app *app);    /* tmf683.c: interactions */
bss_err bss_tmf621_routes(bss_router *rt, const bss_app *app);    /* tmf621.c: trouble tickets */
bss_err bss_tmf622_routes(bss_router *rt, const bss_app *app);    /* tmf622.c: product orders */
bss_err bss_tmf637_routes(bss_router *rt, const bss_app *app);    /* tmf637.c: product inventory */
bss_err bss_tmf639_routes(bss_router *rt, const bss_app *app);    /* tmf639.c: SIM and number inventory */
bss_err bss_tmf654_routes(bss_router *rt, const bss_app *app);    /* tmf654.c: prepay balances */
bss_err bss_tmf635_routes(bss_router *rt, const bss_app *app);    /* tmf635.c: usage, CDR import */
bss_err bss_charging_routes(bss_router *rt, const bss_app *app);  /* charging.c: online charging */
bss_err bss_care_routes(bss_router *rt, const bss_app *app);      /* care.c: view, search, audit */

/* hub.c: the TMF688 hub of one API ({base}/hub), added by routes.c for each row of its tmf_apis[]. */
bss_err bss_hub_routes(bss_router *rt, const char *api, const char *base);

#endif
