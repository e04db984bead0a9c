/*
 * router.c: the route table (router.h). Patterns are split into segments
 * and kept in a trie: each node has literal children and at most one
 * {param} child, and the routes (one per method) that end there. Matching
 * walks the path segment by segment, trying the literal child before the
 * param child and backtracking, so "/category/new" beats "/category/{id}".
 * A path that reaches a node with routes but none for the method is 405
 * (with the Allow list); a path that reaches none is 404. Rows are stored
 * in one array in the order added; the trie refers to them by index.
 */
#include "api/router.h"

#include <string.h>

#include "api/router_int.h"
#include "core/mem.h"

#define MAX_METHODS 8
#define MAX_DEPTH 32

typedef struct node {
    char *literal;      /* NULL for the param child */
    char *param_name;   /* for the param child: "id" */
    struct node **kids; /* literal children */
    size_t nkids;
    struct node *param;         /* the {x} child, if any */
    size_t routes[MAX_METHODS]; /* indexes into rt->rows */
    size_t nroutes;
} node;

struct bss_router {
    node root;
    bss_route *rows;
    size_t nrows, cap;
};

bss_router *bss_router_create(void)
{
    return bss_calloc(1, sizeof(bss_router));
}

static void node_free(node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        node_free(n->kids[i]);
        bss_free(n->kids[i]);
    }
    bss_free(n->kids);
    if (n->param != NULL) {
        node_free(n->param);
        bss_free(n->param);
    }
    bss_free(n->literal);
    bss_free(n->param_name);
}

void bss_router_destroy(bss_router *rt)
{
    if (rt == NULL)
        return;
    node_free(&rt->root);
    bss_free(rt->rows);
    bss_free(rt);
}

/* The child for one pattern segment, created if missing; NULL on OOM or a conflicting param name. */
static node *child_for(node *n, const char *seg, size_t len)
{
    if (len >= 2 && seg[0] == '{' && seg[len - 1] == '}') {
        if (n->param == NULL) {
            n->param = bss_calloc(1, sizeof(node));
            if (n->param == NULL || (n->param->param_name = bss_strndup(seg + 1, len - 2)) == NULL)
                return NULL;
        } else if (strlen(n->param->param_name) != len - 2 ||
                   memcmp(n->param->param_name, seg + 1, len - 2) != 0) {
            return NULL;
        }
        return n->param;
    }
    for (size_t i = 0; i < n->nkids; i++)
        if (strlen(n->kids[i]->literal) == len && memcmp(n->kids[i]->literal, seg, len) == 0)
            return n->kids[i];
    node **kids = bss_realloc(n->kids, (n->nkids + 1) * sizeof(*kids));
    if (kids == NULL)
        return NULL;
    n->kids = kids;
    node *k = bss_calloc(1, sizeof(node));
    if (k == NULL || (k->literal = bss_strndup(seg, len)) == NULL) {
        bss_free(k);
        return NULL;
    }
    n->kids[n->nkids++] = k;
    return k;
}

static bss_err check_pattern(const char *p)
{
    if (p == NULL || p[0] != '/')
        return BSS_E_INVALID;
    size_t nparams = 0, depth = 0;
    for (const char *s = p; *s; s++) {
        if (*s == '{')
            nparams++;
        if (*s == '/')
            depth++;
    }
    return (nparams > BSS_MAX_PATH_PARAMS || depth > MAX_DEPTH) ? BSS_E_INVALID : BSS_OK;
}

bss_err bss_router_add(bss_router *rt, const bss_route *route)
{
    if (route->method == NULL || route->handler == NULL || check_pattern(route->pattern) != BSS_OK)
        return BSS_E_INVALID;
    node *n = &rt->root;
    const char *p = route->pattern + 1;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0)
            return BSS_E_INVALID; /* "//" or a trailing slash */
        n = child_for(n, p, len);
        if (n == NULL)
            return BSS_E_INVALID;
        p = slash ? slash + 1 : p + len;
        if (slash != NULL && *p == '\0')
            return BSS_E_INVALID;
    }
    for (size_t i = 0; i < n->nroutes; i++)
        if (strcmp(rt->rows[n->routes[i]].method, route->method) == 0)
            return BSS_E_EXISTS;
    if (n->nroutes == MAX_METHODS)
        return BSS_E_RANGE;
    if (rt->nrows == rt->cap) {
        size_t cap = rt->cap ? rt->cap * 2 : 32;
        bss_route *rows = bss_realloc(rt->rows, cap * sizeof(*rows));
        if (rows == NULL)
            return BSS_E_NOMEM;
        rt->rows = rows;
        rt->cap = cap;
    }
    rt->rows[rt->nrows] = *route;
    n->routes[n->nroutes++] = rt->nrows++;
    return BSS_OK;
}

