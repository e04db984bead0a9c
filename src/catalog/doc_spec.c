/*
 * doc_spec.c: the TMF620 `productSpecification` document kind, served at
 * /tmf-api/productCatalogManagement/v4/productSpecification, stored in
 * tmf620_product_specification (migration 0005) with typed columns name,
 * lifecycle_status and version. A specification says what a product is
 * (data allowance, max speed, SIM type, MSISDN required ...) through its
 * productSpecCharacteristic[]; offerings sell it at a price.
 *
 * Rules (spec_prepare), besides the common ones of catalog_int.h:
 *   - brand, productNumber are strings; isBundle is a boolean;
 *   - productSpecCharacteristic[] are objects with a non-empty, unique
 *     name; valueType, description, unitOfMeasure strings; configurable,
 *     extensible booleans; min/maxCardinality integers >= 0 with min <= max;
 *   - productSpecCharacteristicValue[] are objects; when the value type (its
 *     own valueType, else the characteristic's) is string, number, integer
 *     or boolean, value must be of that JSON type; valueFrom <= valueTo;
 *     isDefault is a boolean and at most one value is the default (422);
 *   - bundledProductSpecification[].id name existing, non-retired
 *     specifications other than this one (400 missing, 422 retired/self).
 * A specification a live offering sells cannot be retired (422). Members
 * not listed are kept as posted. Deleting a specification that an
 * offering sells, or another specification bundles, is 409.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"

#define PATH_MAX_LEN 160

static const bss_res_column spec_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
    {"version", "version", BSS_RES_TEXT},
};

static bss_res_table spec_table = {
    .name = "tmf620_product_specification",
    .columns = spec_columns,
    .ncolumns = sizeof spec_columns / sizeof spec_columns[0],
};

static const char *const spec_required[] = {"name", NULL};


static bss_err spec_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const spec_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref spec_refs[] = {
    {"bundledProductSpecification", &bss_spec_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_spec_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/productSpecification",
    .name = "productSpecification",
    .type = "ProductSpecification",
    .status_field = "lifecycleStatus",
    .server_managed = spec_server_managed,
    .refs = spec_refs,
    .table = &spec_table,
    .required = spec_required,
    .prepare = spec_prepare,
    .after_commit = bss__catalog_changed,
};

/* Members of obj (at path prefix) that must be strings / booleans when present. */
static bss_err check_kinds(const json_t *obj, const char *prefix, const char *const *strings,
                           const char *const *bools, bss_errinfo *ei)
{
    char path[PATH_MAX_LEN];
    for (; strings && *strings; strings++) {
        const json_t *v = json_object_get(obj, *strings);
        snprintf(path, sizeof path, "%.120s%s", prefix, *strings);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be a string", path);
    }
    for (; bools && *bools; bools++) {
        const json_t *v = json_object_get(obj, *bools);
        snprintf(path, sizeof path, "%.120s%s", prefix, *bools);
        if (v && !json_is_null(v) && !json_is_boolean(v))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be true or false", path);
    }
    return BSS_OK;
}

