/*
 * compile.c: builds the immutable catalog snapshot (catalog.h: the compiled catalog) from the
 * documents of a bss_catalog_source: zone tables and time-band plans
 * compiled once (sorted by id, shared by every price naming them), every
 * version of every price compiled with those tables resolved, offerings
 * (every version) with their price chains, bundles and add-on bases
 * resolved and checked, and the lookups the rater and billing use (binary
 * search by id, then the version valid at an instant). Markets and tax
 * treatment are resolved in compile_market.c; publishing and loading are
 * in compile_holder.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_int_compile.h"
#include "core/json.h"

/* A document version before compilation. */
typedef struct raw_entry {
    const json_t *doc;
    const char *id;
    int64_t version, from, to;
} raw_entry;

static bss_err nomem(bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory compiling the catalog");
}

/* Prefixes ei's message with the document it is about. */
static bss_err about(bss_errinfo *ei, bss_err rc, const char *kind, const char *id)
{
    if (ei && rc != BSS_E_NOMEM) {
        char msg[sizeof ei->message + 160];
        int n = snprintf(msg, sizeof msg, "%s %.120s: %s", kind, id ? id : "?", ei->message);
        (void)n;
        memcpy(ei->message, msg, sizeof ei->message - 1);
        ei->message[sizeof ei->message - 1] = '\0';
    }
    return rc;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_raw(const void *a, const void *b)
{
    const raw_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->version < y->version ? -1 : x->version > y->version;
}

static bool is_retired(const json_t *doc)
{
    const char *s = json_string_value(json_object_get(doc, "lifecycleStatus"));
    return s && (strcasecmp(s, "Retired") == 0 || strcasecmp(s, "Obsolete") == 0);
}

static const char *doc_id(const json_t *doc)
{
    return json_string_value(json_object_get(doc, "id"));
}

/* Keeps doc alive as long as the catalog and copies s into its arena. */
static const char *keep_str(bss_catalog *cat, const char *s)
{
    return s ? bss_arena_strndup(cat->arena, s, strlen(s)) : "";
}

/*
 * Collects the current documents of one kind (valid over their validFor)
 * and their older versions from src->versions, sorted by id then from.
 */
static bss_err collect(const json_t *current, const json_t *versions, const char *kind, raw_entry **out,
                       size_t *n, bss_errinfo *ei)
{
    size_t cap = json_array_size(current) + json_array_size(versions) + 1, k = 0;
    raw_entry *v = bss_calloc(cap, sizeof *v);
    if (!v)
        return nomem(ei);
    for (size_t i = 0; i < json_array_size(current); i++) {
        const json_t *doc = json_array_get(current, i);
        raw_entry *e = &v[k];
        e->doc = doc;
        if (!json_is_object(doc) || !(e->id = doc_id(doc))) {
            bss_free(v);
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "id", "%s #%zu has no id", kind, i);
        }
        e->version = INT64_MAX;
        e->from = INT64_MIN;
        e->to = INT64_MAX;
        const json_t *vf = json_object_get(doc, "validFor");
        bss_err rc = BSS_OK;
        if (json_is_object(vf) &&
            ((rc = bss_json_get_time(vf, "startDateTime", "validFor.startDateTime", false, &e->from, ei)) !=
                 BSS_OK ||
             (rc = bss_json_get_time(vf, "endDateTime", "validFor.endDateTime", false, &e->to, ei)) !=
                 BSS_OK)) {
            bss_free(v);
            return about(ei, rc, kind, e->id);
        }
        k++;
    }
    for (size_t i = 0; i < json_array_size(versions); i++) {
        const json_t *row = json_array_get(versions, i);
        if (cmp_str(json_string_value(json_object_get(row, "kind")), kind) != 0)
            continue;
        raw_entry *e = &v[k];
        e->doc = json_object_get(row, "doc");
        e->id = json_string_value(json_object_get(row, "id"));
        if (!json_is_object(e->doc) || !e->id)
            continue;
        e->version = json_integer_value(json_object_get(row, "version"));
        e->from = json_integer_value(json_object_get(row, "validFrom"));
        const json_t *to = json_object_get(row, "validTo");
        e->to = json_is_integer(to) ? json_integer_value(to) : INT64_MAX;
        k++;
    }
    qsort(v, k, sizeof *v, cmp_raw);
    /* the current document takes over where its last older version ends */
    for (size_t i = 0, j; i < k; i = j) {
        int64_t last_end = INT64_MIN;
        for (j = i; j < k && strcmp(v[j].id, v[i].id) == 0; j++)
            if (v[j].version != INT64_MAX && v[j].to != INT64_MAX && v[j].to > last_end)
                last_end = v[j].to;
        for (size_t c = i; c < j; c++)
            if (v[c].version == INT64_MAX && v[c].from < last_end)
                v[c].from = last_end;
    }
    qsort(v, k, sizeof *v, cmp_raw);
    *out = v;
    *n = k;
    return BSS_OK;
}

