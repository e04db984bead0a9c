/*
 * tmf620_asof.c: reads of the catalog "as of" an instant (tmf620_int.h).
 * The GET handlers of the versioned TMF620 kinds look for ?asOf=RFC3339;
 * without it they hand the request to the generic handlers of api/tmf.c.
 * With it, each document is replaced by its version valid at that instant
 * (tmf620_version.c explains versions): the current row when its start
 * (validFor.startDateTime, else its creation) is at or before the instant,
 * else the tmf620_version row whose [valid_from_ms, valid_to_ms) holds it;
 * a document with neither did not exist then (404 for an item, left out of
 * a list). Lists then filter, sort and page in memory, reading at most
 * BSS_TMF_MAX_SCAN rows. The history is read through
 * catalog/catalog_store.h: no SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "api/tmf.h"
#include "api/tmf620.h"
#include "api/tmf620_int.h"
#include "catalog/catalog_store.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

static void send_fail(bss_req *r, bss_err code, const char *field, const char *msg)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_fail(&ei, code, field, "%s", msg);
    bss_http_send_error(r, code, &ei);
}

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
            send_fail(r, BSS_E_INVALID, "asOf", "asOf takes one RFC 3339 instant");
            return -1;
        }
        for (size_t k = 0; k <= n; k++) /* an unencoded '+' of an offset was decoded as ' ' */
            text[k] = v[k] == ' ' ? '+' : v[k];
        if (bss_time_parse(text, n, at_ms, NULL) != BSS_OK) {
            send_fail(r, BSS_E_INVALID, "asOf", "asOf is not an RFC 3339 instant");
            return -1;
        }
        memmove(f, f + 1, (q->nfilters - i - 1) * sizeof *f);
        q->nfilters--;
        return 1;
    }
    return 0;
}

static int64_t start_of(const json_t *doc, int64_t created_ms)
{
    const char *s = json_string_value(bss_json_path(doc, "validFor.startDateTime"));
    int64_t ms;
    if (s && bss_time_parse(s, strlen(s), &ms, NULL) == BSS_OK)
        return ms;
    return created_ms;
}

/*
 * The version of (kind, id) valid at at_ms given the current document cur
 * (stolen): *out = a document or NULL when none was valid then.
 */
static bss_err version_at(bss_db *db, const char *kind, const char *id, json_t *cur, int64_t created_ms,
                          int64_t at_ms, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (start_of(cur, created_ms) <= at_ms) {
        *out = cur;
        return BSS_OK;
    }
    json_decref(cur);
    return bss_catalog_version_at(db, kind, id, at_ms, out, ei);
}

int bss__tmf620_handle_get(bss_req *r)
{
    const bss_tmf_resource *res = r->route->data;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    int64_t at_ms = 0;
    if (!r->query || bss_query_parse(r->query, r->query_len, &q, &ei) != BSS_OK)
        return bss_tmf_handle_get(r); /* no query, or a bad one the generic handler answers */
    int has = take_as_of(r, &q, &at_ms);
    if (has <= 0) {
        bss_query_free(&q);
        return has < 0 ? 0 : bss_tmf_handle_get(r);
    }
    const char *id = bss_http_param(r, "id");
    json_t *cur = NULL, *doc = NULL;
    int64_t created_ms = 0;
    bss_err rc = id ? bss__tmf620_load(r->db, res, id, &cur, &created_ms, &ei) : BSS_E_NOT_FOUND;
    if (!rc)
        rc = version_at(r->db, res->segment, id, cur, created_ms, at_ms, &doc, &ei);
    if (!rc && !doc)
        rc = BSS_E_NOT_FOUND;
    if (rc == BSS_E_NOT_FOUND) {
        char when[32];
        bss_time_format(at_ms, when);
        bss_fail(&ei, rc, "id", "no %s with id %.64s as of %s", res->segment, id ? id : "", when);
    }
    if (rc) {
        bss_http_send_error(r, rc, &ei);
    } else {
        json_t *shown = bss_query_project(&q, doc);
        if (shown)
            bss_http_send_json(r, 200, shown);
        else
            send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_decref(doc);
    bss_query_free(&q);
    return 0;
}

/* ---- lists ---- */

typedef struct scan_item {
    char *id;
    int64_t created_ms;
    json_t *doc;
} scan_item;

typedef struct scan {
    scan_item *items;
    size_t n, cap;
} scan;

static bss_err scan_row(const bss_res_row *row, void *arg)
{
    scan *sc = arg;
    if (sc->n == BSS_TMF_MAX_SCAN)
        return BSS_E_RANGE;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        scan_item *grown = bss_realloc(sc->items, cap * sizeof *grown);
        if (!grown)
            return BSS_E_NOMEM;
        sc->items = grown;
        sc->cap = cap;
    }
    scan_item *it = &sc->items[sc->n];
    it->doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &it->doc, NULL) != BSS_OK)
        return BSS_E_INTERNAL;
    if (!(it->id = bss_strdup(row->id))) {
        json_decref(it->doc);
        return BSS_E_NOMEM;
    }
    it->created_ms = row->created_ms;
    sc->n++;
    return BSS_OK;
}

