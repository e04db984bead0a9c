/*
 * tmf620_version.c: versions of catalog documents and the reads "as of" an
 * instant (tmf620_int.h), plus the store checks the delete guards need.
 *
 * A PATCH that changes the priced members of an Active offering or price
 * makes a new version: the stored document (version N) is copied into
 * tmf620_version valid [its start, effective date), and the resource row
 * holds version N+1 with validFor.startDateTime = the effective date (the
 * one the request set, else now). A version's start is its
 * validFor.startDateTime, else the time the row was created.
 *
 * Reads: GET {item}?asOf=T returns the version valid at T (the current row
 * if its start <= T, else the history row with start <= T < end), 404 if
 * none; GET {collection}?asOf=T does the same for every row, then applies
 * the other filters, sort and paging in memory (at most BSS_TMF_MAX_SCAN
 * rows). Without asOf the generic handlers of api/tmf.c answer.
 *
 * The history rows and the count of products using an offering are read
 * and written through catalog/catalog_store.h: no SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/query.h"
#include "api/tmf.h"
#include "api/tmf620.h"
#include "api/tmf620_int.h"
#include "catalog/catalog_store.h"
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
static bss_err effective_date(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, int64_t *out,
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

static bss_err save_old(const bss_tmf_ctx *ctx, const char *id, const json_t *old, int64_t number,
                        int64_t from_ms, int64_t to_ms, bss_errinfo *ei)
{
    size_t len = 0;
    char *text = bss_json_dump(old, &len);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc =
        bss_catalog_version_save(ctx->db, ctx->res->segment, id, number, from_ms, to_ms, text, len, ei);
    bss_free(text);
    return rc;
}

bss_err bss__tmf620_version_on_patch(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                     const char *const *versioned, bss_errinfo *ei)
{
    if (!old || bss__tmf620_doc_state(old) != BSS__LC_ACTIVE || !changed(doc, old, versioned))
        return BSS_OK;
    const char *id = json_string_value(json_object_get(doc, "id"));
    int64_t number = version_number(old), eff = 0, created_ms = ctx->now_ms;
    bss_err rc = effective_date(ctx, doc, old, &eff, ei);
    if (rc)
        return rc;
    if (ctx->db && id) {
        bss_res_doc row;
        rc = bss_resource_get(ctx->db, ctx->res->table, id, &row, ei);
        if (rc)
            return rc;
        created_ms = row.created_ms;
        bss_resource_doc_free(&row);
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

bss_err bss__tmf620_products_using(bss_db *db, const char *offering_id, int64_t *count, bss_errinfo *ei)
{
    return bss_catalog_count_active_products(db, offering_id, count, ei);
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
    int st = bss__tmf620_doc_state(doc);
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

bss_err bss__tmf620_referrers(bss_db *db, const bss_tmf_resource *res, const char *member, const char *id,
                              bss_errinfo *ei)
{
    referrers_ctx rc = {.member = member, .id = id};
    if (!*id)
        return BSS_OK;
    bss_err err = bss_resource_list(db, res->table, NULL, 0, 0, -1, NULL, referrer_row, &rc, ei);
    if (err)
        return err;
    if (rc.count == 0)
        return BSS_OK;
    return bss_fail(ei, BSS_E_CONFLICT, "id", "%.64s is referred to by %lld %s%s (%s in %s %.64s '%.64s')",
                    id, (long long)rc.count, res->segment, rc.count == 1 ? "" : "s", member, res->segment,
                    rc.first, rc.first_name);
}

bss_err bss__tmf620_retire_check(const bss_tmf_ctx *ctx, const json_t *doc, const json_t *old,
                                 const bss_tmf_resource *res, const char *member, bss_errinfo *ei)
{
    int to = bss__tmf620_doc_state(doc), from = old ? bss__tmf620_doc_state(old) : -1;
    bool retiring = (to == BSS__LC_RETIRED || to == BSS__LC_OBSOLETE) &&
                    !(from == BSS__LC_RETIRED || from == BSS__LC_OBSOLETE);
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (!retiring || !old || !ctx->db || !id || !*id)
        return BSS_OK;
    referrers_ctx rc = {.member = member, .id = id, .live_only = true};
    bss_err err = bss_resource_list(ctx->db, res->table, NULL, 0, 0, -1, NULL, referrer_row, &rc, ei);
    if (err || rc.count == 0)
        return err;
    return bss_fail(ei, BSS_E_UNPROCESSABLE, "lifecycleStatus",
                    "%s %.64s cannot become %s while %lld live %s%s refer to it (%s in %.64s '%.64s'): "
                    "retire or change them first",
                    ctx->res->segment, id, to == BSS__LC_RETIRED ? "Retired" : "Obsolete",
                    (long long)rc.count, res->segment, rc.count == 1 ? "" : "s", member, rc.first,
                    rc.first_name);
}