static int cmp_zt(const void *a, const void *b)
{
    return strcmp(((const bss__named_zt *)a)->id, ((const bss__named_zt *)b)->id);
}

static int cmp_plan(const void *a, const void *b)
{
    return strcmp(((const bss__named_plan *)a)->id, ((const bss__named_plan *)b)->id);
}

static int cmp_spec(const void *a, const void *b)
{
    return strcmp(((const bss__spec *)a)->id, ((const bss__spec *)b)->id);
}

static bss_err build_tables(bss_catalog *cat, const bss_catalog_source *src, bss_errinfo *ei)
{
    size_t n = json_array_size(src->zone_tables), m = json_array_size(src->timeband_plans);
    cat->zts = bss_arena_alloc(cat->arena, (n + 1) * sizeof *cat->zts);
    cat->plans = bss_arena_alloc(cat->arena, (m + 1) * sizeof *cat->plans);
    if (!cat->zts || !cat->plans)
        return nomem(ei);
    for (size_t i = 0; i < n; i++) {
        const json_t *doc = json_array_get(src->zone_tables, i);
        const char *id = doc_id(doc);
        if (!id)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "id", "zoneTable #%zu has no id", i);
        bss_err rc = bss_zone_table_build(doc, &cat->zts[cat->nzts].table, ei);
        if (rc != BSS_OK)
            return about(ei, rc, "zoneTable", id);
        cat->zts[cat->nzts++].id = keep_str(cat, id);
    }
    for (size_t i = 0; i < m; i++) {
        const json_t *doc = json_array_get(src->timeband_plans, i);
        const char *id = doc_id(doc);
        if (!id)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "id", "timeBandPlan #%zu has no id", i);
        bss_err rc = bss_timeband_plan_build(doc, &cat->plans[cat->nplans].plan, ei);
        if (rc != BSS_OK)
            return about(ei, rc, "timeBandPlan", id);
        cat->plans[cat->nplans++].id = keep_str(cat, id);
    }
    qsort(cat->zts, cat->nzts, sizeof *cat->zts, cmp_zt);
    qsort(cat->plans, cat->nplans, sizeof *cat->plans, cmp_plan);
    size_t s = json_array_size(src->specifications);
    if (!(cat->specs = bss_arena_alloc(cat->arena, (s + 1) * sizeof *cat->specs)))
        return nomem(ei);
    for (size_t i = 0; i < s; i++) {
        const json_t *doc = json_array_get(src->specifications, i);
        if (!doc_id(doc))
            continue;
        cat->specs[cat->nspecs].id = keep_str(cat, doc_id(doc));
        cat->specs[cat->nspecs++].retired = is_retired(doc);
    }
    qsort(cat->specs, cat->nspecs, sizeof *cat->specs, cmp_spec);
    return BSS_OK;
}

static const bss_zone_table *ref_zone_table(void *ctx, const char *id)
{
    return bss_catalog_zone_table(ctx, id);
}

static const bss_timeband_plan *ref_plan(void *ctx, const char *id)
{
    return bss_catalog_timeband_plan(ctx, id);
}

static const char *ref_id(const json_t *refs, size_t i, char *path, size_t cap, const char *member,
                          bss_errinfo *ei, bss_err *rc);

