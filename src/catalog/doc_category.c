/*
 * doc_category.c: the TMF620 category document kind, served at
 * /tmf-api/productCatalogManagement/v4/category (src/api/tmf620.c),
 * stored in tmf620_category (migration 0003) with typed columns name and
 * lifecycle_status.
 *
 * Rules (the kind's prepare hook):
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
 *     its own descendants (walked up in the write's transaction; skipped
 *     when the context has no store, as in the fuzz target);
 *   - lastUpdate is set by the server to the time of the write.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"

#define MAX_PARENT_DEPTH 64

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

static bss_err category_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const category_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref category_refs[] = {
    {"parentId", &bss_category_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_category_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/category",
    .name = "category",
    .type = "Category",
    .status_field = "lifecycleStatus",
    .server_managed = category_server_managed,
    .refs = category_refs,
    .table = &category_table,
    .required = category_required,
    .prepare = category_prepare,
};

/* The members that must be strings or booleans when present. */
static bss_err check_types(const json_t *doc, bss_errinfo *ei)
{
    static const char *const strings[] = {"name", "version", "description", "parentId", NULL};
    static const char *const bools[] = {"isRoot", NULL};
    bss_err rc = bss_doc_check_strings(doc, "", strings, false, ei);
    const json_t *name = json_object_get(doc, "name");
    if (!rc && json_is_string(name) && json_string_length(name) == 0)
        rc = bss_fail(ei, BSS_E_INVALID, "name", "name must not be empty");
    return rc ? rc : bss_doc_check_bools(doc, "", bools, ei);
}

/* parentId exists, and following parents from it never reaches this category. */
static bss_err check_parent(const bss_doc_ctx *ctx, const char *self, const char *parent, bss_errinfo *ei)
{
    bss_doc_walk w;
    bss_err rc = bss_doc_walk_up(ctx->db, &bss_category_kind, parent, "parentId", self, MAX_PARENT_DEPTH,
                                 "parentId", &w, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_INVALID, "parentId", "parentId: no category with id %.64s", parent);
    if (rc)
        return rc;
    if (w.cycle)
        return bss_fail(ei, BSS_E_INVALID, "parentId", "parentId %s would make a cycle", parent);
    return BSS_OK;
}

static bss_err check_root(const bss_doc_ctx *ctx, json_t *doc, bss_errinfo *ei)
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

static bss_err category_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = check_types(doc, ei);
    if (!rc)
        rc = bss__catalog_check_lifecycle(doc, old, ei);
    if (!rc)
        rc = bss_doc_check_period(json_object_get(doc, "validFor"), "validFor", ei);
    if (!rc)
        rc = check_root(ctx, doc, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}