static void scan_free(scan *sc)
{
    for (size_t i = 0; i < sc->n; i++) {
        bss_free(sc->items[i].id);
        json_decref(sc->items[i].doc);
    }
    bss_free(sc->items);
}

static int cmp_docs(const void *a, const void *b, void *arg)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = bss_query_compare(arg, x, y);
    if (c)
        return c;
    const char *ix = json_string_value(json_object_get(x, "id")),
               *iy = json_string_value(json_object_get(y, "id"));
    return strcmp(ix ? ix : "", iy ? iy : "");
}

/* Replaces each scanned document by its version at at_ms and keeps those matching q: docs[0..*n). */
static bss_err select_docs(bss_req *r, const bss_query *q, scan *sc, int64_t at_ms, json_t **docs, size_t *n,
                           bss_errinfo *ei)
{
    const bss_tmf_resource *res = r->route->data;
    *n = 0;
    for (size_t i = 0; i < sc->n; i++) {
        json_t *doc = NULL;
        json_t *cur = sc->items[i].doc;
        sc->items[i].doc = NULL;
        bss_err rc =
            version_at(r->db, res->segment, sc->items[i].id, cur, sc->items[i].created_ms, at_ms, &doc, ei);
        if (rc)
            return rc;
        if (doc && bss_query_match(q, doc))
            docs[(*n)++] = doc;
        else
            json_decref(doc);
    }
    return BSS_OK;
}

static void send_page(bss_req *r, const bss_query *q, json_t **docs, size_t n)
{
    json_t *arr = json_array();
    int64_t count = 0;
    for (size_t i = (size_t)q->offset; arr && i < n && count < q->limit; i++, count++)
        if (json_array_append_new(arr, bss_query_project(q, docs[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    if (!arr) {
        send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return;
    }
    char num[24];
    snprintf(num, sizeof num, "%zu", n);
    bss_http_add_header(r, "X-Total-Count", num);
    snprintf(num, sizeof num, "%lld", (long long)count);
    bss_http_add_header(r, "X-Result-Count", num);
    bss_http_send_json(r, 200, arr);
}

int bss__tmf620_handle_list(bss_req *r)
{
    const bss_tmf_resource *res = r->route->data;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    int64_t at_ms = 0;
    if (!r->query || bss_query_parse(r->query, r->query_len, &q, &ei) != BSS_OK)
        return bss_tmf_handle_list(r);
    int has = take_as_of(r, &q, &at_ms);
    if (has <= 0) {
        bss_query_free(&q);
        return has < 0 ? 0 : bss_tmf_handle_list(r);
    }
    scan sc = {0};
    json_t **docs = NULL;
    size_t n = 0;
    bss_err rc = bss_resource_list(r->db, res->table, NULL, 0, 0, -1, NULL, scan_row, &sc, &ei);
    if (rc == BSS_E_RANGE)
        bss_fail(&ei, rc, NULL, "an asOf list reads at most %d %s records", BSS_TMF_MAX_SCAN, res->segment);
    if (!rc && sc.n && !(docs = bss_calloc(sc.n, sizeof *docs)))
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = select_docs(r, &q, &sc, at_ms, docs, &n, &ei);
    if (!rc && q.nsort)
        qsort_r(docs, n, sizeof *docs, cmp_docs, &q);
    if (rc)
        bss_http_send_error(r, rc, &ei);
    else
        send_page(r, &q, docs, n);
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
    bss_free(docs);
    scan_free(&sc);
    bss_query_free(&q);
    return 0;
}