/* A bundle price is not rated itself: an offering listing it gets its components. */
static bss_err bundle_parts(bss_catalog *cat, const json_t *doc, bss__price_entry *e, bss_errinfo *ei)
{
    const json_t *rels = json_object_get(doc, "bundledPopRelationship");
    size_t n = json_array_size(rels);
    if (!(e->parts = bss_arena_alloc(cat->arena, (n + 1) * sizeof *e->parts)))
        return nomem(ei);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        bss_err rc;
        const char *id = ref_id(rels, i, path, sizeof path, "bundledPopRelationship", ei, &rc);
        if (rc != BSS_OK)
            return rc;
        if (!(e->parts[e->nparts++] = keep_str(cat, id)))
            return nomem(ei);
    }
    return BSS_OK;
}

static bss_err build_prices(bss_catalog *cat, const bss_catalog_source *src, bss_errinfo *ei)
{
    raw_entry *raw = NULL;
    size_t n = 0;
    bss_err rc = collect(src->prices, src->versions, "productOfferingPrice", &raw, &n, ei);
    if (rc != BSS_OK)
        return rc;
    cat->prices = bss_arena_alloc(cat->arena, (n + 1) * sizeof *cat->prices);
    if (!cat->prices) {
        bss_free(raw);
        return nomem(ei);
    }
    bss_price_refs refs = {cat, ref_zone_table, ref_plan};
    for (size_t i = 0; i < n && rc == BSS_OK; i++) {
        bss__price_entry *e = &cat->prices[cat->nprices];
        memset(e, 0, sizeof *e);
        if (json_is_true(json_object_get(raw[i].doc, "isBundle")))
            rc = bundle_parts(cat, raw[i].doc, e, ei);
        else
            rc = bss_price_build(raw[i].doc, &refs, &e->price, ei);
        if (rc != BSS_OK) {
            rc = about(ei, rc, "productOfferingPrice", raw[i].id);
            break;
        }
        cat->nprices++;
        e->id = keep_str(cat, raw[i].id);
        e->version = raw[i].version;
        e->valid_from = raw[i].from;
        e->valid_to = raw[i].to;
        e->retired = is_retired(raw[i].doc);
    }
    bss_free(raw);
    return rc;
}

/* First index in [0, n) whose id is >= id (entries sorted by id). */
#define LOWER_BOUND(arr, n, key, out)                                                                        \
    do {                                                                                                     \
        size_t lo_ = 0, hi_ = (n);                                                                           \
        while (lo_ < hi_) {                                                                                  \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                             \
            if (strcmp((arr)[mid_].id, (key)) < 0)                                                           \
                lo_ = mid_ + 1;                                                                              \
            else                                                                                             \
                hi_ = mid_;                                                                                  \
        }                                                                                                    \
        (out) = lo_;                                                                                         \
    } while (0)

/* The price entry of id valid at as_of (highest version wins); NULL if none. */
static const bss__price_entry *find_price(const bss_catalog *cat, const char *id, int64_t as_of)
{
    size_t i;
    const bss__price_entry *best = NULL;
    LOWER_BOUND(cat->prices, cat->nprices, id, i);
    for (; i < cat->nprices && strcmp(cat->prices[i].id, id) == 0; i++) {
        const bss__price_entry *e = &cat->prices[i];
        if (as_of >= e->valid_from && as_of < e->valid_to && (!best || e->version > best->version))
            best = e;
    }
    return best;
}

/* The current price entry of id, else the newest. */
static const bss__price_entry *find_price_current(const bss_catalog *cat, const char *id)
{
    size_t i;
    const bss__price_entry *best = NULL;
    LOWER_BOUND(cat->prices, cat->nprices, id, i);
    for (; i < cat->nprices && strcmp(cat->prices[i].id, id) == 0; i++)
        if (!best || cat->prices[i].version > best->version)
            best = &cat->prices[i];
    return best;
}

static bss_offering *find_offering_current(const bss_catalog *cat, const char *id)
{
    size_t i;
    bss_offering *best = NULL;
    LOWER_BOUND(cat->offs, cat->noffs, id, i);
    for (; i < cat->noffs && strcmp(cat->offs[i].id, id) == 0; i++)
        if (!best || cat->offs[i].version_no > best->version_no)
            best = &cat->offs[i];
    return best;
}

