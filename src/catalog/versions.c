/*
 * versions.c: versions of catalog documents and the reads "as of" an
 * instant (catalog.h, catalog_int.h), plus the store checks the retire
 * and delete guards need.
 *
 * A PATCH that changes the priced members of an Active offering or price
 * makes a new version: the stored document (version N) is copied into
 * tmf620_version valid [its start, effective date), and the resource row
 * holds version N+1 with validFor.startDateTime = the effective date (the
 * one the request set, else now). A version's start is its
 * validFor.startDateTime, else the time the row was created.
 *
 * Reads "as of" T (GET {item}?asOf=T and {collection}?asOf=T in
 * src/api/tmf620.c): the current row when its start <= T, else the
 * history row with start <= T < end; a document with neither did not exist
 * then (404 for an item, left out of a list).
 *
 * The history rows and the count of products using an offering are read
 * and written through catalog_int.h: no SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"

/* ---- writes ---- */

static bool changed(const json_t *doc, const json_t *old, const char *const *members)
{
    for (; members && *members; members++) {
        const json_t *a = json_object_get(doc, *members), *b = json_object_get(old, *members);
        if ((a || b) && !json_equal((json_t *)a, (json_t *)b))
            return true;
    }
    return false;
}

static int64_t version_number(const json_t *doc)
{
    const char *v = json_string_value(json_object_get(doc, "version"));
    int64_t n = 1;
    return v && bss_parse_int64(v, strlen(v), BSS_NUM_DIGITS, 1, INT64_MAX - 1, &n) == BSS_OK ? n : 1;
}

/* The start of a version: validFor.startDateTime, else created_ms. */
static int64_t start_of(const json_t *doc, int64_t created_ms)
{
    const char *s = json_string_value(bss_json_path(doc, "validFor.startDateTime"));
    int64_t ms;
    if (s && bss_time_parse(s, strlen(s), &ms, NULL) == BSS_OK)
        return ms;
    return created_ms;
}

/* The effective date of the new version; sets validFor.startDateTime = now when the request did not move it.
 */
