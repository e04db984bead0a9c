/*
 * tmf620.c: TMF620 Product Catalog Management v4 over HTTP: the bindings
 * of the catalog's document kinds (catalog/catalog.h) to their paths and
 * roles, and the reads "as of" an instant of the versioned kinds
 * (productOffering, productOfferingPrice).
 *
 *   {TMF620}/category, catalog, productSpecification, productOffering,
 *   productOfferingPrice, zoneTable, timeBandPlan: the generic TMF
 *   handlers (tmf.h); read by any role, written by admin and agent keys.
 *
 * The versioned kinds look for ?asOf=RFC3339 on GET: with it, each
 * document is the version valid at that instant (catalog.h
 * bss_catalog_doc_as_of / bss_catalog_list_as_of: 404 for an item that did
 * not exist then, left out of a list); lists then filter, sort and page in
 * memory over at most BSS_TMF_MAX_SCAN rows. Without asOf the generic
 * handlers answer.
 */
#include <string.h>

#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/time.h"

/*
 * Takes the asOf filter out of q: 1 and *at_ms when there was one, 0 when
 * not, -1 after answering 400 for a bad value.
 */
static int take_as_of(bss_req *r, bss_query *q, int64_t *at_ms)
{
    for (size_t i = 0; i < q->nfilters; i++) {
        bss_query_filter *f = &q->filters[i];
        if (strcmp(f->attr, "asOf") != 0)
            continue;
        char text[64];
        const char *v = f->values[0];
        size_t n = strlen(v);
        if (f->op != BSS_QOP_EQ || f->nvalues != 1 || n >= sizeof text) {
            bss_http_send_fail(r, BSS_E_INVALID, "asOf", "asOf takes one RFC 3339 instant");
            return -1;
        }
        for (size_t k = 0; k <= n; k++) /* an unencoded '+' of an offset was decoded as ' ' */
            text[k] = v[k] == ' ' ? '+' : v[k];
        if (bss_time_parse(text, n, at_ms, NULL) != BSS_OK) {
            bss_http_send_fail(r, BSS_E_INVALID, "asOf", "asOf is not an RFC 3339 instant");
            return -1;
        }
        memmove(f, f + 1, (q->nfilters - i - 1) * sizeof *f);
        q->nfilters--;
        return 1;
    }
    return 0;
}

/*
 * The query of a versioned kind's read: 1 with q (to free) and *at_ms when
 * it has an asOf; 0 when it has none, or is one the generic handler answers
 * (no query, a malformed one); -1 after answering 400 for a bad asOf.
 */
static int as_of_query(bss_req *r, bss_query *q, int64_t *at_ms)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (!r->query || bss_query_parse(r->query, r->query_len, q, &ei) != BSS_OK)
        return 0;
    int has = take_as_of(r, q, at_ms);
    if (has <= 0)
        bss_query_free(q);
    return has;
}

static int handle_get_as_of(bss_req *r)
{
    const bss_doc_kind *kind = bss_tmf_binding_of(r)->kind;
    bss_query q;
    int64_t at_ms = 0;
    int has = as_of_query(r, &q, &at_ms);
    if (has <= 0)
        return has < 0 ? 0 : bss_tmf_handle_get(r);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    const char *id = bss_http_param(r, "id");
    json_t *doc = NULL;
    bss_err rc = bss_catalog_doc_as_of(r->db, kind, id ? id : "", at_ms, &doc, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
    } else {
        json_t *shown = bss_query_project(&q, doc);
        if (shown)
            bss_http_send_json(r, 200, shown);
        else
            bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_decref(doc);
    bss_query_free(&q);
    return 0;
}

/* ---- lists ---- */

static bss_err keep_doc(json_t *doc, void *arg)
{
    return bss_tmf_docs_keep(arg, doc);
}

/* What an "as of" list collects on its worker. */
typedef struct as_of_list {
    const bss_doc_kind *kind;
    int64_t at_ms;
} as_of_list;

static bss_err collect_as_of(bss_db *db, void *arg, bss_tmf_docs *d, bss_errinfo *ei)
{
    const as_of_list *al = arg;
    return bss_catalog_list_as_of(db, al->kind, al->at_ms, BSS_TMF_MAX_SCAN, keep_doc, d, ei);
}

static int handle_list_as_of(bss_req *r)
{
    bss_query q;
    int64_t at_ms = 0;
    int has = as_of_query(r, &q, &at_ms);
    if (has <= 0)
        return has < 0 ? 0 : bss_tmf_handle_list(r);
    as_of_list *al = bss_malloc(sizeof *al);
    if (al)
        *al = (as_of_list){bss_tmf_binding_of(r)->kind, at_ms};
    if (!al) {
        bss_query_free(&q);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    bss_tmf_list_collected(r, &q, collect_as_of, al, bss_free);
    return 0;
}

/* ---- bindings ---- */

#define CATALOG_BINDING(kind_, seg, ...)                                                                     \
    {                                                                                                        \
        .kind = &kind_, BSS_TMF_PATHS(BSS_TMF620_BASE, seg), .read_roles = BSS_ROLES_ANY,                    \
        .write_roles = BSS_ROLES_CATALOG_WRITE, .allow_delete = true, BSS_TMF_NAMES("tmf620." seg),  \
        __VA_ARGS__                                                                                          \
    }

static const bss_tmf_binding category = CATALOG_BINDING(bss_category_kind, "category");
static const bss_tmf_binding catalog = CATALOG_BINDING(bss_catalog_kind, "catalog");
static const bss_tmf_binding spec = CATALOG_BINDING(bss_spec_kind, "productSpecification");
static const bss_tmf_binding offering = CATALOG_BINDING(
    bss_offering_kind, "productOffering", .handle_list = handle_list_as_of, .handle_get = handle_get_as_of);
static const bss_tmf_binding price =
    CATALOG_BINDING(bss_offering_price_kind, "productOfferingPrice", .handle_list = handle_list_as_of,
                    .handle_get = handle_get_as_of);
static const bss_tmf_binding zone_table = CATALOG_BINDING(bss_zone_table_kind, "zoneTable");
static const bss_tmf_binding timeband_plan = CATALOG_BINDING(bss_timeband_plan_kind, "timeBandPlan");

bss_err bss_tmf620_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    static const bss_tmf_binding *const all[] = {&category, &catalog,    &spec,          &offering,
                                                 &price,    &zone_table, &timeband_plan, NULL};
    return bss_tmf_register_all(rt, all);
}