static const char *ref_id(const json_t *refs, size_t i, char *path, size_t cap, const char *member,
                          bss_errinfo *ei, bss_err *rc)
{
    snprintf(path, cap, "%s[%zu].id", member, i);
    const char *id = json_string_value(json_object_get(json_array_get(refs, i), "id"));
    *rc = id ? BSS_OK : bss_fail(ei, BSS_E_INVALID, path, "%s is required (a string)", path);
    return id;
}

/* The price entry a ref of o names: as of o's start for an older version, else the current one. */
static const bss__price_entry *price_for(const bss_catalog *cat, const bss_offering *o, const char *id)
{
    bool current = o->version_no == INT64_MAX;
    const bss__price_entry *e = current || o->valid_from == INT64_MIN ? find_price_current(cat, id)
                                                                      : find_price(cat, id, o->valid_from);
    return e || current ? e : find_price_current(cat, id);
}

/*
 * Adds the price id (a bundle price: its components, depth-first) to o's
 * prices; with fill false only counts them. path names the offering's ref.
 */
static bss_err add_price(bss_catalog *cat, bss_offering *o, const char *id, const char *path, int depth,
                         bool fill, size_t *count, bss_errinfo *ei)
{
    const bss__price_entry *e = price_for(cat, o, id);
    if (!e)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "no productOfferingPrice '%s'", id);
    if (o->version_no == INT64_MAX && !o->retired && e->retired)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "productOfferingPrice '%s' is retired", id);
    if (e->price) {
        if (fill)
            o->prices[o->nprices++] = e->price;
        (*count)++;
        return BSS_OK;
    }
    if (depth >= 8)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "bundle price '%s' nests deeper than 8 (a cycle?)",
                        id);
    for (size_t i = 0; i < e->nparts; i++) {
        bss_err rc = add_price(cat, o, e->parts[i], path, depth + 1, fill, count, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

static bss_err resolve_prices(bss_catalog *cat, bss_offering *o, bss_errinfo *ei)
{
    const json_t *refs = json_object_get(o->doc, "productOfferingPrice");
    size_t n = json_is_array(refs) ? json_array_size(refs) : 0, count = 0;
    for (int fill = 0; fill < 2; fill++) {
        if (fill && !(o->prices = bss_arena_alloc(cat->arena, (count + 1) * sizeof *o->prices)))
            return nomem(ei);
        for (size_t i = 0; i < n; i++) {
            char path[64];
            bss_err rc;
            const char *id = ref_id(refs, i, path, sizeof path, "productOfferingPrice", ei, &rc);
            if (rc == BSS_OK)
                rc = add_price(cat, o, id, path, 0, fill, &count, ei);
            if (rc != BSS_OK)
                return rc;
        }
    }
    return BSS_OK;
}

static bss_err check_spec(bss_catalog *cat, bss_offering *o, bss_errinfo *ei)
{
    const json_t *spec = json_object_get(o->doc, "productSpecification");
    const char *id = json_string_value(json_object_get(spec, "id"));
    if (!spec || !id)
        return BSS_OK;
    size_t i;
    LOWER_BOUND(cat->specs, cat->nspecs, id, i);
    if (i >= cat->nspecs || strcmp(cat->specs[i].id, id) != 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "productSpecification.id", "no productSpecification '%s'",
                        id);
    if (o->version_no == INT64_MAX && !o->retired && cat->specs[i].retired)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "productSpecification.id",
                        "productSpecification '%s' is retired", id);
    return BSS_OK;
}

static bool rel_is(const json_t *rel, const char *type)
{
    const char *t = json_string_value(json_object_get(rel, "relationshipType"));
    return t && strcasecmp(t, type) == 0;
}

static bss_err resolve_bundles(bss_catalog *cat, bss_offering *o, bss_errinfo *ei)
{
    const json_t *refs = json_object_get(o->doc, "bundledProductOffering");
    size_t n = json_is_array(refs) ? json_array_size(refs) : 0;
    if (!(o->bundled = bss_arena_alloc(cat->arena, (n + 1) * sizeof *o->bundled)))
        return nomem(ei);
    bool current = o->version_no == INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        char path[64];
        bss_err rc;
        const char *id = ref_id(refs, i, path, sizeof path, "bundledProductOffering", ei, &rc);
        if (rc != BSS_OK)
            return rc;
        const bss_offering *b = find_offering_current(cat, id);
        if (!b)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "no productOffering '%s'", id);
        if (current && !o->retired && b->retired)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "bundled productOffering '%s' is retired", id);
        o->bundled[o->nbundled++] = b;
    }
    return BSS_OK;
}