typedef struct walk {
    const bss_router *rt;
    const char *method;
    size_t method_len;
    const node *first_terminal; /* first node reached with routes (for 405) */
    bss_route_match *out;
    size_t nparams;
} walk;

static const bss_route *route_for_method(const walk *w, const node *n)
{
    for (size_t i = 0; i < n->nroutes; i++) {
        const bss_route *r = &w->rt->rows[n->routes[i]];
        if (strlen(r->method) == w->method_len && memcmp(r->method, w->method, w->method_len) == 0)
            return r;
    }
    return NULL;
}

/* Matches path[0..len) (no leading slash) below n; true when a route for the method was found. */
static bool descend(walk *w, const node *n, const char *path, size_t len, bool at_end)
{
    if (at_end) {
        if (n->nroutes == 0)
            return false;
        if (w->first_terminal == NULL)
            w->first_terminal = n;
        const bss_route *r = route_for_method(w, n);
        if (r != NULL) {
            w->out->route = r;
            w->out->nparams = w->nparams;
        }
        return r != NULL;
    }
    const char *slash = memchr(path, '/', len);
    size_t seglen = slash ? (size_t)(slash - path) : len;
    const char *rest = slash ? slash + 1 : path + len;
    size_t restlen = slash ? len - seglen - 1 : 0;
    bool rest_end = (slash == NULL);
    if (seglen == 0)
        return false;
    for (size_t i = 0; i < n->nkids; i++) {
        const node *k = n->kids[i];
        if (strlen(k->literal) == seglen && memcmp(k->literal, path, seglen) == 0 &&
            descend(w, k, rest, restlen, rest_end))
            return true;
    }
    if (n->param != NULL && w->nparams < BSS_MAX_PATH_PARAMS) {
        size_t i = w->nparams++;
        w->out->params[i].name = n->param->param_name;
        w->out->params[i].value = path;
        w->out->params[i].len = seglen;
        if (descend(w, n->param, rest, restlen, rest_end))
            return true;
        w->nparams--;
    }
    return false;
}

static void fill_allow(const bss_router *rt, const node *n, char *allow, size_t cap)
{
    size_t used = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < n->nroutes; i++) {
        const char *m = rt->rows[n->routes[i]].method;
        size_t ml = strlen(m);
        if (used + ml + 3 >= cap)
            break;
        if (used > 0) {
            memcpy(allow + used, ", ", 2);
            used += 2;
        }
        memcpy(allow + used, m, ml);
        used += ml;
        allow[used] = '\0';
    }
}

bss_err bss_router_match(const bss_router *rt, const char *method, size_t method_len, const char *path,
                         size_t path_len, bss_route_match *out)
{
    memset(out, 0, offsetof(bss_route_match, allow));
    out->allow[0] = '\0';
    if (path_len == 0 || path[0] != '/')
        return BSS_E_NOT_FOUND;
    walk w = {.rt = rt, .method = method, .method_len = method_len, .out = out};
    bool found = path_len == 1 ? descend(&w, &rt->root, "", 0, true)
                               : descend(&w, &rt->root, path + 1, path_len - 1, false);
    if (found)
        return BSS_OK;
    out->nparams = 0;
    if (w.first_terminal == NULL)
        return BSS_E_NOT_FOUND;
    fill_allow(rt, w.first_terminal, out->allow, sizeof(out->allow));
    return BSS_E_METHOD;
}

size_t bss_router_count(const bss_router *rt)
{
    return rt->nrows;
}

const bss_route *bss_router_route_at(const bss_router *rt, size_t index)
{
    return index < rt->nrows ? &rt->rows[index] : NULL;
}

size_t bss_router_index_of(const bss_router *rt, const bss_route *route)
{
    return (size_t)(route - rt->rows);
}

bss_err bss_router_add_all(bss_router *rt, const bss_route *routes, size_t n)
{
    bss_err rc = BSS_OK;
    for (size_t i = 0; rc == BSS_OK && i < n; i++)
        rc = bss_router_add(rt, &routes[i]);
    return rc;
}
