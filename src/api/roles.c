/*
 * roles.c: the route table as people read it (api.h bss_api_print_routes):
 * every route with the roles it allows, and the role matrix of
 * docs/api.md (resource x role, r / w / rw), both made from the same
 * tables the server registers, so the documentation can be checked
 * against the code (tests/e2e/cli.test.mjs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/router.h"
#include "api/router_int.h"
#include "auth/auth.h"
#include "core/mem.h"

/* The matrix has a column per role bit auth names (auth.h), in bit order. */
#define NCOLS 32
static bool is_role(unsigned bit)
{
    return strcmp(bss_auth_role_name(bit), "?") != 0;
}

typedef struct row {
    char key[256];     /* the resource: the pattern without a trailing /{id}; history rows by their roles */
    char label[1200];
    unsigned read, write;
    bool public_;
} row;

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The resource's last segment ("category" of ".../v4/category"). */
static const char *last_segment(const char *p, size_t n, size_t *len)
{
    const char *s = p + n;
    while (s > p && s[-1] != '/')
        s--;
    *len = (size_t)(p + n - s);
    return s;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const row *)a)->key, ((const row *)b)->key);
}

static void print_matrix(const bss_router *rt, FILE *out)
{
    size_t n = bss_router_count(rt), nrows = 0;
    row *rows = bss_calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        return;
    for (size_t i = 0; i < n; i++) {
        const bss_route *r = bss_router_route_at(rt, i);
        char key[256];
        size_t plen = strlen(r->pattern);
        bool history = ends_with(r->pattern, "/{id}/history");
        if (history) {
            snprintf(key, sizeof key, "~history %08x", r->roles);
        } else {
            if (ends_with(r->pattern, "/{id}"))
                plen -= 5;
            snprintf(key, sizeof key, "%.*s", (int)plen, r->pattern);
        }
        row *w = NULL;
        for (size_t k = 0; k < nrows && !w; k++)
            if (strcmp(rows[k].key, key) == 0)
                w = &rows[k];
        if (!w) {
            w = &rows[nrows++];
            snprintf(w->key, sizeof w->key, "%s", key);
            if (!history)
                snprintf(w->label, sizeof w->label, "`%s`", key);
            else
                snprintf(w->label, sizeof w->label, "`{id}/history` of");
        }
        if (history) {
            size_t sl;
            const char *seg = last_segment(r->pattern, strlen(r->pattern) - strlen("/{id}/history"), &sl);
            size_t used = strlen(w->label);
            snprintf(w->label + used, sizeof w->label - used, "%s %.*s", ends_with(w->label, "of") ? "" : ",",
                     (int)sl, seg);
        }
        if (r->roles == BSS_ROLES_PUBLIC)
            w->public_ = true;
        else if (strcmp(r->method, "GET") == 0)
            w->read |= r->roles | BSS_ROLE_ADMIN;
        else
            w->write |= r->roles | BSS_ROLE_ADMIN;
    }
    qsort(rows, nrows, sizeof *rows, by_key);
    fprintf(out, "| resource |");
    for (size_t c = 0; c < NCOLS; c++)
        if (is_role(1u << c))
            fprintf(out, " %s |", bss_auth_role_name(1u << c));
    fprintf(out, "\n|---|");
    for (size_t c = 0; c < NCOLS; c++)
        if (is_role(1u << c))
            fprintf(out, ":-:|");
    fprintf(out, "\n");
    for (size_t k = 0; k < nrows; k++) {
        fprintf(out, "| %s |", rows[k].label);
        for (size_t c = 0; c < NCOLS; c++) {
            unsigned bit = 1u << c;
            if (!is_role(bit))
                continue;
            const char *cell = rows[k].public_ ? "public" : (rows[k].read & bit) && (rows[k].write & bit) ? "rw"
                               : (rows[k].read & bit)                                      ? "r"
                               : (rows[k].write & bit)                                     ? "w"
                                                                                          : "-";
            fprintf(out, " %s |", cell);
        }
        fprintf(out, "\n");
    }
    bss_free(rows);
}

bss_err bss_api_print_routes(const bss_app *app, bool matrix, FILE *out, bss_errinfo *ei)
{
    bss_router *rt = bss_router_create();
    if (!rt)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss_routes_register_all(rt, app);
    if (rc) {
        bss_router_destroy(rt);
        return bss_fail(ei, rc, NULL, "could not build the route table");
    }
    if (matrix) {
        print_matrix(rt, out);
    } else {
        for (size_t i = 0; i < bss_router_count(rt); i++) {
            const bss_route *r = bss_router_route_at(rt, i);
            char roles[200];
            if (r->roles == BSS_ROLES_PUBLIC)
                snprintf(roles, sizeof roles, "public");
            else
                bss_auth_roles_text(r->roles, roles, sizeof roles);
            fprintf(out, "%-6s %-70s %s\n", r->method, r->pattern, roles);
        }
    }
    bss_router_destroy(rt);
    return BSS_OK;
}