static bss_err effective_date(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, int64_t *out,
                              bss_errinfo *ei)
{
    const json_t *ns = bss_json_path(doc, "validFor.startDateTime");
    const json_t *os = bss_json_path(old, "validFor.startDateTime");
    if (json_is_string(ns) && (!os || !json_equal((json_t *)ns, (json_t *)os))) {
        *out = start_of(doc, ctx->now_ms);
        return BSS_OK;
    }
    json_t *vf = json_object_get(doc, "validFor");
    if (!json_is_object(vf)) {
        vf = json_object();
        if (!vf || json_object_set_new(doc, "validFor", vf))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (bss_json_set_time(vf, "startDateTime", ctx->now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const json_t *end = json_object_get(vf, "endDateTime");
    int64_t end_ms;
    if (json_is_string(end) &&
        bss_time_parse(json_string_value(end), json_string_length(end), &end_ms, NULL) == BSS_OK &&
        end_ms < ctx->now_ms)
        return bss_fail(ei, BSS_E_INVALID, "validFor.endDateTime",
                        "validFor.endDateTime is before the new version's start (now)");
    *out = ctx->now_ms;
    return BSS_OK;
}

static bss_err save_old(const bss_doc_ctx *ctx, const char *id, const json_t *old, int64_t number,
                        int64_t from_ms, int64_t to_ms, bss_errinfo *ei)
{
    size_t len = 0;
    char *text = bss_json_dump(old, &len);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc =
        bss_catalog_version_save(ctx->db, ctx->kind->name, id, number, from_ms, to_ms, text, len, ei);
    bss_free(text);
    return rc;
}

/*
 * The start of a version that has history before it is where that history
 * ends: a change that keeps the priced members may not move or remove it
 * (asOf answers would change, or fall into a gap).
 */
static bss_err keep_start(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old, bss_errinfo *ei)
{
    int64_t number = version_number(old);
    const json_t *os = bss_json_path(old, "validFor.startDateTime");
    const json_t *ns = bss_json_path(doc, "validFor.startDateTime");
    if (number < 2 || !json_is_string(os) || (ns && json_equal((json_t *)ns, (json_t *)os)))
        return BSS_OK;
    return bss_fail(ei, BSS_E_UNPROCESSABLE, "validFor.startDateTime",
                    "version %lld of this %s began at %s, where version %lld ends: that start is history and "
                    "cannot be %s (change a priced member to make a new version)",
                    (long long)number, ctx->kind->name, json_string_value(os), (long long)(number - 1),
                    ns ? "moved" : "removed");
}

bss_err bss__catalog_version_on_patch(const bss_doc_ctx *ctx, json_t *doc, const json_t *old,
                                      const char *const *versioned, bss_errinfo *ei)
{
    if (!old)
        return BSS_OK;
    if (bss__catalog_doc_state(old) != BSS__LC_ACTIVE || !changed(doc, old, versioned))
        return keep_start(ctx, doc, old, ei);
    const char *id = json_string_value(json_object_get(doc, "id"));
    int64_t number = version_number(old), eff = 0, created_ms = ctx->now_ms;
    bss_err rc = effective_date(ctx, doc, old, &eff, ei);
    if (rc)
        return rc;
    if (ctx->db && id) {
        json_t *stored = NULL;
        bss_doc_meta meta;
        rc = bss_doc_load(ctx->db, ctx->kind, id, &stored, &meta, ei);
        json_decref(stored);
        if (rc)
            return rc;
        created_ms = meta.created_ms;
    }
    int64_t from = start_of(old, created_ms);
    if (eff < from) {
        char when[32];
        bss_time_format(from, when);
        return bss_fail(ei, BSS_E_INVALID, "validFor.startDateTime",
                        "a new version cannot take effect before the current one started (%s)", when);
    }
    if (ctx->db && id && (rc = save_old(ctx, id, old, number, from, eff, ei)))
        return rc;
    char next[24];
    snprintf(next, sizeof next, "%lld", (long long)(number + 1));
    if (json_object_set_new(doc, "version", json_string(next)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

typedef struct referrers_ctx {
    const char *member;
    const char *id;
    bool live_only; /* skip Retired/Obsolete referrers and, in relationships, types other than add-on ones */
    int64_t count;
    char first[72];
    char first_name[72];
} referrers_ctx;

static bool addon_type(const json_t *ref)
{
    const char *t = json_string_value(json_object_get(ref, "relationshipType"));
    return t && (strcasecmp(t, "addOnTo") == 0 || strcasecmp(t, "requires") == 0);
}

static bool refers_to(const json_t *v, const char *id, bool addons_only)
{
    if (json_is_string(v))
        return strcmp(json_string_value(v), id) == 0;
    if (json_is_object(v)) {
        const char *rid = json_string_value(json_object_get(v, "id"));
        return rid && strcmp(rid, id) == 0 && (!addons_only || addon_type(v));
    }
    size_t i;
    const json_t *ref;
    if (json_is_array(v))
        json_array_foreach(v, i, ref) if (refers_to(ref, id, addons_only)) return true;
    return false;
}

static bss_err referrer_row(const bss_res_row *row, void *arg)
{
    referrers_ctx *rc = arg;
    if (strcmp(row->id, rc->id) == 0 || !memchr(row->doc, rc->id[0], row->doc_len) ||
        !strstr(row->doc, rc->id))
        return BSS_OK;
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_E_INTERNAL;
    int st = bss__catalog_doc_state(doc);
    bool skip = rc->live_only && (st == BSS__LC_RETIRED || st == BSS__LC_OBSOLETE);
    bool addons_only = rc->live_only && strcmp(rc->member, "productOfferingRelationship") == 0;
    if (!skip && refers_to(bss_json_path(doc, rc->member), rc->id, addons_only)) {
        if (rc->count++ == 0) {
            const char *name = json_string_value(json_object_get(doc, "name"));
            snprintf(rc->first, sizeof rc->first, "%s", row->id);
            snprintf(rc->first_name, sizeof rc->first_name, "%s", name ? name : "");
        }
    }
    json_decref(doc);
    return BSS_OK;
}

bss_err bss__catalog_retire_check(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old,
                                  const bss_doc_kind *kind, const char *member, bss_errinfo *ei)
{
    int to = bss__catalog_doc_state(doc), from = old ? bss__catalog_doc_state(old) : -1;
    bool retiring = (to == BSS__LC_RETIRED || to == BSS__LC_OBSOLETE) &&
                    !(from == BSS__LC_RETIRED || from == BSS__LC_OBSOLETE);
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (!retiring || !old || !ctx->db || !id || !*id)
        return BSS_OK;
    referrers_ctx rc = {.member = member, .id = id, .live_only = true};
    bss_err err = bss_resource_list(ctx->db, kind->table, NULL, 0, 0, -1, NULL, referrer_row, &rc, ei);
    if (err || rc.count == 0)
        return err;
    return bss_fail(ei, BSS_E_UNPROCESSABLE, "lifecycleStatus",
                    "%s %.64s cannot become %s while %lld live %s%s refer to it (%s in %.64s '%.64s'): "
                    "retire or change them first",
                    ctx->kind->name, id, to == BSS__LC_RETIRED ? "Retired" : "Obsolete", (long long)rc.count,
                    kind->name, rc.count == 1 ? "" : "s", member, rc.first, rc.first_name);
}

/* ---- reads as of an instant ---- */

/*
 * The version of (kind, id) valid at at_ms given the current document cur
 * (stolen): *out = a document or NULL when none was valid then.
 */
static bss_err version_at(bss_db *db, const bss_doc_kind *kind, const char *id, json_t *cur,
                          int64_t created_ms, int64_t at_ms, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (start_of(cur, created_ms) <= at_ms) {
        *out = cur;
        return BSS_OK;
    }
    json_decref(cur);
    return bss_catalog_version_at(db, kind->name, id, at_ms, out, ei);
}

bss_err bss_catalog_doc_as_of(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t at_ms,
                              json_t **out, bss_errinfo *ei)
{
    json_t *cur = NULL;
    bss_doc_meta meta = {0};
    *out = NULL;
    bss_err rc = bss_doc_load(db, kind, id, &cur, &meta, ei);
    if (!rc)
        rc = version_at(db, kind, id, cur, meta.created_ms, at_ms, out, ei);
    if (!rc && !*out)
        rc = BSS_E_NOT_FOUND;
    if (rc == BSS_E_NOT_FOUND) {
        char when[32];
        bss_time_format(at_ms, when);
        bss_fail(ei, rc, "id", "no %s with id %.64s as of %s", kind->name, id, when);
    }
    return rc;
}

typedef struct as_of_row {
    char *id;
    int64_t created_ms;
    json_t *doc;
} as_of_row;

typedef struct as_of_scan {
    as_of_row *rows;
    size_t n, cap, max;
} as_of_scan;

static bss_err scan_row(const bss_res_row *row, void *arg)
{
    as_of_scan *sc = arg;
    if (sc->n == sc->max)
        return BSS_E_RANGE;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        as_of_row *grown = bss_realloc(sc->rows, cap * sizeof *grown);
        if (!grown)
            return BSS_E_NOMEM;
        sc->rows = grown;
        sc->cap = cap;
    }
    as_of_row *it = &sc->rows[sc->n];
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

/*
 * The rows are read whole first: the store allows one open result per
 * connection, and each version lookup is a query of its own.
 */
bss_err bss_catalog_list_as_of(bss_db *db, const bss_doc_kind *kind, int64_t at_ms, size_t max_rows,
                               bss_catalog_doc_fn fn, void *arg, bss_errinfo *ei)
{
    as_of_scan sc = {.max = max_rows};
    bss_err rc = bss_resource_table_prepare(kind->table);
    if (!rc)
        rc = bss_resource_list(db, kind->table, NULL, 0, 0, -1, NULL, scan_row, &sc, ei);
    if (rc == BSS_E_RANGE)
        bss_fail(ei, rc, NULL, "an asOf list reads at most %zu %s records", max_rows, kind->name);
    for (size_t i = 0; i < sc.n; i++) {
        json_t *doc = NULL, *cur = sc.rows[i].doc;
        sc.rows[i].doc = NULL;
        if (!rc)
            rc = version_at(db, kind, sc.rows[i].id, cur, sc.rows[i].created_ms, at_ms, &doc, ei);
        else
            json_decref(cur);
        if (!rc && doc)
            rc = fn(doc, arg);
        else
            json_decref(doc);
        bss_free(sc.rows[i].id);
    }
    bss_free(sc.rows);
    return rc;
}
