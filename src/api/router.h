/*
 * router.h: the route table of the HTTP server. The API files of src/api
 * add their rows at start-up (src/api/routes.c calls each one's
 * registration function, routes.h); the
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
/* Adds routes[0..n) in order; the first error stops it. */
bss_err bss_router_add_all(bss_router *rt, const bss_route *routes, size_t n);

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

/* Adds every API's routes (src/api/routes.c: the tables of routes.h). */
bss_err bss_routes_register_all(bss_router *rt, const bss_app *app);

#endif
