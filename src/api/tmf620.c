/*
 * tmf620.c: TMF620 Product Catalog Management v4 resources. Each resource
 * is a bss_tmf_resource row (api/tmf.h does the HTTP and storage) plus its
 * domain hook. This file has the category, at
 * /tmf-api/productCatalogManagement/v4/category, stored in tmf620_category
 * (migration 0003) with typed columns name and lifecycle_status; the rules
 * every catalog document shares (tmf620_int.h: lifecycle, validFor,
 * version, references); and the registration of every TMF620 resource
 * (the others live in tmf620_catalog.c, tmf620_spec.c, tmf620_offering.c,
 * tmf620_price.c and tmf620_tables.c).
 *
 * Category rules (bss_tmf620_category_prepare):
 *   - name is a non-empty string (required on create, cannot be removed);
 *   - lifecycleStatus is one of "In design", "Active", "Retired",
 *     "Obsolete" (case-insensitive, stored in this spelling), "In design"
 *     when absent on create; a new category may start in any of them (an
 *     import of an existing catalog); changes follow
 *         In design -> Active -> Retired -> Obsolete, and In design -> Obsolete
 *     (a design abandoned before launch); anything else is BSS_E_STATE (409);
 *   - validFor {startDateTime, endDateTime} are RFC 3339 with start <= end;
 *   - version and description are strings; isRoot is a boolean, defaulting
 *     to true when there is no parentId; a root category has no parentId;
 *   - parentId names an existing category other than itself and not one of
 *     its own descendants (checked in the write's transaction; skipped when
 *     the context has no store, as in the fuzz target);
 *   - lastUpdate is set by the server to the time of the write.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/router.h"
#include "api/tmf.h"
#include "api/tmf620.h"
#include "api/tmf620_int.h"
#include "core/json.h"
#include "core/time.h"

#define MAX_PARENT_DEPTH 64

static const char *const lifecycle_states[] = {"In design", "Active", "Retired", "Obsolete"};
enum { ST_DESIGN, ST_ACTIVE, ST_RETIRED, ST_OBSOLETE, ST_COUNT };

/* allowed[from][to] */
static const bool allowed[ST_COUNT][ST_COUNT] = {
    [ST_DESIGN] = {[ST_DESIGN] = true, [ST_ACTIVE] = true, [ST_OBSOLETE] = true},
    [ST_ACTIVE] = {[ST_ACTIVE] = true, [ST_RETIRED] = true},
    [ST_RETIRED] = {[ST_RETIRED] = true, [ST_OBSOLETE] = true},
    [ST_OBSOLETE] = {[ST_OBSOLETE] = true},
};

static const bss_res_column category_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
};

static bss_res_table category_table = {
    .name = "tmf620_category",
    .columns = category_columns,
    .ncolumns = sizeof category_columns / sizeof category_columns[0],
};

static const char *const category_required[] = {"name", NULL};

