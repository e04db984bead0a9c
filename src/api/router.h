/*
 * router.h: the route table of the HTTP server. Modules add their rows at
 * start-up (src/api/routes.c calls each module's register function); the
 * server matches method + path to a row and its path parameters. Literal
 * segments win over {param} segments. A path that matches no pattern is 404;
 * a path that matches with another method is 405 with an Allow header.
 */
#ifndef BSS_API_ROUTER_H
#define BSS_API_ROUTER_H

#include <stddef.h>

#include "api/http.h"
#include "core/err.h"

typedef struct bss_router bss_router;

bss_router *bss_router_create(void);
void bss_router_destroy(bss_router *rt); /* NULL is a no-op */

/* Copies the row (strings must outlive the router: literals or owned by the module). */
bss_err bss_router_add(bss_router *rt, const bss_route *route);

typedef struct bss_route_match {
    const bss_route *route;
    size_t nparams;
    struct {
        const char *name;
        const char *value; /* points into the path; not decoded */
        size_t len;
    } params[BSS_MAX_PATH_PARAMS];
    char allow[64]; /* on BSS_E_METHOD: "GET, POST" */
} bss_route_match;

/* BSS_OK, BSS_E_NOT_FOUND (no pattern) or BSS_E_METHOD (pattern, other method). path excludes the query. */
bss_err bss_router_match(const bss_router *rt, const char *method, size_t method_len, const char *path,
                         size_t path_len, bss_route_match *out);

/* Adds every module's routes (src/api/routes.c). */
bss_err bss_routes_register_all(bss_router *rt, const bss_app *app);

/* Each module's register function, called by bss_routes_register_all. */
bss_err bss_admin_register_routes(bss_router *rt, const bss_app *app);   /* src/api/admin.c */
bss_err bss_tmf620_register_routes(bss_router *rt);                      /* src/api/tmf620.c */
bss_err bss_hub_register_routes(bss_router *rt, const char *api, const char *base); /* src/events/hub.c */

#endif
