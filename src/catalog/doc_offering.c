/*
 * doc_offering.c: the TMF620 `productOffering` document kind, served at
 * /tmf-api/productCatalogManagement/v4/productOffering, stored in
 * tmf620_product_offering (migration 0005) with typed columns name,
 * lifecycle_status, version, is_bundle and spec_id. An offering sells a
 * specification at the prices it lists; a bundle sells other offerings
 * (bundledProductOffering); an add-on names the base plans it goes with
 * (productOfferingRelationship of type "addOnTo" or "requires").
 *
 * Rules (offering_prepare), besides the common ones of catalog_int.h:
 *   - isBundle, isSellable are booleans; a bundle lists at least one
 *     bundledProductOffering, any other offering has a productSpecification;
 *   - every reference (productSpecification.id, productOfferingPrice[].id,
 *     category[].id, bundledProductOffering[].id,
 *     productOfferingRelationship[].id) names an existing document that is
 *     not Retired or Obsolete: missing is 400, retired 422, with the path;
 *     prices are referenced, not embedded;
 *   - bundles form no cycle (the store's bundledProductOffering links are
 *     walked in the write's transaction): 422 on the first link that loops;
 *   - an "addOnTo"/"requires" relationship points at a base plan, i.e. an
 *     offering that is not itself an add-on: 422 otherwise;
 *   - a change of productOfferingPrice on an Active offering makes a new
 *     version (versions.c), effective from validFor.startDateTime.
 * An offering a live bundle contains, or a live add-on needs as its base,
 * cannot be retired (422). Deleting an offering that an active product uses (table product) is 409
 * naming how many; so is deleting one another offering bundles or relates to.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/mem.h"

#define MAX_BUNDLE_NODES 256
#define ID_CAP 72

static const bss_res_column offering_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
    {"version", "version", BSS_RES_TEXT},
    {"isBundle", "is_bundle", BSS_RES_BOOL},
    {"productSpecification.id", "spec_id", BSS_RES_TEXT},
};

static bss_res_table offering_table = {
    .name = "tmf620_product_offering",
    .columns = offering_columns,
    .ncolumns = sizeof offering_columns / sizeof offering_columns[0],
};

static const char *const offering_required[] = {"name", NULL};
static const char *const offering_versioned[] = {"productOfferingPrice", NULL};

static bss_err offering_delete_guard(const bss_doc_ctx *ctx, const char *id, const json_t *old,
                                     bss_errinfo *ei);

static bss_err offering_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const offering_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref offering_refs[] = {
    {"productSpecification", &bss_spec_kind},
    {"productOfferingPrice", &bss_offering_price_kind},
    {"category", &bss_category_kind},
    {"bundledProductOffering", &bss_offering_kind},
    {"productOfferingRelationship", &bss_offering_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_offering_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/productOffering",
    .name = "productOffering",
    .type = "ProductOffering",
    .status_field = "lifecycleStatus",
    .server_managed = offering_server_managed,
    .refs = offering_refs,
    .table = &offering_table,
    .required = offering_required,
    .prepare = offering_prepare,
    .delete_guard = offering_delete_guard,
    .after_commit = bss__catalog_changed,
};

static bss_err offering_delete_guard(const bss_doc_ctx *ctx, const char *id, const json_t *old,
                                     bss_errinfo *ei)
{
    (void)old;
    if (!ctx->db)
        return BSS_OK;
    int64_t n = 0;
    bss_err rc = bss_catalog_count_active_products(ctx->db, id, &n, ei);
    if (rc)
        return rc;
    if (n > 0)
        return bss_fail(ei, BSS_E_CONFLICT, "id",
                        "productOffering %.64s is used by %lld active product%s: retire it instead", id,
                        (long long)n, n == 1 ? "" : "s");
    return BSS_OK; /* what names it: the reference index (doc.h) refuses the delete */
}

static bss_err check_shape(const json_t *doc, bss_errinfo *ei)
{
    static const char *const bools[] = {"isBundle", "isSellable"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(doc, bools[i]);
        if (v && !json_is_null(v) && !json_is_boolean(v))
            return bss_fail(ei, BSS_E_INVALID, bools[i], "%s must be true or false", bools[i]);
    }
    const json_t *bundled = json_object_get(doc, "bundledProductOffering");
    if (json_is_true(json_object_get(doc, "isBundle"))) {
        if (!json_is_array(bundled) || json_array_size(bundled) == 0)
            return bss_fail(ei, BSS_E_INVALID, "bundledProductOffering",
                            "a bundle (isBundle true) lists at least one bundledProductOffering");
    } else {
        const json_t *spec = json_object_get(doc, "productSpecification");
        if (!spec || json_is_null(spec))
            return bss_fail(ei, BSS_E_INVALID, "productSpecification",
                            "productSpecification is required for an offering that is not a bundle");
    }
    return BSS_OK;
}