const bss_tmf_resource bss_tmf620_category = {
    .api = "productCatalogManagement",
    BSS_TMF_PATHS("/tmf-api/productCatalogManagement/v4", "category"),
    .type = "Category",
    .event_key = "category",
    .status_field = "lifecycleStatus",
    .table = &category_table,
    .required = category_required,
    .prepare = bss_tmf620_category_prepare,
    .read_roles = BSS_ROLES_ANY,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    .allow_delete = true,
    BSS_TMF_NAMES("tmf620.category"),
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
    if (!v || json_is_null(v)) {
        if (old) /* removed by a patch: keep the stored one */
            v = json_object_get(old, "lifecycleStatus");
        if (json_object_set_new(doc, "lifecycleStatus", json_string(v ? json_string_value(v) : "In design")))
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
    if (from >= 0 && !allowed[from][to])
        return bss_fail(ei, BSS_E_STATE, "lifecycleStatus", "lifecycleStatus cannot change from %s to %s",
                        lifecycle_states[from], lifecycle_states[to]);
    return BSS_OK;
}

static bss_err check_valid_for(const json_t *doc, bss_errinfo *ei)
{
    return bss_tmf_check_period(json_object_get(doc, "validFor"), "validFor", ei);
}

/* The members that must be strings or booleans when present. */
static bss_err check_types(const json_t *doc, bss_errinfo *ei)
{
    static const char *const strings[] = {"name", "version", "description", "parentId"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const json_t *v = json_object_get(doc, strings[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, strings[i], "%s must be a string", strings[i]);
    }
    const json_t *name = json_object_get(doc, "name");
    if (json_is_string(name) && json_string_length(name) == 0)
        return bss_fail(ei, BSS_E_INVALID, "name", "name must not be empty");
    const json_t *root = json_object_get(doc, "isRoot");
    if (root && !json_is_null(root) && !json_is_boolean(root))
        return bss_fail(ei, BSS_E_INVALID, "isRoot", "isRoot must be true or false");
    return BSS_OK;
}

/* parentId exists, and following parents from it never reaches this category. */
static bss_err check_parent(const bss_tmf_ctx *ctx, const char *self, const char *parent, bss_errinfo *ei)
{
    char cur[128];
    snprintf(cur, sizeof cur, "%s", parent);
    for (int depth = 0; depth < MAX_PARENT_DEPTH; depth++) {
        if (strcmp(cur, self) == 0)
            return bss_fail(ei, BSS_E_INVALID, "parentId", "parentId %s would make a cycle", parent);
        if (!ctx->db)
            return BSS_OK;
        bss_res_doc row;
        bss_err rc = bss_resource_get(ctx->db, ctx->res->table, cur, &row, NULL);
        if (rc == BSS_E_NOT_FOUND)
            return depth == 0 ? bss_fail(ei, BSS_E_INVALID, "parentId", "parentId: no category with id %.64s",
                                         parent)
                              : BSS_OK;
        if (rc)
            return bss_fail(ei, rc, NULL, "could not read category %.64s", cur);
        json_t *doc = NULL;
        rc = bss_json_parse(row.doc, row.doc_len, &doc, NULL);
        bss_resource_doc_free(&row);
        const char *next = rc ? NULL : json_string_value(json_object_get(doc, "parentId"));
        bool more = next && strlen(next) < sizeof cur;
        if (more)
            snprintf(cur, sizeof cur, "%s", next);
        json_decref(doc);
        if (!more)
            return BSS_OK;
    }
    return BSS_OK;
}

static bss_err check_root(const bss_tmf_ctx *ctx, json_t *doc, bss_errinfo *ei)
{
    const json_t *pv = json_object_get(doc, "parentId");
    const char *parent = json_is_string(pv) ? json_string_value(pv) : NULL;
    const json_t *root = json_object_get(doc, "isRoot");
    if (!root || json_is_null(root)) {
        if (json_object_set_new(doc, "isRoot", json_boolean(parent == NULL)))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else if (json_is_true(root) && parent) {
        return bss_fail(ei, BSS_E_INVALID, "isRoot", "a root category (isRoot true) cannot have a parentId");
    }
    if (!parent)
        return BSS_OK;
    if (!*parent)
        return bss_fail(ei, BSS_E_INVALID, "parentId", "parentId must not be empty");
    const char *self = json_string_value(json_object_get(doc, "id"));
    return check_parent(ctx, self ? self : "", parent, ei);
}

bss_err bss_tmf620_category_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = check_types(doc, ei);
    if (!rc)
        rc = check_status(doc, old, ei);
    if (!rc)
        rc = check_valid_for(doc, ei);
    if (!rc)
        rc = check_root(ctx, doc, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

/* ---- rules shared by the other catalog kinds (tmf620_int.h) ---- */

bss_err bss__tmf620_check_lifecycle(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    return check_status(doc, old, ei);
}

int bss__tmf620_state_of(const char *s)
{
    return s ? state_of(s) : -1;
}

int bss__tmf620_doc_state(const json_t *doc)
{
    return bss__tmf620_state_of(json_string_value(json_object_get(doc, "lifecycleStatus")));
}

/* "version": "1" on create, else the stored one (a new version is made by tmf620_version.c). */
static bss_err set_version(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const json_t *ov = old ? json_object_get(old, "version") : NULL;
    const char *v = json_is_string(ov) ? json_string_value(ov) : "1";
    if (json_object_set_new(doc, "version", json_string(v)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss__tmf620_common(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const strings[] = {"name", "description", "@type", "@baseType", "@schemaLocation"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const json_t *v = json_object_get(doc, strings[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, strings[i], "%s must be a string", strings[i]);
    }
    const json_t *name = json_object_get(doc, "name");
    if (json_is_string(name) && json_string_length(name) == 0)
        return bss_fail(ei, BSS_E_INVALID, "name", "name must not be empty");
    bss_err rc = check_status(doc, old, ei);
    if (!rc)
        rc = check_valid_for(doc, ei);
    if (!rc)
        rc = set_version(doc, old, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

bss_err bss__tmf620_load(bss_db *db, const bss_tmf_resource *res, const char *id, json_t **out,
                         int64_t *created_ms, bss_errinfo *ei)
{
    bss_res_doc row;
    *out = NULL;
    bss_err rc = bss_resource_get(db, res->table, id, &row, ei);
    if (rc)
        return rc;
    if (created_ms)
        *created_ms = row.created_ms;
    rc = bss_json_parse(row.doc, row.doc_len, out, NULL);
    bss_resource_doc_free(&row);
    if (rc)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "stored %s %.64s is not valid JSON", res->segment, id);
    return BSS_OK;
}

bss_err bss__tmf620_check_ref(const bss_tmf_ctx *ctx, const bss_tmf_resource *res, const json_t *ref,
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
    bss_err rc = bss__tmf620_load(ctx->db, res, id, &target, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_INVALID, idpath, "%s: no %s with id %.64s", idpath, res->segment, id);
    if (rc)
        return rc;
    int st = bss__tmf620_doc_state(target);
    if (!allow_retired && (st == BSS__LC_RETIRED || st == BSS__LC_OBSOLETE)) {
        json_decref(target);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, idpath, "%s: %s %.64s is %s", idpath, res->segment, id,
                        lifecycle_states[st]);
    }
    if (out)
        *out = target;
    else
        json_decref(target);
    return BSS_OK;
}

bool bss__tmf620_may_keep(const json_t *doc, const json_t *old, const char *member, const char *id)
{
    int st = bss__tmf620_doc_state(doc);
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

bss_err bss__tmf620_check_refs(const bss_tmf_ctx *ctx, const bss_tmf_resource *res, const json_t *doc,
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
        bss_err rc =
            bss__tmf620_check_ref(ctx, res, ref, path, bss__tmf620_may_keep(doc, old, member, id), NULL, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/*
 * The compiled catalog (catalog/compile.h): set to 1 once compile.c is in
 * the tree. These are the only two call sites of the TMF620 layer into it.
 */
#define TMF620_USE_COMPILE 1
#if TMF620_USE_COMPILE
#include "catalog/compile.h"
#endif

void bss__tmf620_catalog_changed(struct bss_app *app)
{
#if TMF620_USE_COMPILE
    if (app->catalog)
        bss_catalog_rebuild_async(app);
#else
    (void)app;
#endif
}

bss_err bss__tmf620_compile_check(const bss_tmf_ctx *ctx, const char *kind, const json_t *doc,
                                  bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
#if TMF620_USE_COMPILE
    const char *id = json_string_value(json_object_get(doc, "id"));
    return bss_catalog_check_write(ctx->db, kind, id ? id : "", doc, ei);
#else
    (void)kind;
    (void)doc;
    (void)ei;
    return BSS_OK;
#endif
}

bss_err bss_tmf620_register_routes(bss_router *rt)
{
    static const bss_tmf_resource *const all[] = {
        &bss_tmf620_category, &bss_tmf620_catalog,    &bss_tmf620_spec,          &bss_tmf620_offering,
        &bss_tmf620_price,    &bss_tmf620_zone_table, &bss_tmf620_timeband_plan,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        bss_err rc = bss_tmf_register(rt, all[i]);
        if (rc)
            return rc;
    }
    return BSS_OK;
}
