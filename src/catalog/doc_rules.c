/*
 * doc_rules.c: the rules every TMF620 catalog document follows
 * (catalog_int.h): the lifecycle state machine, the common members
 * (name, version, validFor, lastUpdate), references to other catalog
 * documents checked against the store in the write's transaction, the
 * whole-catalog compile check of a write, and the rebuild of the compiled
 * catalog after every committed catalog write. The kinds themselves live in
 * doc_category.c, doc_catalog.c, doc_spec.c, doc_offering.c, doc_price.c,
 * doc_tables.c and doc_promotion.c; versions and "as of" reads in
 * versions.c.
 *
 * Lifecycle: "In design", "Active", "Retired", "Obsolete" (case-insensitive,
 * stored in this spelling), "In design" when absent on create; changes
 * follow In design -> Active -> Retired -> Obsolete and In design ->
 * Obsolete; anything else is BSS_E_STATE (409).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"
#include "core/time.h"

static const char *const lifecycle_states[] = {"In design", "Active", "Retired", "Obsolete"};
enum { ST_DESIGN, ST_ACTIVE, ST_RETIRED, ST_OBSOLETE, ST_COUNT };

/* allowed[from][to] */
static const bool allowed[ST_COUNT][ST_COUNT] = {
    [ST_DESIGN] = {[ST_DESIGN] = true, [ST_ACTIVE] = true, [ST_OBSOLETE] = true},
    [ST_ACTIVE] = {[ST_ACTIVE] = true, [ST_RETIRED] = true},
    [ST_RETIRED] = {[ST_RETIRED] = true, [ST_OBSOLETE] = true},
    [ST_OBSOLETE] = {[ST_OBSOLETE] = true},
};

static int state_of(const char *s)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (strcasecmp(s, lifecycle_states[i]) == 0)
            return i;
    return -1;
}

/* The state of doc's lifecycleStatus, normalised in place; -1 after failing. */
static bss_err check_status(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *v = json_object_get(doc, "lifecycleStatus");
    if (!v || json_is_null(v)) { /* absent or null: the stored one on patch, else the first state */
        const json_t *kept = old ? json_object_get(old, "lifecycleStatus") : NULL;
        if (json_object_set_new(doc, "lifecycleStatus",
                                json_string(json_is_string(kept) ? json_string_value(kept) : "In design")))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        v = json_object_get(doc, "lifecycleStatus");
    }
    if (!json_is_string(v))
        return bss_fail(ei, BSS_E_INVALID, "lifecycleStatus", "lifecycleStatus must be a string");
    int to = state_of(json_string_value(v));
    if (to < 0)
        return bss_fail(ei, BSS_E_INVALID, "lifecycleStatus",
                        "lifecycleStatus '%.40s' is not one of: In design, Active, Retired, Obsolete",
                        json_string_value(v));
    json_string_set(v, lifecycle_states[to]);
    const json_t *ov = old ? json_object_get(old, "lifecycleStatus") : NULL;
    int from = json_is_string(ov) ? state_of(json_string_value(ov)) : -1;
    char next[300];
    if (from >= 0 && !allowed[from][to])
        return bss_fail(ei, BSS_E_STATE, "lifecycleStatus", "lifecycleStatus cannot change from %s to %s%s",
                        lifecycle_states[from], lifecycle_states[to],
                        bss_doc_next_states(lifecycle_states, allowed[from], ST_COUNT, from, next, sizeof next));
    return BSS_OK;
}

bss_err bss__catalog_check_lifecycle(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    return check_status(doc, old, ei);
}

int bss__catalog_state_of(const char *s)
{
    return s ? state_of(s) : -1;
}

int bss__catalog_doc_state(const json_t *doc)
{
    return bss__catalog_state_of(json_string_value(json_object_get(doc, "lifecycleStatus")));
}

/* "version": "1" on create, else the stored one (a new version is made by versions.c). */
static bss_err set_version(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const json_t *ov = old ? json_object_get(old, "version") : NULL;
    const char *v = json_is_string(ov) ? json_string_value(ov) : "1";
    if (json_object_set_new(doc, "version", json_string(v)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss__catalog_common(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = bss_doc_check_names(doc, ei);
    if (!rc)
        rc = check_status(doc, old, ei);
    if (!rc)
        rc = bss_doc_check_period(json_object_get(doc, "validFor"), "validFor", ei);
    if (!rc)
        rc = set_version(doc, old, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

bss_err bss__catalog_check_ref(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *ref,
                               const char *path, bool allow_retired, json_t **out, bss_errinfo *ei)
{
    char idpath[160];
    snprintf(idpath, sizeof idpath, "%s.id", path);
    if (out)
        *out = NULL;
    if (!json_is_object(ref))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object with an id", path);
    const json_t *idv = json_object_get(ref, "id");
    if (!json_is_string(idv) || json_string_length(idv) == 0)
        return bss_fail(ei, BSS_E_INVALID, idpath, "%s is required (a string)", idpath);
    if (!ctx->db)
        return BSS_OK;
    const char *id = json_string_value(idv);
    json_t *target = NULL;
    bss_err rc = bss_doc_load(ctx->db, kind, id, &target, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_INVALID, idpath, "%s: no %s with id %.64s", idpath, kind->name, id);
    if (rc)
        return rc;
    int st = bss__catalog_doc_state(target);
    if (!allow_retired && (st == BSS__LC_RETIRED || st == BSS__LC_OBSOLETE)) {
        json_decref(target);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, idpath, "%s: %s %.64s is %s", idpath, kind->name, id,
                        lifecycle_states[st]);
    }
    if (out)
        *out = target;
    else
        json_decref(target);
    return BSS_OK;
}

bool bss__catalog_may_keep(const json_t *doc, const json_t *old, const char *member, const char *id)
{
    int st = bss__catalog_doc_state(doc);
    if (st == BSS__LC_RETIRED || st == BSS__LC_OBSOLETE)
        return true;
    const json_t *had = old ? json_object_get(old, member) : NULL;
    if (json_is_object(had)) {
        const char *hid = json_string_value(json_object_get(had, "id"));
        return id && hid && strcmp(hid, id) == 0;
    }
    size_t i;
    const json_t *ref;
    if (id && json_is_array(had))
        json_array_foreach(had, i, ref)
        {
            const char *rid = json_string_value(json_object_get(ref, "id"));
            if (rid && strcmp(rid, id) == 0)
                return true;
        }
    return false;
}

bss_err bss__catalog_check_refs(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *doc,
                                const json_t *old, const char *member, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, member);
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, member, "%s must be an array", member);
    size_t i;
    const json_t *ref;
    json_array_foreach(arr, i, ref)
    {
        char path[128];
        snprintf(path, sizeof path, "%s[%zu]", member, i);
        const char *id = json_string_value(json_object_get(ref, "id"));
        bss_err rc = bss__catalog_check_ref(ctx, kind, ref, path, bss__catalog_may_keep(doc, old, member, id),
                                            NULL, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

void bss__catalog_changed(struct bss_app *app)
{
    if (app->catalog)
        bss_catalog_rebuild_async(app);
}

bss_err bss__catalog_compile_check(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    const char *id = json_string_value(json_object_get(doc, "id"));
    return bss_catalog_check_write(ctx->db, ctx->kind->name, id ? id : "", doc, ei);
}