/* The first element of doc[member] whose id is self: its index, or -1. */
static long self_ref(const json_t *doc, const char *member)
{
    const char *self = json_string_value(json_object_get(doc, "id"));
    const json_t *arr = json_object_get(doc, member);
    size_t i;
    const json_t *ref;
    if (self && json_is_array(arr))
        json_array_foreach(arr, i, ref)
        {
            const char *id = json_string_value(json_object_get(ref, "id"));
            if (id && strcmp(id, self) == 0)
                return (long)i;
        }
    return -1;
}

typedef struct walk {
    char ids[MAX_BUNDLE_NODES][ID_CAP];
    size_t n;
} walk;

static bool walk_seen(const walk *w, const char *id)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->ids[i], id) == 0)
            return true;
    return false;
}

/* Whether following bundledProductOffering links from start (in the store) reaches self. */
static bss_err reaches(const bss_doc_ctx *ctx, walk *w, const char *start, const char *self, int depth,
                       bool *found, bss_errinfo *ei)
{
    if (strcmp(start, self) == 0) {
        *found = true;
        return BSS_OK;
    }
    if (walk_seen(w, start) || w->n == MAX_BUNDLE_NODES || depth > 32 || strlen(start) >= ID_CAP)
        return BSS_OK;
    memcpy(w->ids[w->n++], start, strlen(start) + 1);
    json_t *doc = NULL;
    bss_err rc = bss_doc_load(ctx->db, &bss_offering_kind, start, &doc, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return BSS_OK;
    if (rc)
        return rc;
    const json_t *arr = json_object_get(doc, "bundledProductOffering");
    size_t i;
    const json_t *ref;
    if (json_is_array(arr))
        json_array_foreach(arr, i, ref)
        {
            const char *id = json_string_value(json_object_get(ref, "id"));
            if (id && !(rc = reaches(ctx, w, id, self, depth + 1, found, ei)) && *found)
                break;
            if (rc)
                break;
        }
    json_decref(doc);
    return rc;
}

static bss_err check_bundle_cycle(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    char path[96];
    long i = self_ref(doc, "bundledProductOffering");
    if (i >= 0) {
        snprintf(path, sizeof path, "bundledProductOffering[%ld].id", i);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "%s: an offering cannot bundle itself", path);
    }
    const char *self = json_string_value(json_object_get(doc, "id"));
    const json_t *arr = json_object_get(doc, "bundledProductOffering");
    if (!ctx->db || !self || !json_is_array(arr))
        return BSS_OK;
    walk *w = bss_calloc(1, sizeof *w);
    if (!w)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t k;
    const json_t *ref;
    bss_err rc = BSS_OK;
    json_array_foreach(arr, k, ref)
    {
        const char *id = json_string_value(json_object_get(ref, "id"));
        bool found = false;
        w->n = 0;
        if (id && !(rc = reaches(ctx, w, id, self, 0, &found, ei)) && found) {
            snprintf(path, sizeof path, "bundledProductOffering[%zu].id", k);
            rc = bss_fail(ei, BSS_E_UNPROCESSABLE, path, "%s: bundle cycle: offering %.64s bundles this one",
                          path, id);
        }
        if (rc)
            break;
    }
    bss_free(w);
    return rc;
}

static bool is_addon_type(const json_t *rel)
{
    const char *t = json_string_value(json_object_get(rel, "relationshipType"));
    return t && (strcasecmp(t, "addOnTo") == 0 || strcasecmp(t, "requires") == 0);
}

/* An offering is an add-on when one of its relationships is addOnTo/requires. */
static bool is_addon(const json_t *offering)
{
    const json_t *arr = json_object_get(offering, "productOfferingRelationship");
    size_t i;
    const json_t *rel;
    if (json_is_array(arr))
        json_array_foreach(arr, i, rel) if (is_addon_type(rel)) return true;
    return false;
}