static bss_err check_relationships(bss_catalog *cat, bss_offering *o, bss_errinfo *ei)
{
    const json_t *rels = json_object_get(o->doc, "productOfferingRelationship");
    if (o->version_no != INT64_MAX || o->retired || !json_is_array(rels))
        return BSS_OK;
    for (size_t i = 0; i < json_array_size(rels); i++) {
        const json_t *rel = json_array_get(rels, i);
        if (!rel_is(rel, "addOnTo") && !rel_is(rel, "requires"))
            continue;
        char path[64];
        bss_err rc;
        const char *id = ref_id(rels, i, path, sizeof path, "productOfferingRelationship", ei, &rc);
        if (rc != BSS_OK)
            return rc;
        const bss_offering *base = find_offering_current(cat, id);
        if (!base)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "no productOffering '%s' to be an add-on to", id);
        if (base->retired)
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                            "productOffering '%s' is retired: no compatible base", id);
        if (base->is_addon && rel_is(rel, "addOnTo"))
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                            "productOffering '%s' is itself an add-on: an add-on needs a base offering", id);
    }
    return BSS_OK;
}

/* Depth-first search over bundles; a node met again on the path is a cycle. */
static bss_err find_cycle(bss_offering *o, bss_errinfo *ei)
{
    if (o->mark == 2)
        return BSS_OK;
    o->mark = 1;
    for (size_t i = 0; i < o->nbundled; i++) {
        bss_offering *b = (bss_offering *)o->bundled[i];
        if (b->mark == 1) {
            char path[64];
            snprintf(path, sizeof path, "bundledProductOffering[%zu].id", i);
            return bss_fail(
                ei, BSS_E_UNPROCESSABLE, path,
                "productOffering %s: bundle cycle: it bundles '%s', which (through its bundles) bundles '%s'",
                o->id, b->id, o->id);
        }
        bss_err rc = find_cycle(b, ei);
        if (rc != BSS_OK)
            return rc;
    }
    o->mark = 2;
    return BSS_OK;
}

static bss_err fill_offering(bss_catalog *cat, bss_offering *o, const raw_entry *r)
{
    const json_t *doc = r->doc;
    char vbuf[24];
    const char *version = json_string_value(json_object_get(doc, "version"));
    if (!version && r->version != INT64_MAX) {
        snprintf(vbuf, sizeof vbuf, "%lld", (long long)r->version);
        version = vbuf;
    }
    o->id = keep_str(cat, r->id);
    o->name = keep_str(cat, json_string_value(json_object_get(doc, "name")));
    o->version = keep_str(cat, version);
    o->lifecycle = keep_str(cat, json_string_value(json_object_get(doc, "lifecycleStatus")));
    if (!o->id || !o->name || !o->version || !o->lifecycle)
        return BSS_E_NOMEM;
    o->version_no = r->version;
    o->valid_from = r->from;
    o->valid_to = r->to;
    o->retired = is_retired(doc);
    o->is_bundle = json_is_true(json_object_get(doc, "isBundle")) ||
                   json_array_size(json_object_get(doc, "bundledProductOffering")) > 0;
    const json_t *rels = json_object_get(doc, "productOfferingRelationship");
    for (size_t i = 0; i < json_array_size(rels); i++)
        o->is_addon = o->is_addon || rel_is(json_array_get(rels, i), "addOnTo");
    o->doc = doc;
    return json_array_append(cat->docs, (json_t *)doc) == 0 ? BSS_OK : BSS_E_NOMEM;
}