/* Whether v has the JSON type valueType names; unknown value types accept anything. */
static bool value_fits(const char *type, const json_t *v)
{
    if (!type || json_is_null(v))
        return true;
    if (strcmp(type, "string") == 0)
        return json_is_string(v);
    if (strcmp(type, "number") == 0)
        return json_is_number(v);
    if (strcmp(type, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(v);
    return true;
}

static bss_err check_value(const json_t *val, const char *path, const char *char_type, int *defaults,
                           bss_errinfo *ei)
{
    char p[PATH_MAX_LEN + 32];
    static const char *const strings[] = {"valueType", "unitOfMeasure", "regex", NULL};
    static const char *const bools[] = {"isDefault", NULL};
    if (!json_is_object(val))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object", path);
    snprintf(p, sizeof p, "%.120s.", path);
    bss_err rc = check_kinds(val, p, strings, bools, ei);
    if (rc)
        return rc;
    const char *type = json_string_value(json_object_get(val, "valueType"));
    if (!type)
        type = char_type;
    static const char *const values[] = {"value", "valueFrom", "valueTo"};
    for (int i = 0; i < 3; i++) {
        const json_t *v = json_object_get(val, values[i]);
        snprintf(p, sizeof p, "%.120s.%s", path, values[i]);
        if (v && !value_fits(type, v))
            return bss_fail(ei, BSS_E_INVALID, p, "%s must be a %s (valueType)", p, type);
    }
    const json_t *from = json_object_get(val, "valueFrom"), *to = json_object_get(val, "valueTo");
    if (json_is_number(from) && json_is_number(to) && json_number_value(from) > json_number_value(to)) {
        snprintf(p, sizeof p, "%.120s.valueTo", path);
        return bss_fail(ei, BSS_E_INVALID, p, "%s is below valueFrom", p);
    }
    if (json_is_true(json_object_get(val, "isDefault")))
        (*defaults)++;
    return BSS_OK;
}

static bss_err check_cardinality(const json_t *ch, const char *path, bss_errinfo *ei)
{
    char p[PATH_MAX_LEN + 32];
    static const char *const names[] = {"minCardinality", "maxCardinality"};
    int64_t n[2] = {0, INT64_MAX};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(ch, names[i]);
        if (!v || json_is_null(v))
            continue;
        snprintf(p, sizeof p, "%.120s.%s", path, names[i]);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return bss_fail(ei, BSS_E_INVALID, p, "%s must be an integer >= 0", p);
        n[i] = json_integer_value(v);
    }
    if (n[0] > n[1]) {
        snprintf(p, sizeof p, "%.120s.maxCardinality", path);
        return bss_fail(ei, BSS_E_INVALID, p, "%s is below minCardinality", p);
    }
    return BSS_OK;
}

static bss_err check_characteristic(const json_t *ch, const char *path, bss_errinfo *ei)
{
    char p[PATH_MAX_LEN + 64];
    static const char *const strings[] = {"valueType", "description", "unitOfMeasure", NULL};
    static const char *const bools[] = {"configurable", "extensible", "isUnique", NULL};
    if (!json_is_object(ch))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object", path);
    const json_t *name = json_object_get(ch, "name");
    snprintf(p, sizeof p, "%.120s.name", path);
    if (!json_is_string(name) || json_string_length(name) == 0)
        return bss_fail(ei, BSS_E_INVALID, p, "%s is required (a non-empty string)", p);
    snprintf(p, sizeof p, "%.120s.", path);
    bss_err rc = check_kinds(ch, p, strings, bools, ei);
    if (!rc)
        rc = check_cardinality(ch, path, ei);
    if (rc)
        return rc;
    const json_t *vals = json_object_get(ch, "productSpecCharacteristicValue");
    if (!vals || json_is_null(vals))
        return BSS_OK;
    snprintf(p, sizeof p, "%.100s.productSpecCharacteristicValue", path);
    if (!json_is_array(vals))
        return bss_fail(ei, BSS_E_INVALID, p, "%s must be an array", p);
    const char *type = json_string_value(json_object_get(ch, "valueType"));
    int defaults = 0;
    size_t i;
    const json_t *val;
    json_array_foreach(vals, i, val)
    {
        char vp[PATH_MAX_LEN + 96];
        snprintf(vp, sizeof vp, "%.140s[%zu]", p, i);
        if ((rc = check_value(val, vp, type, &defaults, ei)))
            return rc;
        if (defaults > 1)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, vp, "%s: only one value can be the default (isDefault)",
                            vp);
    }
    return BSS_OK;
}

static bss_err check_characteristics(const json_t *doc, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "productSpecCharacteristic");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "productSpecCharacteristic",
                        "productSpecCharacteristic must be an array");
    size_t i;
    const json_t *ch;
    json_array_foreach(arr, i, ch)
    {
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "productSpecCharacteristic[%zu]", i);
        bss_err rc = check_characteristic(ch, path, ei);
        if (rc)
            return rc;
        const char *name = json_string_value(json_object_get(ch, "name"));
        for (size_t k = 0; k < i; k++) {
            const char *other = json_string_value(json_object_get(json_array_get(arr, k), "name"));
            if (other && strcmp(other, name) == 0) {
                char p[PATH_MAX_LEN + 8];
                snprintf(p, sizeof p, "%.120s.name", path);
                return bss_fail(ei, BSS_E_UNPROCESSABLE, p,
                                "%s: characteristic '%.64s' is already defined at [%zu]", p, name, k);
            }
        }
    }
    return BSS_OK;
}

static bss_err check_bundled(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "bundledProductSpecification");
    const char *self = json_string_value(json_object_get(doc, "id"));
    size_t i;
    const json_t *ref;
    if (json_is_array(arr))
        json_array_foreach(arr, i, ref)
        {
            const char *id = json_string_value(json_object_get(ref, "id"));
            if (id && self && strcmp(id, self) == 0) {
                char p[PATH_MAX_LEN];
                snprintf(p, sizeof p, "bundledProductSpecification[%zu].id", i);
                return bss_fail(ei, BSS_E_UNPROCESSABLE, p, "%s: a specification cannot bundle itself", p);
            }
        }
    return bss__catalog_check_refs(ctx, &bss_spec_kind, doc, old, "bundledProductSpecification", ei);
}

static bss_err spec_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const strings[] = {"brand", "productNumber", NULL};
    static const char *const bools[] = {"isBundle", NULL};
    bss_err rc = bss__catalog_common(ctx, doc, old, ei);
    if (!rc)
        rc = check_kinds(doc, "", strings, bools, ei);
    if (!rc)
        rc = check_characteristics(doc, ei);
    if (!rc)
        rc = check_bundled(ctx, doc, old, ei);
    if (!rc)
        rc = bss__catalog_retire_check(ctx, doc, old, &bss_offering_kind, "productSpecification", ei);
    if (!rc)
        rc = bss__catalog_compile_check(ctx, doc, ei);
    return rc;
}