static bss_err check_relationships(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old,
                                   bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "productOfferingRelationship");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "productOfferingRelationship",
                        "productOfferingRelationship must be an array");
    char path[96], p2[128];
    long s = self_ref(doc, "productOfferingRelationship");
    if (s >= 0) {
        snprintf(path, sizeof path, "productOfferingRelationship[%ld].id", s);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "%s: an offering cannot relate to itself", path);
    }
    size_t i;
    const json_t *rel;
    json_array_foreach(arr, i, rel)
    {
        snprintf(path, sizeof path, "productOfferingRelationship[%zu]", i);
        const json_t *type = json_object_get(rel, "relationshipType");
        snprintf(p2, sizeof p2, "%s.relationshipType", path);
        if (type && !json_is_null(type) && !json_is_string(type))
            return bss_fail(ei, BSS_E_INVALID, p2, "%s must be a string", p2);
        json_t *target = NULL;
        const char *rid = json_string_value(json_object_get(rel, "id"));
        bool keep = bss__catalog_may_keep(doc, old, "productOfferingRelationship", rid);
        bss_err rc = bss__catalog_check_ref(ctx, &bss_offering_kind, rel, path, keep, &target, ei);
        if (rc)
            return rc;
        bool bad = target && is_addon_type(rel) && is_addon(target);
        json_decref(target);
        if (bad) {
            snprintf(p2, sizeof p2, "%s.id", path);
            return bss_fail(ei, BSS_E_UNPROCESSABLE, p2,
                            "%s: an add-on goes with a base plan, and offering %.64s is itself an add-on", p2,
                            json_string_value(json_object_get(rel, "id")));
        }
    }
    return BSS_OK;
}

static bss_err check_refs(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const json_t *spec = json_object_get(doc, "productSpecification");
    bss_err rc = BSS_OK;
    if (spec && !json_is_null(spec)) {
        const char *sid = json_string_value(json_object_get(spec, "id"));
        rc = bss__catalog_check_ref(ctx, &bss_spec_kind, spec, "productSpecification",
                                    bss__catalog_may_keep(doc, old, "productSpecification", sid), NULL, ei);
    }
    if (!rc)
        rc = bss__catalog_check_refs(ctx, &bss_offering_price_kind, doc, old, "productOfferingPrice", ei);
    if (!rc)
        rc = bss__catalog_check_refs(ctx, &bss_category_kind, doc, old, "category", ei);
    if (!rc)
        rc = bss__catalog_check_refs(ctx, &bss_offering_kind, doc, old, "bundledProductOffering", ei);
    if (!rc)
        rc = check_bundle_cycle(ctx, doc, ei);
    if (!rc)
        rc = check_relationships(ctx, doc, old, ei);
    return rc;
}

/*
 * An Active offering sells what it names: every price and every bundled
 * offering must be live (Active, or Retired and kept for those who bought
 * it). One still In design, or Obsolete, is 422 naming them all, on the
 * write that makes the offering Active or names them while it is.
 */
static bss_err check_live(const bss_doc_ctx *ctx, const json_t *doc, const char *member,
                          const bss_doc_kind *kind, const char *what, bss_errinfo *ei)
{
    const json_t *list = json_object_get(doc, member);
    if (!ctx->db || bss__catalog_doc_state(doc) != BSS__LC_ACTIVE || !json_is_array(list))
        return BSS_OK;
    char names[400] = "";
    size_t used = 0, first = SIZE_MAX, n = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));
        json_t *ref = NULL;
        if (!id || bss_doc_load(ctx->db, kind, id, &ref, NULL, NULL) != BSS_OK)
            continue; /* a missing reference is check_refs' to report */
        int st = bss__catalog_doc_state(ref);
        const char *status = json_string_value(json_object_get(ref, "lifecycleStatus"));
        if (st == BSS__LC_DESIGN || st == BSS__LC_OBSOLETE) {
            if (first == SIZE_MAX)
                first = i;
            n++;
            int w = snprintf(names + used, sizeof names - used, "%s%s (%s)", used ? ", " : "", id,
                             status ? status : "In design");
            if (w > 0 && (size_t)w < sizeof names - used)
                used += (size_t)w;
        }
        json_decref(ref);
    }
    if (n == 0)
        return BSS_OK;
    char field[80];
    snprintf(field, sizeof field, "%s[%zu].id", member, first);
    return bss_fail(ei, BSS_E_UNPROCESSABLE, field,
                    "an Active offering sells only live %s; not live: %s. Make %s Active first", what, names,
                    n == 1 ? "it" : "them");
}

static bss_err offering_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = bss__catalog_common(ctx, doc, old, ei);
    if (!rc)
        rc = check_shape(doc, ei);
    if (!rc)
        rc = check_refs(ctx, doc, old, ei);
    if (!rc)
        rc = check_live(ctx, doc, "productOfferingPrice", &bss_offering_price_kind, "prices", ei);
    if (!rc)
        rc = check_live(ctx, doc, "bundledProductOffering", &bss_offering_kind, "bundled offerings", ei);
    if (!rc)
        rc = bss__catalog_retire_check(ctx, doc, old, &bss_offering_kind, "bundledProductOffering", ei);
    if (!rc)
        rc = bss__catalog_retire_check(ctx, doc, old, &bss_offering_kind, "productOfferingRelationship", ei);
    if (!rc)
        rc = bss__catalog_version_on_patch(ctx, doc, old, offering_versioned, ei);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}