static bss_err build_offerings(bss_catalog *cat, const bss_catalog_source *src, bss_errinfo *ei)
{
    raw_entry *raw = NULL;
    size_t n = 0;
    bss_err rc = collect(src->offerings, src->versions, "productOffering", &raw, &n, ei);
    if (rc != BSS_OK)
        return rc;
    if (!(cat->offs = bss_arena_alloc(cat->arena, (n + 1) * sizeof *cat->offs))) {
        bss_free(raw);
        return nomem(ei);
    }
    memset(cat->offs, 0, (n + 1) * sizeof *cat->offs);
    for (size_t i = 0; i < n && rc == BSS_OK; i++) {
        if ((rc = fill_offering(cat, &cat->offs[i], &raw[i])) != BSS_OK)
            rc = nomem(ei);
        cat->noffs++;
        if (i == 0 || strcmp(raw[i].id, raw[i - 1].id) != 0)
            cat->nids++;
    }
    bss_free(raw);
    for (size_t i = 0; i < cat->noffs && rc == BSS_OK; i++) {
        bss_offering *o = &cat->offs[i];
        if ((rc = resolve_prices(cat, o, ei)) == BSS_OK && (rc = check_spec(cat, o, ei)) == BSS_OK &&
            (rc = resolve_bundles(cat, o, ei)) == BSS_OK)
            rc = check_relationships(cat, o, ei);
        if (rc != BSS_OK && rc != BSS_E_NOMEM)
            rc = about(ei, rc, "productOffering", o->id);
    }
    for (size_t i = 0; i < cat->noffs && rc == BSS_OK; i++)
        rc = find_cycle(&cat->offs[i], ei);
    return rc;
}

bss_err bss_catalog_compile(const bss_catalog_source *src, bss_catalog **out, bss_errinfo *ei)
{
    bss_catalog *cat = bss_calloc(1, sizeof *cat);
    if (!cat || !(cat->arena = bss_arena_create(16384)) || !(cat->docs = json_array())) {
        bss_catalog_free(cat);
        return nomem(ei);
    }
    bss_err rc = build_tables(cat, src, ei);
    if (rc == BSS_OK)
        rc = build_prices(cat, src, ei);
    if (rc == BSS_OK)
        rc = build_offerings(cat, src, ei);
    if (rc == BSS_OK)
        rc = bss__catalog_resolve_markets(cat, src, ei);
    if (rc == BSS_OK) {
        cat->promotions = src->promotions ? json_incref(src->promotions) : json_array();
        if (!cat->promotions)
            rc = nomem(ei);
    }
    if (rc != BSS_OK) {
        bss_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return BSS_OK;
}

void bss_catalog_free(bss_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->nzts; i++)
        bss_zone_table_free(cat->zts[i].table);
    for (size_t i = 0; i < cat->nplans; i++)
        bss_timeband_plan_free(cat->plans[i].plan);
    for (size_t i = 0; i < cat->nprices; i++)
        bss_price_free(cat->prices[i].price);
    json_decref(cat->docs);
    json_decref(cat->promotions);
    bss_arena_destroy(cat->arena);
    bss_free(cat);
}

const bss_offering *bss_catalog_offering(const bss_catalog *cat, const char *id, int64_t as_of_ms)
{
    size_t i;
    const bss_offering *best = NULL;
    if (!cat || !id)
        return NULL;
    LOWER_BOUND(cat->offs, cat->noffs, id, i);
    for (; i < cat->noffs && strcmp(cat->offs[i].id, id) == 0; i++) {
        const bss_offering *o = &cat->offs[i];
        if (as_of_ms >= o->valid_from && as_of_ms < o->valid_to &&
            (!best || o->version_no > best->version_no))
            best = o;
    }
    return best;
}

void bss_catalog_offering_span(const bss_catalog *cat, const char *id, int64_t as_of_ms, int64_t *from_ms,
                               int64_t *to_ms)
{
    size_t i;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (cat && id) {
        /* the versions valid at an instant change only at a version's bounds: the nearest ones around as_of */
        LOWER_BOUND(cat->offs, cat->noffs, id, i);
        for (; i < cat->noffs && strcmp(cat->offs[i].id, id) == 0; i++) {
            const int64_t b[2] = {cat->offs[i].valid_from, cat->offs[i].valid_to};
            for (int k = 0; k < 2; k++) {
                if (b[k] <= as_of_ms && b[k] > lo)
                    lo = b[k];
                if (b[k] > as_of_ms && b[k] < hi)
                    hi = b[k];
            }
        }
    }
    *from_ms = lo;
    *to_ms = hi;
}

const bss_offering *bss_catalog_offering_version(const bss_catalog *cat, const char *id, const char *version)
{
    size_t i;
    if (!cat || !id || !version)
        return NULL;
    LOWER_BOUND(cat->offs, cat->noffs, id, i);
    for (; i < cat->noffs && strcmp(cat->offs[i].id, id) == 0; i++)
        if (strcmp(cat->offs[i].version, version) == 0)
            return &cat->offs[i];
    return NULL;
}

const bss_price *bss_catalog_price(const bss_catalog *cat, const char *id, int64_t as_of_ms)
{
    const bss__price_entry *e = cat && id ? find_price(cat, id, as_of_ms) : NULL;
    return e ? e->price : NULL;
}

const bss_zone_table *bss_catalog_zone_table(const bss_catalog *cat, const char *id)
{
    size_t i;
    LOWER_BOUND(cat->zts, cat->nzts, id, i);
    return i < cat->nzts && strcmp(cat->zts[i].id, id) == 0 ? cat->zts[i].table : NULL;
}

const bss_timeband_plan *bss_catalog_timeband_plan(const bss_catalog *cat, const char *id)
{
    size_t i;
    LOWER_BOUND(cat->plans, cat->nplans, id, i);
    return i < cat->nplans && strcmp(cat->plans[i].id, id) == 0 ? cat->plans[i].plan : NULL;
}

const json_t *bss_catalog_promotions(const bss_catalog *cat)
{
    return cat->promotions;
}
size_t bss_catalog_offering_count(const bss_catalog *cat)
{
    return cat->nids;
}
uint64_t bss_catalog_generation(const bss_catalog *cat)
{
    return cat->generation;
}

const char *bss_offering_id(const bss_offering *o)
{
    return o->id;
}
const char *bss_offering_name(const bss_offering *o)
{
    return o->name;
}
const char *bss_offering_version(const bss_offering *o)
{
    return o->version;
}
const char *bss_offering_lifecycle(const bss_offering *o)
{
    return o->lifecycle;
}
int64_t bss_offering_valid_from(const bss_offering *o)
{
    return o->valid_from;
}
int64_t bss_offering_valid_to(const bss_offering *o)
{
    return o->valid_to;
}
bool bss_offering_is_bundle(const bss_offering *o)
{
    return o->is_bundle;
}
const json_t *bss_offering_doc(const bss_offering *o)
{
    return o->doc;
}
size_t bss_offering_price_count(const bss_offering *o)
{
    return o->nprices;
}
size_t bss_offering_bundled_count(const bss_offering *o)
{
    return o->nbundled;
}

const bss_price *bss_offering_price(const bss_offering *o, size_t i)
{
    return i < o->nprices ? o->prices[i] : NULL;
}

const bss_price *bss_offering_price_at(const bss_catalog *cat, const bss_offering *o, size_t i,
                                       int64_t as_of_ms)
{
    if (i >= o->nprices)
        return NULL;
    const bss__price_entry *e = find_price(cat, bss_price_id(o->prices[i]), as_of_ms);
    return e && e->price ? e->price : o->prices[i];
}

const bss_offering *bss_offering_bundled(const bss_offering *o, size_t i)
{
    return i < o->nbundled ? o->bundled[i] : NULL;
}

const bss_price *bss_offering_find_price(const bss_offering *o, bss_price_type kind, bss_service service)
{
    for (size_t i = 0; i < o->nprices; i++)
        if (bss_price_kind(o->prices[i]) == kind &&
            (service == BSS_SERVICE_NONE || bss_price_service(o->prices[i]) == service))
            return o->prices[i];
    return NULL;
}
